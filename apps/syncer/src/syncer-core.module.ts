import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import {
  DlqMessageModule,
  FlushScheduleModule,
  StoreModule,
  LeaseModule,
  PendingChangeModule,
  ReplayJobModule,
  RequestStatsModule,
  SyncLogModule,
} from '@xero-sync/persistence';
import { RequestFlushUseCase } from './commands/request-flush.usecase';
import { SyncRecordUseCase } from './commands/sync-record.usecase';
import { CommandConsumer } from './consumers/command.consumer';
import { EntityChangeConsumer } from './consumers/entity-change.consumer';
import { SyncSettingsCache } from './delivery/sync-settings.cache';
import { DeadLetterMessageUseCase } from './dlq/dead-letter-message.usecase';
import { ReplayStoreUseCase } from './replay/replay-store.usecase';
import { SyncerMetricsScheduler } from './metrics/syncer-metrics.scheduler';
import { EventSignatureQueries } from './stores/event-signature.queries';
import { RetentionSweepScheduler } from './retention/retention-sweep.scheduler';
import { SweepRetentionUseCase } from './retention/sweep-retention.usecase';
import { BufferEntityChangeUseCase } from './sync/buffer-entity-change.usecase';
import { DeliverAndRecordUseCase } from './sync/deliver-and-record.usecase';
import { FlushQueueScheduler } from './sync/flush-queue.scheduler';
import { FlushQueueUseCase } from './sync/flush-queue.usecase';
import { HandleEntityChangeUseCase } from './sync/handle-entity-change.usecase';
import { StoreDependencyQueries } from './sync/store-dependency.queries';
import { SyncEntityUseCase } from './sync/sync-entity.usecase';

/**
 * The syncer's own work: consumers, use cases, scheduler and metrics. `xero` must export XeroDeliveryService and
 * StoreSettingsRepository (see XeroBindingsModule). The consumers register with libs/messaging, which creates the
 * topics and joins the groups before this module's bootstrap hooks run, so before the first flush tick.
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
        PendingChangeModule,
        SyncLogModule,
        DlqMessageModule,
        LeaseModule,
        FlushScheduleModule,
        StoreModule,
        ReplayJobModule,
        RequestStatsModule,
      ],
      providers: [
        EntityChangeConsumer,
        CommandConsumer,
        SyncSettingsCache,
        StoreDependencyQueries,
        DeliverAndRecordUseCase,
        SyncEntityUseCase,
        BufferEntityChangeUseCase,
        HandleEntityChangeUseCase,
        FlushQueueUseCase,
        FlushQueueScheduler,
        SyncRecordUseCase,
        RequestFlushUseCase,
        DeadLetterMessageUseCase,
        EventSignatureQueries,
        SyncerMetricsScheduler,
        ReplayStoreUseCase,
        SweepRetentionUseCase,
        RetentionSweepScheduler,
      ],
    };
  }
}
