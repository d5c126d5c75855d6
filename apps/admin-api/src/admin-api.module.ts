import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@xero-sync/config';
import { KafkaHealthIndicator, MessagingModule } from '@xero-sync/messaging';
import { HealthModule, LoggingModule } from '@xero-sync/observability';
import { MongoHealthIndicator, PersistenceModule } from '@xero-sync/persistence';
import { AuthModule } from './auth/auth.module';
import { BackfillsModule } from './backfills/backfills.module';
import { CommandsModule } from './commands/commands.module';
import { ConnectionsModule } from './connections/connections.module';
import { DailyReportsModule } from './daily-reports/daily-reports.module';
import { DlqModule } from './dlq/dlq.module';
import { DryRunModule } from './dry-run/dry-run.module';
import { QueueModule } from './queue/queue.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { ReplaysModule } from './replays/replays.module';
import { RepositoriesModule } from './repositories/repositories.module';
import { SettingsModule } from './settings/settings.module';
import { StoresModule } from './stores/stores.module';
import { SyncLogsModule } from './sync-logs/sync-logs.module';

/** Admin API: sync log, queue, reports, settings, connections, backfill, and the ops dashboard. */
@Module({})
export class AdminApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AdminApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot({ app: 'admin-api', level: config.LOG_LEVEL }),
        // Reads work without Kafka: a broker away at start-up must not stop admin-api (commands answer 503).
        MessagingModule.forRoot({ clientId: 'xero-sync-admin-api', topicsAtStart: 'best-effort' }),
        PersistenceModule.forRoot(),
        HealthModule.forRoot({ checks: [KafkaHealthIndicator, MongoHealthIndicator] }),
        RepositoriesModule,
        AuthModule,
        CommandsModule,
        SyncLogsModule,
        QueueModule,
        DlqModule,
        BackfillsModule,
        StoresModule,
        DailyReportsModule,
        SettingsModule,
        ConnectionsModule,
        ReconciliationModule,
        DryRunModule,
        ReplaysModule,
      ],
    };
  }
}
