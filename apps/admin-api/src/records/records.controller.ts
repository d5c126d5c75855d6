import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PendingChangeRepository, SyncLogRecord, SyncLogRepository } from '@xero-sync/persistence';
import { actorOf, CurrentPrincipal } from '../auth/current-principal';
import { Principal, RequireRole } from '../auth/roles';
import { PublishCommandUseCase } from '../commands/publish-command.usecase';
import { CommandAccepted, RecordParams } from '../http/common.dto';
import { StoreExistsQueries } from '../stores/store-exists.queries';

/** Per-record view and Sync Now (customer, product, order, invoice or credit memo by its store id). */
@ApiTags('records')
@RequireRole('viewer')
@Controller('stores/:storeId/records/:entity/:entityId')
export class RecordsController {
  constructor(
    private readonly log: SyncLogRepository,
    private readonly queue: PendingChangeRepository,
    private readonly stores: StoreExistsQueries,
    private readonly commands: PublishCommandUseCase,
  ) {}

  @Get()
  @ApiOperation({ summary: 'A record’s queue state and its full sync history' })
  async show(@Param() params: RecordParams): Promise<{ queue: unknown; history: SyncLogRecord[] }> {
    await this.stores.require(params.storeId);
    const [item, history] = await Promise.all([
      this.queue.findByKey(params.storeId, params.entity, params.entityId),
      this.log.historyOf(params.storeId, params.entity, params.entityId),
    ]);
    const queue = item
      ? {
          status: item.status,
          attempts: item.attempts,
          reason: item.lastError ?? item.waitingOn,
          nextAttemptAt: item.nextAttemptAt,
          xeroId: item.xeroId,
        }
      : null;
    return { queue, history };
  }

  @Post('sync-now')
  @HttpCode(202)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Sync Now for one record (sends sync.record; the syncer syncs its latest content)' })
  async syncNow(@Param() params: RecordParams, @CurrentPrincipal() who: Principal): Promise<CommandAccepted> {
    await this.stores.require(params.storeId);
    const command = await this.commands.execute(
      { type: 'sync.record', storeId: params.storeId, entity: params.entity, entityId: params.entityId },
      actorOf(who),
    );
    return { accepted: true, commandId: command.commandId, type: command.type, storeId: command.storeId };
  }
}
