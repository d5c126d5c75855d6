import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { StoreRecord, StoreRepository, StoreSettingsRepository } from '@xero-sync/persistence';
import { XeroConnectionService } from '@xero-sync/xero';
import { actorOf, CurrentPrincipal } from '../auth/current-principal';
import { Principal, RequireRole } from '../auth/roles';
import { ScopeFiltered, seesStore } from '../auth/store-scope';
import { AdminError } from '../http/admin.errors';
import { StoreIdParam } from '../http/common.dto';
import { ListPage } from '../http/list-query.dto';
import {
  BindTenantDto,
  CreateStoreDto,
  DEFAULT_KEEP_PREVIOUS_MINUTES,
  MagentoCredentialsDto,
  RotateSecretDto,
  StoreListQueryDto,
} from './stores.dto';
import { SaveSettingsUseCase } from '../settings/save-settings.usecase';
import { StoreExistsQueries } from './store-exists.queries';

/** A store with the Xero org it is bound to. */
export type StoreView = StoreRecord & { xeroTenantId?: string };

@ApiTags('stores')
@RequireRole('viewer')
@Controller('stores')
export class StoresController {
  constructor(
    private readonly stores: StoreRepository,
    private readonly storeExists: StoreExistsQueries,
    private readonly settings: StoreSettingsRepository,
    private readonly connections: XeroConnectionService,
    private readonly saveSettings: SaveSettingsUseCase,
  ) {}

  @Post()
  @RequireRole('admin')
  @ApiOperation({ summary: 'Create a store; its webhook secret is in this answer once and never again' })
  async create(@Body() dto: CreateStoreDto): Promise<{ store: StoreRecord; webhookSecret: string }> {
    if (Boolean(dto.magentoBaseUrl) !== Boolean(dto.magentoToken)) {
      throw new AdminError('UNPROCESSABLE', 'magentoBaseUrl and magentoToken go together', [
        { field: dto.magentoBaseUrl ? 'magentoToken' : 'magentoBaseUrl', reason: 'required when the other is given' },
      ]);
    }
    return this.stores.create({
      storeId: dto.storeId,
      name: dto.name,
      magentoBaseUrl: dto.magentoBaseUrl,
      magentoToken: dto.magentoToken,
    });
  }

  @Get()
  @ScopeFiltered()
  @ApiOperation({ summary: 'Stores with the Xero org each is bound to (a store-scoped key: its stores)' })
  async list(@Query() query: StoreListQueryDto, @CurrentPrincipal() who: Principal): Promise<ListPage<StoreView>> {
    const [stores, settings] = await Promise.all([this.stores.list(), this.settings.list()]);
    const all = stores.filter((s) => seesStore(who, s.storeId));
    const tenantOf = new Map(settings.map((s) => [s.storeId, s.xeroTenantId]));
    const start = (query.page - 1) * query.pageSize;
    const items = all
      .slice(start, start + query.pageSize)
      .map((s) => ({ ...s, xeroTenantId: tenantOf.get(s.storeId) }));
    return { items, total: all.length, page: query.page, pageSize: query.pageSize };
  }

  @Get(':storeId')
  @ApiOperation({ summary: 'One store' })
  async show(@Param() params: StoreIdParam): Promise<StoreView> {
    const store = await this.storeExists.require(params.storeId);
    return { ...store, xeroTenantId: (await this.settings.get(params.storeId)).xeroTenantId };
  }

  @Post(':storeId/rotate-secret')
  @RequireRole('admin')
  @ApiOperation({
    summary:
      'Replace the webhook secret; the new one is in this answer once, the replaced one is accepted until ' +
      '`previousSecretUntil`',
  })
  async rotate(
    @Param() params: StoreIdParam,
    @Body() dto: RotateSecretDto = {},
  ): Promise<{ storeId: string; webhookSecret: string; previousSecretUntil: Date }> {
    const keepMinutes = dto.keepPreviousMinutes ?? DEFAULT_KEEP_PREVIOUS_MINUTES;
    const rotated = await this.stores.rotateSecret(params.storeId, keepMinutes * 60_000);
    if (!rotated) throw new AdminError('NOT_FOUND', `no store ${params.storeId}`);
    return { storeId: params.storeId, ...rotated };
  }

  @Put(':storeId/magento')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Set the Magento REST base URL and integration token (for backfill)' })
  async setMagento(@Param() params: StoreIdParam, @Body() dto: MagentoCredentialsDto): Promise<StoreView> {
    const ok = await this.stores.setMagentoCredentials(params.storeId, {
      baseUrl: dto.magentoBaseUrl,
      token: dto.magentoToken,
    });
    if (!ok) throw new AdminError('NOT_FOUND', `no store ${params.storeId}`);
    return this.show(params);
  }

  @Put(':storeId/xero-tenant')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Bind the store to a connected Xero org (or unbind with tenantId null); audited' })
  async bind(
    @Param() params: StoreIdParam,
    @Body() dto: BindTenantDto,
    @CurrentPrincipal() who: Principal,
  ): Promise<StoreView> {
    await this.storeExists.require(params.storeId);
    const tenantId = dto.tenantId ?? undefined;
    if (tenantId && who.stores !== '*') {
      // A store-scoped key may bind its store only to an org one of its stores already uses (connecting a new
      // org goes through POST /connections/start with the store id), never to another merchant's org.
      const own = await this.settings.list();
      if (!own.some((s) => seesStore(who, s.storeId) && s.xeroTenantId === tenantId)) {
        throw new AdminError('UNPROCESSABLE', `Xero org ${tenantId} is not connected`, [
          { field: 'tenantId', reason: 'connect this org first (Connections)' },
        ]);
      }
    }
    if (tenantId) {
      if ((await this.connections.tenantStatus(tenantId)) !== 'connected') {
        throw new AdminError('UNPROCESSABLE', `Xero org ${tenantId} is not connected`, [
          { field: 'tenantId', reason: 'connect this org first (Connections)' },
        ]);
      }
    }
    await this.saveSettings.execute(params.storeId, { xeroTenantId: tenantId }, actorOf(who));
    return this.show(params);
  }
}
