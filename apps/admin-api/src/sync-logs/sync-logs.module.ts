import { Module } from '@nestjs/common';
import { SyncLogQueries } from './sync-log.queries';
import { SyncLogsController } from './sync-logs.controller';

@Module({ controllers: [SyncLogsController], providers: [SyncLogQueries] })
export class SyncLogsModule {}
