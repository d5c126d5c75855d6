import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ApiKeyModule } from '@xero-sync/persistence';
import { ApiKeysController } from '../api-keys/api-keys.controller';
import { CreateApiKeyUseCase } from '../api-keys/create-api-key.usecase';
import { AdminExceptionFilter } from '../http/admin-exception.filter';
import { OperatorKeysGuard } from '../http/operator-keys.guard';
import { ApiKeyGuard } from './api-key.guard';
import { AuthenticateKeyUseCase } from './authenticate-key.usecase';
import { AuthFailureLimiter } from './auth-failure.limiter';

/**
 * Access control for every route: API-key authentication and role check first, then the operator-key
 * refusal, and the one exception filter that shapes every error answer.
 */
@Module({
  imports: [ApiKeyModule],
  controllers: [ApiKeysController],
  providers: [
    AuthenticateKeyUseCase,
    AuthFailureLimiter,
    CreateApiKeyUseCase,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: OperatorKeysGuard },
    { provide: APP_FILTER, useClass: AdminExceptionFilter },
  ],
})
export class AuthModule {}
