import { Test } from '@nestjs/testing';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { XeroConnectionService } from '@xero-sync/xero';
import { TokenKeepAliveScheduler } from './token-keep-alive.scheduler';

describe('TokenKeepAliveScheduler', () => {
  async function boot(keepAlive: () => Promise<number>) {
    const moduleRef = await Test.createTestingModule({
      imports: [ScheduleModule.forRoot()],
      providers: [TokenKeepAliveScheduler, { provide: XeroConnectionService, useValue: { keepAlive } }],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  }

  it('registers an hourly keep-alive and removes it at shutdown', async () => {
    const app = await boot(async () => 0);
    const registry = app.get(SchedulerRegistry);
    expect(registry.doesExist('interval', 'xero-token-keep-alive')).toBe(true);
    await app.close();
    expect(registry.doesExist('interval', 'xero-token-keep-alive')).toBe(false);
  });

  it('asks libs/xero to refresh idle connections, and survives a failure (next hour tries again)', async () => {
    const calls: string[] = [];
    let fail = true;
    const app = await boot(async () => {
      calls.push(fail ? 'failed' : 'ok');
      if (fail) throw new Error('database away');
      return 2;
    });
    const scheduler = app.get(TokenKeepAliveScheduler);
    await expect(scheduler.run()).resolves.toBeUndefined();
    fail = false;
    await scheduler.run();
    expect(calls).toEqual(['failed', 'ok']);
    await app.close();
  });
});
