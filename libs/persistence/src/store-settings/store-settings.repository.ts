import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { upsertRacing } from '../upsert-racing';
import { StoreSetting } from './store-setting.schema';
import {
  defaultMappingSettings,
  defaultStoreSettings,
  StoreSettings,
  XeroMappingSettings,
} from './store-settings.defaults';

type Lean = StoreSetting & { updatedAt?: Date };

const DEFAULT_TIME_ZONE = defaultMappingSettings().timeZone;

function withDefaults(doc: Lean): StoreSettings {
  const d = defaultStoreSettings(doc.storeId);
  const saved = (doc.mapping ?? {}) as Partial<XeroMappingSettings>;
  const base = defaultMappingSettings();
  return {
    storeId: doc.storeId,
    xeroTenantId: doc.xeroTenantId ?? undefined,
    mode: (doc.mode as StoreSettings['mode']) ?? d.mode,
    cronIntervalMinutes: doc.cronIntervalMinutes ?? d.cronIntervalMinutes,
    waitHorizonMinutes: doc.waitHorizonMinutes ?? d.waitHorizonMinutes,
    entitiesEnabled: (doc.entitiesEnabled as StoreSettings['entitiesEnabled']) ?? d.entitiesEnabled,
    mapping: {
      ...base,
      ...saved,
      accounts: { ...base.accounts, ...(saved.accounts ?? {}) },
      prefixes: { ...base.prefixes, ...(saved.prefixes ?? {}) },
      statusRules: { ...base.statusRules, ...(saved.statusRules ?? {}) },
      paymentAccounts: { ...base.paymentAccounts, ...(saved.paymentAccounts ?? {}) },
      tenderAccounts: { ...base.tenderAccounts, ...(saved.tenderAccounts ?? {}) },
      taxClasses: { ...base.taxClasses, ...(saved.taxClasses ?? {}) },
      // A rate saved without a code may come back with `code: null`: keep the shape it was given.
      taxRates: (saved.taxRates ?? base.taxRates).map(({ code, percent, taxType }) =>
        code ? { code, percent, taxType } : { percent, taxType },
      ),
    },
    updatedBy: doc.updatedBy,
    updatedAt: doc.updatedAt,
  };
}

/** Per-store settings: `get` always answers (defaults when nothing is saved). Validate before `save`. */
@Injectable()
export class StoreSettingsRepository {
  constructor(@InjectModel(StoreSetting.name) private readonly model: Model<StoreSetting>) {}

  async get(storeId: string): Promise<StoreSettings> {
    const doc = await this.model.findOne({ storeId }).lean<Lean>().exec();
    return doc ? withDefaults(doc) : defaultStoreSettings(storeId);
  }

  /** Several stores' settings in one read, each as `get` answers it. */
  async getMany(storeIds: string[]): Promise<Map<string, StoreSettings>> {
    const ids = [...new Set(storeIds)];
    const docs =
      ids.length > 0
        ? await this.model
            .find({ storeId: { $in: ids } })
            .lean<Lean[]>()
            .exec()
        : [];
    const saved = new Map(docs.map((d) => [d.storeId, withDefaults(d)]));
    return new Map(ids.map((id) => [id, saved.get(id) ?? defaultStoreSettings(id)]));
  }

  /** Whether the store has saved settings (as opposed to defaults). */
  async exists(storeId: string): Promise<boolean> {
    return (await this.model.countDocuments({ storeId }).exec()) > 0;
  }

  /** Replaces the store's settings; `actor` is recorded as who changed them. */
  async save(settings: StoreSettings, actor: string): Promise<StoreSettings> {
    const doc = {
      storeId: settings.storeId,
      xeroTenantId: settings.xeroTenantId,
      mode: settings.mode,
      cronIntervalMinutes: settings.cronIntervalMinutes,
      waitHorizonMinutes: settings.waitHorizonMinutes,
      entitiesEnabled: settings.entitiesEnabled,
      mapping: settings.mapping as unknown as Record<string, unknown>,
      updatedBy: actor,
    };
    await upsertRacing(() => this.model.replaceOne({ storeId: settings.storeId }, doc, { upsert: true }).exec());
    return this.get(settings.storeId);
  }

  /**
   * Sets the store's time zone (e.g. from Magento's store configuration) unless its settings already name another
   * than the default UTC (an admin's choice wins; UTC is what every store has until then); a store without saved
   * settings gets the defaults with this time zone. True when the time zone was set.
   */
  async fillTimeZone(storeId: string, timeZone: string, actor: string): Promise<boolean> {
    const unset = (tz: unknown) => tz === undefined || tz === null || tz === DEFAULT_TIME_ZONE;
    const doc = await this.model.findOne({ storeId }).lean<Lean>().exec();
    if (doc && !unset(doc.mapping?.timeZone)) return false;
    if (timeZone === (doc?.mapping?.timeZone ?? DEFAULT_TIME_ZONE)) return false;
    if (!doc) {
      const d = defaultStoreSettings(storeId);
      await this.save({ ...d, mapping: { ...d.mapping, timeZone } }, actor);
      return true;
    }
    const res = await this.model
      .updateOne(
        { storeId, $or: [{ 'mapping.timeZone': { $exists: false } }, { 'mapping.timeZone': DEFAULT_TIME_ZONE }] },
        { $set: { 'mapping.timeZone': timeZone, updatedBy: actor } },
      )
      .exec();
    return res.modifiedCount > 0;
  }

  /** Binds (or with undefined, unbinds) a store to a Xero org, keeping its other settings. */
  async bindTenant(storeId: string, tenantId: string | undefined, actor: string): Promise<StoreSettings> {
    const current = await this.get(storeId);
    return this.save({ ...current, xeroTenantId: tenantId }, actor);
  }

  async listBoundToTenant(tenantId: string): Promise<StoreSettings[]> {
    const docs = await this.model.find({ xeroTenantId: tenantId }).sort({ storeId: 1 }).lean<Lean[]>().exec();
    return docs.map(withDefaults);
  }

  async list(): Promise<StoreSettings[]> {
    const docs = await this.model.find({}).sort({ storeId: 1 }).lean<Lean[]>().exec();
    return docs.map(withDefaults);
  }
}
