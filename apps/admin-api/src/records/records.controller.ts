import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PendingChangeRepository, SyncLogRecord, SyncLogRepository } from '@xero-sync/persistence';
import { actorOf, CurrentPrincipal } from '../auth/current-principal';
import { Principal, RequireRole } from '../auth/roles';
import { RecordParams } from '../http/common.dto';
import { StoreExistsQueries } from '../stores/store-exists.queries';
import { SyncRecordNowAccepted, SyncRecordNowUseCase } from './sync-record-now.usecase';
import { XeroLinkQueries } from './xero-link.queries';

/** A record's queue state as the record page shows it. */
export interface RecordQueueView {
  status: string;
  attempts: number;
  reason?: string;
  nextAttemptAt?: Date;
  xeroId?: string;
  /** "View On Xero" for the document the record became. */
  xeroUrl?: string;
}

/** Per-record view and Sync Now (customer, product, order, invoice or credit memo by its store id). */
@ApiTags('records')
@RequireRole('viewer')
@Controller('stores/:storeId/records/:entity/:entityId')
export class RecordsController {
  constructor(
    private readonly log: SyncLogRepository,
    private readonly queue: PendingChangeRepository,
    private readonly stores: StoreExistsQueries,
    private readonly syncRecordNow: SyncRecordNowUseCase,
    private readonly links: XeroLinkQueries,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'A record’s queue state (with its View On Xero link) and its full sync history, oldest first',
  })
  async show(@Param() params: RecordParams): Promise<{ queue: RecordQueueView | null; history: SyncLogRecord[] }> {
    await this.stores.require(params.storeId);
    const [item, history, link] = await Promise.all([
      this.queue.findByKey(params.storeId, params.entity, params.entityId),
      this.log.historyOf(params.storeId, params.entity, params.entityId),
      this.links.linkerFor(params.storeId),
    ]);
    const queue = item
      ? {
          status: item.status,
          attempts: item.attempts,
          reason: item.lastError ?? item.waitingOn,
          nextAttemptAt: item.nextAttemptAt,
          xeroId: item.xeroId,
          xeroUrl: link(params.entity, item.xeroId),
        }
      : null;
    return { queue, history };
  }

  @Post('sync-now')
  @HttpCode(202)
  @RequireRole('operator')
  @ApiOperation({
    summary:
      'Sync Now for one record: the syncer syncs the latest content the pipeline holds; a record it never received ' +
      'is read from the store’s Magento REST API (pull-connected stores; 422 for a webhook-only store)',
  })
  syncNow(@Param() params: RecordParams, @CurrentPrincipal() who: Principal): Promise<SyncRecordNowAccepted> {
    return this.syncRecordNow.execute(
      { storeId: params.storeId, entity: params.entity, entityId: params.entityId },
      actorOf(who),
    );
  }
}
