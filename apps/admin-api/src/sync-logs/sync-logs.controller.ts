import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { SyncLogRecord } from '@xero-sync/persistence';
import { CurrentPrincipal } from '../auth/current-principal';
import { Principal, RequireRole } from '../auth/roles';
import { ScopeFiltered, visibleStores } from '../auth/store-scope';
import { ListPage } from '../http/list-query.dto';
import { SyncLogQueries } from './sync-log.queries';
import { SyncLogFilterDto, SyncLogQueryDto } from './sync-logs.dto';

@ApiTags('sync log')
@RequireRole('viewer')
@ScopeFiltered()
@Controller('sync-logs')
export class SyncLogsController {
  constructor(private readonly queries: SyncLogQueries) {}

  @Get()
  @ApiOperation({ summary: 'View Log: one row per sync attempt with Xero’s message and the View On Xero link' })
  list(@Query() query: SyncLogQueryDto, @CurrentPrincipal() who: Principal): Promise<ListPage<SyncLogRecord>> {
    return this.queries.search(query, query.page, query.pageSize, visibleStores(who));
  }

  @Get('export.csv')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The filtered log as CSV (at most 50,000 rows)' })
  async exportCsv(
    @Query() query: SyncLogFilterDto,
    @CurrentPrincipal() who: Principal,
    @Res() res: Response,
  ): Promise<void> {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="sync-log-${new Date().toISOString().slice(0, 10)}.csv"`,
    );
    for await (const chunk of this.queries.csvLines(query, visibleStores(who))) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  }
}
