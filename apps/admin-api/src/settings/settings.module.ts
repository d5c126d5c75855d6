import { Module } from '@nestjs/common';
import { SaveSettingsUseCase } from './save-settings.usecase';
import { SettingsReferenceCheck } from './settings-reference.check';
import { SettingsController } from './settings.controller';

@Module({
  controllers: [SettingsController],
  providers: [SaveSettingsUseCase, SettingsReferenceCheck],
  exports: [SaveSettingsUseCase],
})
export class SettingsModule {}
