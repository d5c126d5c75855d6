import { EntityChangeEvent } from '@xero-sync/contracts';
import {
  defaultStoreSettings,
  NewSyncLogEntry,
  PendingChangeRecord,
  PendingChangeRepository,
  StoreSettings,
  SyncLogRepository,
} from '@xero-sync/persistence';
import { strictFake as strict } from '@xero-sync/testing';
import { DeliveryResult } from '@xero-sync/xero';
import { SyncSettingsCache } from '../delivery/sync-settings.cache';
import { DeliverAndRecordRequest, DeliverAndRecordUseCase } from '../sync/deliver-and-record.usecase';
import { SyncRecordUseCase } from './sync-record.usecase';

const settings: StoreSettings = { ...defaultStoreSettings('store-1'), xeroTenantId: 'tenant-1' };

const fetched: EntityChangeEvent<'product'> = {
  eventId: '0b8f1f7e-2f4e-4b7a-9d8e-0c2a7d8f9e10',
  entity: 'product',
  storeId: 'store-1',
  entityId: 'SKU-1',
  occurredAt: '2026-12-04T10:00:00.000Z',
  origin: 'manual',
  schemaVersion: 1,
  payload: { id: 7, sku: 'SKU-1', name: 'Mug', price: 5, type_id: 'simple', status: 1, custom_attributes: [] },
};

function setUp(held: PendingChangeRecord | null) {
  const delivered: DeliverAndRecordRequest[] = [];
  const logged: NewSyncLogEntry[] = [];
  const synced: DeliveryResult = {
    entity: 'product',
    entityId: 'SKU-1',
    status: 'synced',
    message: 'OK',
    calls: 1,
    durationMs: 3,
  };
  const useCase = new SyncRecordUseCase(
    strict<DeliverAndRecordUseCase>('deliverAndRecord', {
      execute: (req: DeliverAndRecordRequest) => {
        delivered.push(req);
        return Promise.resolve([{ item: req.items[0], result: synced, state: { status: 'synced' } }]);
      },
    }),
    strict<PendingChangeRepository>('queue', { findByKey: () => Promise.resolve(held) }),
    strict<SyncLogRepository>('syncLog', {
      append: (rows: NewSyncLogEntry[]) => {
        logged.push(...rows);
        return Promise.resolve();
      },
    }),
    strict<SyncSettingsCache>('settings', { get: () => Promise.resolve(settings) }),
    { SYNCER_INSTANCE_ID: 'unit' } as never,
  );
  return { useCase, delivered, logged };
}

describe('SyncRecordUseCase (per-record Sync Now)', () => {
  it('delivers a record the pipeline never received from the copy read from the store, and keeps it', async () => {
    const { useCase, delivered, logged } = setUp(null);
    const result = await useCase.execute('store-1', 'product', 'SKU-1', 'corr-1', fetched);
    expect(result?.status).toBe('synced');
    expect(logged).toEqual([]);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      mode: 'manual',
      items: [
        { entity: 'product', entityId: 'SKU-1', eventId: fetched.eventId, correlationId: 'corr-1', priorAttempts: 0 },
      ],
      write: {
        kind: 'latest',
        changes: [{ storeId: 'store-1', entity: 'product', entityId: 'SKU-1', payload: fetched.payload }],
      },
    });
  });

  it('prefers content the pipeline received meanwhile over the copy read from the store', async () => {
    const held = {
      id: 'store-1|product|SKU-1',
      storeId: 'store-1',
      entity: 'product',
      entityId: 'SKU-1',
      status: 'failed',
      attempts: 2,
      eventId: 'held-event',
      payload: { ...fetched.payload, name: 'Held' },
      occurredAt: new Date(),
    } as unknown as PendingChangeRecord;
    const { useCase, delivered } = setUp(held);
    await useCase.execute('store-1', 'product', 'SKU-1', 'corr-1', fetched);
    expect(delivered[0]).toMatchObject({
      items: [{ eventId: 'held-event', priorAttempts: 2 }],
      write: { kind: 'if-unchanged' },
    });
  });

  it('logs a record it has no content for, saying the store must send it; a copy of another record is not used', async () => {
    const { useCase, delivered, logged } = setUp(null);
    expect(await useCase.execute('store-1', 'product', 'SKU-2', 'corr-1', fetched)).toBeNull();
    expect(await useCase.execute('store-1', 'product', 'SKU-2')).toBeNull();
    expect(delivered).toEqual([]);
    expect(logged.map((r) => [r.entityId, r.status, r.mode])).toEqual([
      ['SKU-2', 'error', 'manual'],
      ['SKU-2', 'error', 'manual'],
    ]);
    expect(logged[0].message).toContain('the store must send it');
  });
});
