import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyRecord, ApiKeyRepository } from '@xero-sync/persistence';
import { actorOf, CurrentPrincipal } from '../auth/current-principal';
import { Principal, RequireRole } from '../auth/roles';
import { ScopeFiltered } from '../auth/store-scope';
import { AdminError } from '../http/admin.errors';
import { ListPage, PageQueryDto } from '../http/list-query.dto';
import { ApiKeyIdParam, CreateApiKeyDto } from './api-keys.dto';
import { CreateApiKeyUseCase } from './create-api-key.usecase';
import { RetireBootstrapKeyUseCase } from './retire-bootstrap-key.usecase';

/** Key management: admin keys that see every store only (the store scope guard refuses scoped keys here). */
@ApiTags('api keys')
@RequireRole('admin')
@Controller('api-keys')
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly createKey: CreateApiKeyUseCase,
    private readonly retireBootstrap: RetireBootstrapKeyUseCase,
  ) {}

  @Post()
  @ApiOperation({
    summary:
      'Create an API key (role, stores it may see, optional expiry); the key is in the answer once and never again',
  })
  async create(
    @Body() dto: CreateApiKeyDto,
    @CurrentPrincipal() who: Principal,
  ): Promise<ApiKeyRecord & { key: string }> {
    const { key, record } = await this.createKey.execute(
      {
        name: dto.name,
        role: dto.role,
        stores: dto.stores ?? '*',
        expiresAt: dto.expiresAt ? new Date(dto.expiresAt) : undefined,
      },
      actorOf(who),
    );
    return { ...record, key };
  }

  @Get()
  @ApiOperation({ summary: 'List API keys (never their values)' })
  async list(@Query() query: PageQueryDto): Promise<ListPage<ApiKeyRecord>> {
    const all = await this.keys.listAll();
    const start = (query.page - 1) * query.pageSize;
    return {
      items: all.slice(start, start + query.pageSize),
      total: all.length,
      page: query.page,
      pageSize: query.pageSize,
    };
  }

  @Get('me')
  @RequireRole('viewer')
  @ScopeFiltered()
  @ApiOperation({
    summary: 'Who the presented key belongs to, its role and stores (the dashboard uses it at sign-in)',
  })
  me(@CurrentPrincipal() who: Principal): Principal {
    return who;
  }

  @Post('bootstrap/retire')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Retire ADMIN_BOOTSTRAP_TOKEN for good (409 until another admin key that sees every store exists)',
  })
  async retire(@CurrentPrincipal() who: Principal): Promise<void> {
    await this.retireBootstrap.execute(actorOf(who));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key' })
  async revoke(@Param() params: ApiKeyIdParam): Promise<void> {
    if (!(await this.keys.revoke(params.id))) throw new AdminError('NOT_FOUND', `no active API key ${params.id}`);
  }
}
