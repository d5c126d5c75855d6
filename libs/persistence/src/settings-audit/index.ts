import { ModelDefinition } from '@nestjs/mongoose';
import { SettingsAudit, SettingsAuditSchema } from './settings-audit.schema';

export { SettingsAudit, SettingsAuditSchema } from './settings-audit.schema';
export { SettingsAuditRecord, NewSettingsAudit, SettingsAuditRepository } from './settings-audit.repository';
export const settingsAuditModel: ModelDefinition = { name: SettingsAudit.name, schema: SettingsAuditSchema };
