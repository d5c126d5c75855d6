export { SettingsAudit, SettingsAuditSchema } from './settings-audit.schema';
export { SettingsAuditRecord, NewSettingsAudit, SettingsAuditRepository } from './settings-audit.repository';
export { SettingsAuditModule } from './settings-audit.module';
