import { Module } from '@nestjs/common';
import { SettingsModule } from '../settings/settings.module';
import { ConnectionsController } from './connections.controller';

@Module({ imports: [SettingsModule], controllers: [ConnectionsController] })
export class ConnectionsModule {}
