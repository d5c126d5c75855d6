import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { SettingsAuditRepository } from './settings-audit.repository';
import { SettingsAudit, SettingsAuditSchema } from './settings-audit.schema';

/** The `settings_audit` collection: registers its schema and provides SettingsAuditRepository. Needs PersistenceModule.forRoot in the app. */
@Module({
  imports: [MongooseModule.forFeature([{ name: SettingsAudit.name, schema: SettingsAuditSchema }])],
  providers: [SettingsAuditRepository],
  exports: [SettingsAuditRepository],
})
export class SettingsAuditModule {}
