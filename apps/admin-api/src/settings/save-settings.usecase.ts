import { Injectable } from '@nestjs/common';
import { SettingsAuditRepository, StoreSettings, StoreSettingsRepository } from '@xero-sync/persistence';
import { changedPaths } from './settings-diff';
import { SettingsReferenceCheck } from './settings-reference.check';

type Editable = Pick<
  StoreSettings,
  'mode' | 'cronIntervalMinutes' | 'waitHorizonMinutes' | 'entitiesEnabled' | 'mapping' | 'xeroTenantId'
>;

function auditView(s: StoreSettings): Record<string, unknown> {
  const { updatedAt: _at, updatedBy: _by, storeId: _id, ...rest } = s;
  return rest;
}

/**
 * Saves a store's settings after checking every account and tax type they name against the bound org's
 * real chart of accounts and tax rates (422 with the field names otherwise), and appends the change with its
 * actor and the before/after values to the audit trail. A save that changes nothing is not audited.
 */
@Injectable()
export class SaveSettingsUseCase {
  constructor(
    private readonly settings: StoreSettingsRepository,
    private readonly audit: SettingsAuditRepository,
    private readonly references: SettingsReferenceCheck,
  ) {}

  async execute(storeId: string, changes: Partial<Editable>, actor: string): Promise<StoreSettings> {
    const before = await this.settings.get(storeId);
    // An optional field the request left out arrives as an own `undefined` property of the DTO: it keeps its value.
    const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    const next: StoreSettings = { ...before, ...given, storeId };
    if (next.xeroTenantId && changes.mapping) {
      await this.references.verify(next.xeroTenantId, next.mapping);
    }
    const changed = changedPaths(auditView(before), auditView(next));
    if (changed.length === 0) return before;
    const saved = await this.settings.save(next, actor);
    await this.audit.append({
      storeId,
      actor,
      at: new Date(),
      changedFields: changed,
      before: auditView(before),
      after: auditView(saved),
    });
    return saved;
  }
}
