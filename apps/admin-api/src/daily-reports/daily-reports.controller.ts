import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  RequestStatRecord,
  RequestStatsRepository,
  StoreSettingsRepository,
  utcDay,
  XeroConnectionRepository,
} from '@xero-sync/persistence';
import { CurrentPrincipal } from '../auth/current-principal';
import { Principal, RequireRole } from '../auth/roles';
import { ScopeFiltered, seesStore } from '../auth/store-scope';
import { AdminError } from '../http/admin.errors';
import { ListPage } from '../http/list-query.dto';
import { BudgetForecast, forecastBudget } from './budget-forecast';
import { DailyReportQueryDto } from './daily-reports.dto';

/** One org's day: calls by endpoint, 429s, errors, remaining quota, and (today) the budget forecast. */
export type DailyReportRow = RequestStatRecord & { tenantName?: string; forecast?: BudgetForecast };

const DAY_MS = 24 * 3600_000;

/**
 * Request Daily Report: Xero calls per org per UTC day (pre-aggregated counters kept by libs/xero). A
 * store-scoped key sees the orgs its stores are bound to (an org's counters cover every store bound to it).
 */
@ApiTags('daily requests')
@RequireRole('viewer')
@ScopeFiltered()
@Controller('daily-reports')
export class DailyReportsController {
  constructor(
    private readonly stats: RequestStatsRepository,
    private readonly connections: XeroConnectionRepository,
    private readonly settings: StoreSettingsRepository,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Request Daily Report with a forecast of when today’s budget runs out at the current rate' })
  async report(
    @Query() query: DailyReportQueryDto,
    @CurrentPrincipal() who: Principal,
  ): Promise<ListPage<DailyReportRow>> {
    const now = new Date();
    const to = query.to ?? utcDay(now);
    const from = query.from ?? utcDay(new Date(Date.parse(`${to}T00:00:00Z`) - 13 * DAY_MS));
    if (from > to)
      throw new AdminError('UNPROCESSABLE', 'from is after to', [{ field: 'from', reason: 'must not be after to' }]);
    if (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`) > 92 * DAY_MS) {
      throw new AdminError('UNPROCESSABLE', 'at most 93 days per report', [
        { field: 'from', reason: 'range longer than 93 days' },
      ]);
    }
    const [allRows, connections, settings] = await Promise.all([
      this.stats.listDays(from, to, query.tenantId),
      this.connections.list(),
      who.stores === '*' ? Promise.resolve([]) : this.settings.list(),
    ]);
    const visibleTenants = new Set(settings.filter((s) => seesStore(who, s.storeId)).map((s) => s.xeroTenantId));
    const rows = who.stores === '*' ? allRows : allRows.filter((r) => visibleTenants.has(r.tenantId));
    const names = new Map(connections.flatMap((c) => c.tenants.map((t) => [t.tenantId, t.tenantName] as const)));
    const today = utcDay(now);
    const start = (query.page - 1) * query.pageSize;
    const items = rows.slice(start, start + query.pageSize).map((r) => ({
      ...r,
      tenantName: names.get(r.tenantId),
      ...(r.day === today ? { forecast: forecastBudget(r, now) } : {}),
    }));
    return { items, total: rows.length, page: query.page, pageSize: query.pageSize };
  }
}
