import {
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { EntityName } from '@xero-sync/contracts';
import { PendingChangeRecord, PendingChangeRepository, PendingChangeStatus } from '@xero-sync/persistence';
import { actorOf, CurrentPrincipal } from '../auth/current-principal';
import { Principal, RequireRole } from '../auth/roles';
import { PublishCommandUseCase } from '../commands/publish-command.usecase';
import { CommandAccepted, RecordParams, StoreIdParam } from '../http/common.dto';
import { SyncRecordNowAccepted, SyncRecordNowUseCase } from '../records/sync-record-now.usecase';
import { XeroLinker, XeroLinkQueries } from '../records/xero-link.queries';
import { ListPage } from '../http/list-query.dto';
import { StoreExistsQueries } from '../stores/store-exists.queries';
import { QueueItemView, QueueQueryDto, QueueSummaryQueryDto } from './queue.dto';

function toView(item: PendingChangeRecord, link: XeroLinker): QueueItemView {
  const open = item.status === 'pending' || item.status === 'waiting' || item.status === 'failed';
  return {
    id: item.id,
    storeId: item.storeId,
    entity: item.entity,
    entityId: item.entityId,
    status: item.status,
    attempts: item.attempts,
    reason: item.status === 'waiting' ? (item.waitingOn ?? item.lastError) : item.lastError,
    nextAttemptAt: open && item.status !== 'failed' ? item.nextAttemptAt : undefined,
    occurredAt: item.occurredAt,
    lastAttemptAt: item.lastAttemptAt,
    xeroId: item.xeroId,
    xeroUrl: link(item.entity as EntityName, item.xeroId),
  };
}

@ApiTags('queue')
@RequireRole('viewer')
@Controller('queue')
export class QueueController {
  constructor(
    private readonly queue: PendingChangeRepository,
    private readonly stores: StoreExistsQueries,
    private readonly commands: PublishCommandUseCase,
    private readonly syncRecordNow: SyncRecordNowUseCase,
    private readonly links: XeroLinkQueries,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Queue of a store: pending, waiting and failed items with reason and next attempt' })
  async list(@Query() query: QueueQueryDto): Promise<ListPage<QueueItemView>> {
    const [{ items, total }, link] = await Promise.all([
      this.queue.listByStore(
        query.storeId,
        { status: query.status, entity: query.entity },
        { page: query.page, pageSize: query.pageSize },
      ),
      this.links.linkerFor(query.storeId),
    ]);
    return { items: items.map((i) => toView(i, link)), total, page: query.page, pageSize: query.pageSize };
  }

  @Get('summary')
  @ApiOperation({ summary: 'Item counts by status for a store' })
  summary(@Query() query: QueueSummaryQueryDto): Promise<Record<PendingChangeStatus, number>> {
    return this.queue.countByStatus(query.storeId);
  }

  @Post(':storeId/sync-now')
  @HttpCode(202)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Sync Now for the whole queue of a store (sends queue.flush)' })
  async syncNow(@Param() params: StoreIdParam, @CurrentPrincipal() who: Principal): Promise<CommandAccepted> {
    await this.stores.require(params.storeId);
    const command = await this.commands.execute({ type: 'queue.flush', storeId: params.storeId }, actorOf(who));
    return { accepted: true, commandId: command.commandId, type: command.type, storeId: command.storeId };
  }

  @Post(':storeId/retry-failed')
  @HttpCode(202)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Retry the failed and waiting items of a store (sends queue.retry-failed)' })
  async retryFailed(@Param() params: StoreIdParam, @CurrentPrincipal() who: Principal): Promise<CommandAccepted> {
    await this.stores.require(params.storeId);
    const command = await this.commands.execute({ type: 'queue.retry-failed', storeId: params.storeId }, actorOf(who));
    return { accepted: true, commandId: command.commandId, type: command.type, storeId: command.storeId };
  }

  @Post(':storeId/items/:entity/:entityId/sync-now')
  @HttpCode(202)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Sync Now for one queue item (sends sync.record, as the record page’s Sync Now does)' })
  syncItem(@Param() params: RecordParams, @CurrentPrincipal() who: Principal): Promise<SyncRecordNowAccepted> {
    return this.syncRecordNow.execute(
      { storeId: params.storeId, entity: params.entity, entityId: params.entityId },
      actorOf(who),
    );
  }

  @Delete(':storeId/items/:entity/:entityId')
  @HttpCode(204)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Remove one open item (pending, waiting or failed) from the queue; it will not be synced' })
  async removeItem(@Param() params: RecordParams): Promise<void> {
    await this.stores.require(params.storeId);
    const outcome = await this.queue.removeOpenItem(params.storeId, params.entity, params.entityId);
    switch (outcome) {
      case 'removed':
        return;
      case 'processing':
        throw new ConflictException('the item is being delivered right now; try again in a moment');
      case 'not-open':
        throw new ConflictException('the record is already synced; there is no queued change to remove');
      case 'not-found':
        throw new NotFoundException(`no queue item for ${params.entity} ${params.entityId}`);
    }
  }
}
