import { commandLoggingRepository } from '@xero-sync/testing';
import { StoreSetting, StoreSettingSchema } from './store-setting.schema';
import { defaultStoreSettings } from './store-settings.defaults';
import { StoreSettingsRepository } from './store-settings.repository';

/** Several stores' settings in one read on FerretDB (a flush tick's candidates), each as a read of its own says. */
describe('StoreSettingsRepository.getMany on FerretDB', () => {
  const db = commandLoggingRepository(StoreSetting.name, StoreSettingSchema, (m) => new StoreSettingsRepository(m));

  it('answers saved stores with their settings and a store without any with the defaults, in one find', async () => {
    const cron = { ...defaultStoreSettings('shop-cron'), mode: 'cron' as const, cronIntervalMinutes: 15 };
    const bound = { ...defaultStoreSettings('shop-bound'), xeroTenantId: 'tenant-7' };
    await db.repo.save(cron, 'admin@example.test');
    await db.repo.save(bound, 'admin@example.test');
    db.commands.length = 0;

    const many = await db.repo.getMany(['shop-cron', 'shop-bound', 'shop-new', 'shop-cron']);

    expect(db.commands).toEqual(['find']);
    expect([...many.keys()]).toEqual(['shop-cron', 'shop-bound', 'shop-new']);
    expect(many.get('shop-cron')).toEqual(await db.repo.get('shop-cron'));
    expect(many.get('shop-cron')).toMatchObject({ mode: 'cron', cronIntervalMinutes: 15 });
    expect(many.get('shop-bound')).toEqual(await db.repo.get('shop-bound'));
    expect(many.get('shop-bound')?.xeroTenantId).toBe('tenant-7');
    expect(many.get('shop-new')).toEqual(defaultStoreSettings('shop-new'));
  });
});
