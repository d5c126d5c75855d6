import { Connection } from 'mongoose';
import { commandLoggingModel } from '@xero-sync/testing';
import { StoreSetting, StoreSettingSchema } from './store-setting.schema';
import { defaultStoreSettings } from './store-settings.defaults';
import { StoreSettingsRepository } from './store-settings.repository';

/** Several stores' settings in one read on FerretDB (a flush tick's candidates), each as a read of its own says. */
describe('StoreSettingsRepository.getMany on FerretDB', () => {
  let conn: Connection;
  let repo: StoreSettingsRepository;
  let commands: string[];

  beforeAll(async () => {
    const made = await commandLoggingModel(StoreSetting.name, StoreSettingSchema);
    ({ conn, commands } = made);
    repo = new StoreSettingsRepository(made.model);
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('answers saved stores with their settings and a store without any with the defaults, in one find', async () => {
    const cron = { ...defaultStoreSettings('shop-cron'), mode: 'cron' as const, cronIntervalMinutes: 15 };
    const bound = { ...defaultStoreSettings('shop-bound'), xeroTenantId: 'tenant-7' };
    await repo.save(cron, 'admin@example.test');
    await repo.save(bound, 'admin@example.test');
    commands.length = 0;

    const many = await repo.getMany(['shop-cron', 'shop-bound', 'shop-new', 'shop-cron']);

    expect(commands).toEqual(['find']);
    expect([...many.keys()]).toEqual(['shop-cron', 'shop-bound', 'shop-new']);
    expect(many.get('shop-cron')).toEqual(await repo.get('shop-cron'));
    expect(many.get('shop-cron')).toMatchObject({ mode: 'cron', cronIntervalMinutes: 15 });
    expect(many.get('shop-bound')).toEqual(await repo.get('shop-bound'));
    expect(many.get('shop-bound')?.xeroTenantId).toBe('tenant-7');
    expect(many.get('shop-new')).toEqual(defaultStoreSettings('shop-new'));
  });
});
