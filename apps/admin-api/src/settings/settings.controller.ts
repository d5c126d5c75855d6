import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiExtension, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  SettingsAuditRecord,
  SettingsAuditRepository,
  StoreSettings,
  StoreSettingsRepository,
} from '@xero-sync/persistence';
import { actorOf, CurrentPrincipal } from '../auth/current-principal';
import { Principal, RequireRole } from '../auth/roles';
import { AdminError } from '../http/admin.errors';
import { StoreIdParam } from '../http/common.dto';
import { ListPage } from '../http/list-query.dto';
import { StoreExistsQueries } from '../stores/store-exists.queries';
import { SaveSettingsUseCase } from './save-settings.usecase';
import { OrgChart } from './settings-references';
import { SettingsReferenceCheck } from './settings-reference.check';
import { AuditQueryDto, UpdateSettingsDto } from './settings.dto';

@ApiTags('settings')
@RequireRole('viewer')
@Controller('stores/:storeId/settings')
export class SettingsController {
  constructor(
    private readonly settings: StoreSettingsRepository,
    private readonly audit: SettingsAuditRepository,
    private readonly stores: StoreExistsQueries,
    private readonly save: SaveSettingsUseCase,
    private readonly references: SettingsReferenceCheck,
  ) {}

  @Get()
  @ApiOperation({ summary: 'A store’s settings (defaults until saved)' })
  async show(@Param() params: StoreIdParam): Promise<StoreSettings> {
    await this.stores.require(params.storeId);
    return this.settings.get(params.storeId);
  }

  @Put()
  @RequireRole('admin')
  @ApiOperation({
    summary:
      'Replace a store’s settings; accounts and tax types are checked against the bound Xero org (422 names the fields)',
  })
  async update(
    @Param() params: StoreIdParam,
    @Body() dto: UpdateSettingsDto,
    @CurrentPrincipal() who: Principal,
  ): Promise<StoreSettings> {
    await this.stores.require(params.storeId);
    return this.save.execute(params.storeId, dto, actorOf(who));
  }

  @Get('options')
  @ApiOperation({
    summary: 'The bound org’s accounts, tax rates and currencies (read from Xero, cached) for the settings form',
  })
  async options(@Param() params: StoreIdParam): Promise<OrgChart> {
    await this.stores.require(params.storeId);
    const { xeroTenantId } = await this.settings.get(params.storeId);
    if (!xeroTenantId) throw new AdminError('XERO_NOT_CONNECTED', 'the store is not bound to a Xero org yet');
    return this.references.chartOf(xeroTenantId);
  }

  @Post('options/refresh')
  // Re-reads what the page shows, changes nothing in the store: viewers may press it (the access test reads this flag).
  @ApiExtension('x-read-only', true)
  @ApiOperation({
    summary: 'Reads the bound org’s accounts, tax rates and currencies from Xero again (cached between page views)',
  })
  async refreshOptions(@Param() params: StoreIdParam): Promise<OrgChart> {
    await this.stores.require(params.storeId);
    const { xeroTenantId } = await this.settings.get(params.storeId);
    if (!xeroTenantId) throw new AdminError('XERO_NOT_CONNECTED', 'the store is not bound to a Xero org yet');
    this.references.refresh(xeroTenantId);
    return this.references.chartOf(xeroTenantId);
  }

  @Get('audit')
  @ApiOperation({ summary: 'Who changed which settings and when, newest first' })
  async auditTrail(
    @Param() params: StoreIdParam,
    @Query() query: AuditQueryDto,
  ): Promise<ListPage<SettingsAuditRecord>> {
    const { items, total } = await this.audit.listByStore(params.storeId, query.page, query.pageSize);
    return { items, total, page: query.page, pageSize: query.pageSize };
  }
}
