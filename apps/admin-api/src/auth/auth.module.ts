import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { ApiKeyModule } from '@xero-sync/persistence';
import { ApiKeysController } from '../api-keys/api-keys.controller';
import { CreateApiKeyUseCase } from '../api-keys/create-api-key.usecase';
import { RetireBootstrapKeyUseCase } from '../api-keys/retire-bootstrap-key.usecase';
import { AdminExceptionFilter } from '../http/admin-exception.filter';
import { OperatorKeysGuard } from '../http/operator-keys.guard';
import { ApiKeyGuard } from './api-key.guard';
import { AuthenticateKeyUseCase } from './authenticate-key.usecase';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { KeyThrottlerGuard } from './key-throttler.guard';
import { StoreScopeGuard } from './store-scope.guard';

/**
 * Access control for every route, in this order (global guards run as registered): API-key authentication
 * and role check, the per-key rate limit, the store scope, then the operator-key refusal; and the one
 * exception filter that shapes every error answer.
 */
@Module({
  imports: [
    ApiKeyModule,
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // Named "default" so the answer carries a plain Retry-After header.
        throttlers: [{ name: 'default', limit: config.ADMIN_RATE_LIMIT, ttl: config.ADMIN_RATE_WINDOW_MS }],
        errorMessage: 'too many requests for this API key; retry after the seconds in Retry-After',
      }),
    }),
  ],
  controllers: [ApiKeysController],
  providers: [
    AuthenticateKeyUseCase,
    AuthFailureLimiter,
    CreateApiKeyUseCase,
    RetireBootstrapKeyUseCase,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: KeyThrottlerGuard },
    { provide: APP_GUARD, useClass: StoreScopeGuard },
    { provide: APP_GUARD, useClass: OperatorKeysGuard },
    { provide: APP_FILTER, useClass: AdminExceptionFilter },
  ],
})
export class AuthModule {}
