import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import {
  dlqMessageModel,
  DlqMessageRepository,
  flushScheduleModel,
  FlushScheduleRepository,
  leaseModel,
  LeaseRepository,
  pendingChangeModel,
  PendingChangeRepository,
  PersistenceModule,
  syncLogModel,
  SyncLogRepository,
} from '@xero-sync/persistence';
import { RequestFlushUseCase } from './commands/request-flush.usecase';
import { SyncRecordUseCase } from './commands/sync-record.usecase';
import { CommandConsumer } from './consumers/command.consumer';
import { EntityChangeConsumer } from './consumers/entity-change.consumer';
import { SyncSettingsCache } from './delivery/sync-settings.cache';
import { DeadLetterMessageUseCase } from './dlq/dead-letter-message.usecase';
import { RequeueDlqUseCase } from './dlq/requeue-dlq.usecase';
import { SyncerMetricsScheduler } from './metrics/syncer-metrics.scheduler';
import { BufferEntityChangeUseCase } from './sync/buffer-entity-change.usecase';
import { FlushQueueScheduler } from './sync/flush-queue.scheduler';
import { FlushQueueUseCase } from './sync/flush-queue.usecase';
import { HandleEntityChangeUseCase } from './sync/handle-entity-change.usecase';
import { RecordSyncOutcomeUseCase } from './sync/record-sync-outcome.usecase';
import { StoreDependencyQueries } from './sync/store-dependency.queries';
import { SyncEntityUseCase } from './sync/sync-entity.usecase';

/**
 * The syncer's own work: consumers, use cases, scheduler and metrics. `xero` must provide XERO_DELIVERY and
 * SYNC_SETTINGS_SOURCE (see XeroBindingsModule). Consumers are declared before the scheduler so the topics
 * exist and the group is joined before the first flush tick.
 */
@Module({})
export class SyncerCoreModule {
  static forRoot(xero: DynamicModule): DynamicModule {
    return {
      module: SyncerCoreModule,
      imports: [
        xero,
        TerminusModule,
        ScheduleModule.forRoot(),
        PersistenceModule.forFeature([
          pendingChangeModel,
          syncLogModel,
          dlqMessageModel,
          leaseModel,
          flushScheduleModel,
        ]),
      ],
      providers: [
        PendingChangeRepository,
        SyncLogRepository,
        DlqMessageRepository,
        LeaseRepository,
        FlushScheduleRepository,
        EntityChangeConsumer,
        CommandConsumer,
        SyncSettingsCache,
        RecordSyncOutcomeUseCase,
        StoreDependencyQueries,
        SyncEntityUseCase,
        BufferEntityChangeUseCase,
        HandleEntityChangeUseCase,
        FlushQueueUseCase,
        FlushQueueScheduler,
        SyncRecordUseCase,
        RequestFlushUseCase,
        DeadLetterMessageUseCase,
        RequeueDlqUseCase,
        SyncerMetricsScheduler,
      ],
    };
  }
}
