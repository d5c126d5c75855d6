import { Body, Controller, Delete, Get, HttpCode, Logger, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { StoreSettingsRepository } from '@xero-sync/persistence';
import { randomSecret } from '@xero-sync/security';
import { XeroConnectionService, XeroConnectionView, XeroConsentService, XeroReadService } from '@xero-sync/xero';
import { actorOf, CurrentPrincipal } from '../auth/current-principal';
import { Principal, Public, RequireRole } from '../auth/roles';
import { ScopeFiltered, seesStore } from '../auth/store-scope';
import { ListPage } from '../http/list-query.dto';
import { SaveSettingsUseCase } from '../settings/save-settings.usecase';
import { StoreExistsQueries } from '../stores/store-exists.queries';
import {
  ConnectionRow,
  ConnectionsQueryDto,
  CustomConnectionDto,
  StartConnectDto,
  TenantIdParam,
} from './connections.dto';

/** Binds the callback to the browser that started the consent (with state + PKCE, against login CSRF). */
const BINDING_COOKIE = 'xs_xero_connect';
const CALLBACK_PATH = '/connections/callback';

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function tokenHealth(view: XeroConnectionView): string {
  if (view.status === 'disconnected')
    return `disconnected${view.disconnectedReason ? `: ${view.disconnectedReason}` : ''}`;
  if (view.warning) return view.warning;
  if (view.kind === 'custom') return 'healthy (custom connection)';
  return view.refreshTokenExpiresAt
    ? `healthy (refresh token valid until ${new Date(view.refreshTokenExpiresAt).toISOString().slice(0, 10)})`
    : 'healthy';
}

@ApiTags('connections')
@RequireRole('viewer')
@Controller('connections')
export class ConnectionsController {
  private readonly logger = new Logger(ConnectionsController.name);

  constructor(
    private readonly xero: XeroConnectionService,
    private readonly consent: XeroConsentService,
    private readonly settings: StoreSettingsRepository,
    private readonly stores: StoreExistsQueries,
    private readonly saveSettings: SaveSettingsUseCase,
    private readonly reads: XeroReadService,
  ) {}

  @Post('start')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Start the Xero connect flow: answers the authorize URL to send the browser to' })
  async start(
    @Body() dto: StartConnectDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ authorizeUrl: string; expiresAt: Date }> {
    if (dto.storeId) await this.stores.require(dto.storeId);
    const binding = `${randomSecret(24)}${dto.storeId ? `.${dto.storeId}` : ''}`;
    const started = await this.consent.startAuthorization(binding);
    res.cookie(BINDING_COOKIE, binding, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      path: CALLBACK_PATH,
      maxAge: started.expiresAt.getTime() - Date.now(),
    });
    return { authorizeUrl: started.authorizeUrl, expiresAt: started.expiresAt };
  }

  /**
   * Xero redirects the browser here, which carries no API key: the request is authenticated by the one-time
   * state, the PKCE verifier and the binding cookie set by `start`. Ends on the dashboard's Connections page.
   */
  @Get('callback')
  @Public()
  @ApiOperation({ summary: 'OAuth callback (Xero redirects the browser here); redirects to the dashboard' })
  async callback(
    @Query('code') code: unknown,
    @Query('state') state: unknown,
    @Query('error') error: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const binding = readCookie(req, BINDING_COOKIE) ?? '';
    res.clearCookie(BINDING_COOKIE, { path: CALLBACK_PATH });
    const str = (v: unknown) => (typeof v === 'string' && v.length <= 2048 ? v : undefined);
    try {
      const view = await this.consent.completeAuthorization({
        code: str(code),
        state: str(state),
        error: str(error),
        binding,
      });
      await this.recordShortCodes(view);
      const storeId = binding.includes('.') ? binding.slice(binding.indexOf('.') + 1) : undefined;
      if (storeId && view.tenants.length === 1) {
        await this.saveSettings.execute(
          storeId,
          { xeroTenantId: view.tenants[0].tenantId },
          `oauth-callback:${view.connectionId}`,
        );
      }
      const names = view.tenants.map((t) => t.tenantName ?? t.tenantId).join(', ');
      res.redirect(302, `/?connected=${encodeURIComponent(names)}#/connections`);
    } catch (err) {
      const message = err instanceof Error ? err.message : 'connection failed';
      res.redirect(302, `/?connectError=${encodeURIComponent(message.slice(0, 200))}#/connections`);
    }
  }

  @Post('custom')
  @RequireRole('admin')
  @ApiOperation({
    summary:
      'Add a Xero custom connection (client credentials; one org), optionally binding a store to it; token ' +
      'health, budget and disconnect work as for OAuth connections',
  })
  async custom(@Body() dto: CustomConnectionDto, @CurrentPrincipal() who: Principal): Promise<XeroConnectionView> {
    if (dto.storeId) await this.stores.require(dto.storeId);
    const view = await this.consent.connectCustom(dto.clientId, dto.clientSecret);
    await this.recordShortCodes(view);
    if (dto.storeId && view.tenants.length === 1)
      await this.saveSettings.execute(dto.storeId, { xeroTenantId: view.tenants[0].tenantId }, actorOf(who));
    return view;
  }

  @Get()
  @ScopeFiltered()
  @ApiOperation({
    summary: 'Connected orgs with token health and the stores bound to each (a store-scoped key: its stores’ orgs)',
  })
  async list(
    @Query() query: ConnectionsQueryDto,
    @CurrentPrincipal() who: Principal,
  ): Promise<ListPage<ConnectionRow>> {
    const [views, allSettings] = await Promise.all([this.xero.list(), this.settings.list()]);
    const settings = allSettings.filter((s) => seesStore(who, s.storeId));
    const rows: ConnectionRow[] = views
      .flatMap((v) =>
        v.tenants.map((t) => ({
          connectionId: v.connectionId,
          kind: v.kind,
          tenantId: t.tenantId,
          tenantName: t.tenantName,
          shortCode: t.shortCode,
          status: v.status,
          tokenHealth: tokenHealth(v),
          accessTokenExpiresAt: v.accessTokenExpiresAt,
          refreshTokenExpiresAt: v.refreshTokenExpiresAt,
          warning: v.warning,
          stores: settings.filter((s) => s.xeroTenantId === t.tenantId).map((s) => s.storeId),
        })),
      )
      .filter((row) => who.stores === '*' || row.stores.length > 0);
    const start = (query.page - 1) * query.pageSize;
    return {
      items: rows.slice(start, start + query.pageSize),
      total: rows.length,
      page: query.page,
      pageSize: query.pageSize,
    };
  }

  /**
   * "View On Xero" deep links need each org's short code, which only the Organisation endpoint tells: read it
   * once per newly connected org (one call each). A failure only costs the links, never the connection.
   */
  private async recordShortCodes(view: XeroConnectionView): Promise<void> {
    for (const t of view.tenants) {
      if (t.shortCode) continue;
      try {
        await this.reads.organisation(t.tenantId);
      } catch (err) {
        this.logger.warn(
          `could not read the short code of ${t.tenantId}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }

  @Delete(':tenantId')
  @HttpCode(204)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Disconnect an org (its stores wait until it is connected again)' })
  async disconnect(@Param() params: TenantIdParam, @CurrentPrincipal() who: Principal): Promise<void> {
    await this.xero.disconnect(params.tenantId, `disconnected by ${actorOf(who)}`);
  }
}
