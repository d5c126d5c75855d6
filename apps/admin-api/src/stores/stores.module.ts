import { Module } from '@nestjs/common';
import { SettingsModule } from '../settings/settings.module';
import { StoresController } from './stores.controller';

@Module({ imports: [SettingsModule], controllers: [StoresController] })
export class StoresModule {}
