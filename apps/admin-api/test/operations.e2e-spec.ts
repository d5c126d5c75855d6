import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import { PendingChangeRepository, RequestStatsRepository, SyncLogRepository, utcDay } from '@xero-sync/persistence';
import { AdminApiUnderTest, readCommands, startAdminApi } from './admin-api.harness';
import { call, fieldsOf } from './http-client';

/**
 * Log, queue, per-record Sync Now, DLQ, backfill, stores and the daily report against real FerretDB and Kafka.
 * Rows the syncer and libs/xero would write are arranged through their own repositories.
 */
jest.setTimeout(60_000);

describe('admin-api operations routes (e2e)', () => {
  let api: AdminApiUnderTest;
  let viewer: string;
  let operator: string;
  const storeId = 'shop-1';
  const published: string[] = [];

  const as = (key: string, path: string, options: Parameters<typeof call>[2] = {}) =>
    call(api.url, path, { ...options, key });

  beforeAll(async () => {
    api = await startAdminApi();
    const mk = async (role: string) =>
      (await as(api.adminKey, '/api-keys', { method: 'POST', body: { name: role, role } })).body.key as string;
    viewer = await mk('viewer');
    operator = await mk('operator');

    const log = api.app.get(SyncLogRepository);
    const base = {
      storeId,
      tenantId: 'a1b2c3d4-0000-4000-8000-000000000001',
      durationMs: 30,
      calls: 1,
      mode: 'immediate' as const,
      attempt: 1,
    };
    await log.append([
      {
        ...base,
        entity: 'order',
        entityId: '1001',
        action: 'create',
        status: 'error',
        message: 'Account code 4000 is not a valid code for this document.',
      },
      {
        ...base,
        entity: 'customer',
        entityId: '7',
        action: 'create',
        status: 'success',
        message: 'OK',
        xeroId: 'c-1',
        xeroUrl: 'https://go.xero.com/app/!x/contacts/contact/c-1',
      },
      {
        ...base,
        storeId: 'shop-2',
        entity: 'order',
        entityId: '2001',
        action: 'create',
        status: 'success',
        message: '=cmd|calc',
      },
    ]);
    const queue = api.app.get(PendingChangeRepository);
    await queue.saveLatest(
      {
        storeId,
        entity: 'order',
        entityId: '1001',
        rank: 1,
        eventId: 'e-1',
        occurredAt: new Date(),
        payload: { increment_id: '1001' },
      },
      { status: 'failed', attempts: 3, lastError: 'Account code 4000 is not a valid code for this document.' },
    );
    await queue.saveLatest(
      { storeId, entity: 'invoice', entityId: '55', rank: 2, eventId: 'e-2', occurredAt: new Date(), payload: {} },
      { status: 'waiting', waitingOn: 'order 1001 is not in Xero yet', nextAttemptAt: new Date(Date.now() + 60_000) },
    );
    await api.app.get(RequestStatsRepository).recordCall({
      tenantId: base.tenantId,
      endpoint: 'POST_Invoices',
      status: 200,
      at: new Date(),
      dayRemaining: 4990,
    });
    await api.app.get(RequestStatsRepository).recordCall({
      tenantId: base.tenantId,
      endpoint: 'GET_Accounts',
      status: 429,
      at: new Date(),
      dayRemaining: 4989,
    });
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('stores', () => {
    it('creates a store with a webhook secret shown once, lists and rotates it', async () => {
      const created = await as(api.adminKey, '/stores', {
        method: 'POST',
        body: { storeId, name: 'Shop One', magentoBaseUrl: 'http://127.0.0.1:9/', magentoToken: 'tok-123456' },
      });
      expect(created.status).toBe(201);
      expect(created.body.webhookSecret).toEqual(expect.any(String));
      expect(created.body.store).toMatchObject({ storeId, hasMagentoToken: true });
      const shown = await as(viewer, `/stores/${storeId}`);
      expect(shown.text).not.toContain(created.body.webhookSecret);
      expect(shown.text).not.toContain('tok-123456');
      const before = Date.now();
      const rotated = await as(api.adminKey, `/stores/${storeId}/rotate-secret`, { method: 'POST' });
      expect(rotated.body.webhookSecret).not.toBe(created.body.webhookSecret);
      // The replaced secret stays accepted for an hour by default; the store shows until when, never the secret.
      const until = Date.parse(rotated.body.previousSecretUntil);
      expect(until).toBeGreaterThanOrEqual(before + 60 * 60_000);
      expect(until).toBeLessThanOrEqual(Date.now() + 60 * 60_000);
      const afterRotation = await as(viewer, `/stores/${storeId}`);
      expect(Date.parse(afterRotation.body.previousSecretUntil)).toBe(until);
      expect(afterRotation.text).not.toContain(rotated.body.webhookSecret);
      const revoked = await as(api.adminKey, `/stores/${storeId}/rotate-secret`, {
        method: 'POST',
        body: { keepPreviousMinutes: 0 },
      });
      expect(Date.parse(revoked.body.previousSecretUntil)).toBeLessThanOrEqual(Date.now());
      expect((await as(api.adminKey, '/stores', { method: 'POST', body: { storeId, name: 'again' } })).status).toBe(
        409,
      );
      const list = await as(viewer, '/stores');
      expect(list.body).toMatchObject({ total: 1, page: 1, pageSize: 50 });
    });

    it('checks roles and input', async () => {
      expect((await call(api.url, '/stores')).status).toBe(401);
      expect((await as(operator, '/stores', { method: 'POST', body: { storeId: 'x', name: 'x' } })).status).toBe(403);
      const bad = await as(api.adminKey, '/stores', {
        method: 'POST',
        body: { storeId: 'bad id!', name: '', magentoBaseUrl: 'ftp://x' },
      });
      expect(bad.status).toBe(400);
      expect(fieldsOf(bad)).toEqual(expect.arrayContaining(['storeId', 'name', 'magentoBaseUrl']));
      const half = await as(api.adminKey, '/stores', {
        method: 'POST',
        body: { storeId: 'half', name: 'Half', magentoBaseUrl: 'https://m.example' },
      });
      expect(half.status).toBe(422);
      expect(fieldsOf(half)).toEqual(['magentoToken']);
      for (const keepPreviousMinutes of [-1, 1.5, 7 * 24 * 60 + 1, 'soon']) {
        const rotation = await as(api.adminKey, `/stores/${storeId}/rotate-secret`, {
          method: 'POST',
          body: { keepPreviousMinutes },
        });
        expect(rotation.status).toBe(400);
        expect(new Set(fieldsOf(rotation))).toEqual(new Set(['keepPreviousMinutes']));
      }
      const inj = await as(api.adminKey, '/stores', { method: 'POST', body: { storeId: { $gt: '' }, name: 'n' } });
      expect(inj.status).toBe(400);
      expect((await as(viewer, '/stores/no-such-store')).status).toBe(404);
      expect(
        (await as(api.adminKey, `/stores/${storeId}/xero-tenant`, { method: 'PUT', body: { tenantId: 'abcdef12' } }))
          .status,
      ).toBe(422);
    });
  });

  describe('sync log', () => {
    it('filters by store, status, entity and text, newest first', async () => {
      const errors = await as(viewer, `/sync-logs?storeId=${storeId}&status=error`);
      expect(errors.status).toBe(200);
      expect(errors.body).toMatchObject({ total: 1, page: 1, pageSize: 50 });
      expect(errors.body.items[0]).toMatchObject({
        entity: 'order',
        entityId: '1001',
        message: expect.stringContaining('Account code 4000'),
      });
      const text = await as(viewer, '/sync-logs?q=contact');
      expect(text.body.items).toHaveLength(0);
      const byEntity = await as(viewer, `/sync-logs?entity=customer&sort=-createdAt&pageSize=1`);
      expect(byEntity.body.items[0].xeroUrl).toMatch(/^https:\/\/go\.xero\.com\//);
      const all = await as(viewer, '/sync-logs?sort=storeId');
      expect(all.body.items.map((r: any) => r.storeId)).toEqual(['shop-1', 'shop-1', 'shop-2']);
    });

    it('exports CSV with formulas defused', async () => {
      const csv = await as(viewer, '/sync-logs/export.csv?storeId=shop-2');
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
      const lines = csv.text.trim().split('\r\n');
      expect(lines[0]).toMatch(/^createdAt,storeId,tenantId,entity,entityId/);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain("'=cmd|calc");
    });

    it('rejects bad filters with field names, and operator injection', async () => {
      const bad = await as(viewer, '/sync-logs?status=oops&entity=invoice2&from=yesterday&pageSize=201&sort=password');
      expect(bad.status).toBe(400);
      expect(fieldsOf(bad)).toEqual(expect.arrayContaining(['status', 'entity', 'from', 'pageSize', 'sort']));
      expect((await as(viewer, '/sync-logs?status[$ne]=x')).status).toBe(400);
      expect((await as(viewer, '/sync-logs?storeId[$regex]=.*')).status).toBe(400);
      expect((await as(viewer, '/sync-logs?unknown=1')).status).toBe(400);
      expect((await call(api.url, '/sync-logs')).status).toBe(401);
    });
  });

  describe('queue and Sync Now', () => {
    it('lists items with reason and next attempt, and counts by status', async () => {
      const list = await as(viewer, `/queue?storeId=${storeId}`);
      expect(list.body.total).toBe(2);
      const failed = list.body.items.find((i: any) => i.status === 'failed');
      expect(failed).toMatchObject({
        entity: 'order',
        entityId: '1001',
        attempts: 3,
        reason: expect.stringContaining('Account code'),
      });
      const waiting = list.body.items.find((i: any) => i.status === 'waiting');
      expect(waiting.reason).toBe('order 1001 is not in Xero yet');
      expect(Date.parse(waiting.nextAttemptAt)).toBeGreaterThan(Date.now());
      expect(list.text).not.toContain('payload');
      const summary = await as(viewer, `/queue/summary?storeId=${storeId}`);
      expect(summary.body).toMatchObject({ failed: 1, waiting: 1 });
      expect((await as(viewer, '/queue')).status).toBe(400);
      expect(fieldsOf(await as(viewer, `/queue?storeId=${storeId}&status=done`))).toEqual(['status']);
    });

    it('publishes queue.flush, queue.retry-failed and sync.record commands; viewers may not', async () => {
      expect((await as(viewer, `/queue/${storeId}/sync-now`, { method: 'POST' })).status).toBe(403);
      expect((await call(api.url, `/queue/${storeId}/sync-now`, { method: 'POST' })).status).toBe(401);
      const flush = await as(operator, `/queue/${storeId}/sync-now`, { method: 'POST' });
      expect(flush.status).toBe(202);
      expect(flush.body).toMatchObject({ accepted: true, type: 'queue.flush', storeId });
      published.push(flush.body.commandId);
      const retry = await as(operator, `/queue/${storeId}/retry-failed`, { method: 'POST' });
      published.push(retry.body.commandId);
      const item = await as(operator, `/queue/${storeId}/items/order/1001/sync-now`, { method: 'POST' });
      expect(item.body.type).toBe('sync.record');
      published.push(item.body.commandId);
      expect(item.body).toMatchObject({ source: 'pipeline', message: 'Sync Now sent for order 1001' });
      const record = await as(api.adminKey, `/stores/${storeId}/records/invoice/55/sync-now`, { method: 'POST' });
      expect(record.status).toBe(202);
      published.push(record.body.commandId);
      expect((await as(operator, `/stores/${storeId}/records/payment/1/sync-now`, { method: 'POST' })).status).toBe(
        400,
      );
      expect((await as(operator, '/queue/no-such-store/sync-now', { method: 'POST' })).status).toBe(404);
    });

    it('reads a record the pipeline never received from a pull-connected store; a webhook-only store must send it', async () => {
      const product = { id: 7, sku: 'SKU A-1', name: 'Blue mug', price: 12.5, type_id: 'simple' };
      const seen: string[] = [];
      const magento = createServer((req, res) => {
        seen.push(`${req.headers.authorization} ${req.url}`);
        const found = req.url === '/rest/V1/products/SKU%20A-1';
        res.writeHead(found ? 200 : 404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(found ? product : { message: "The product that was requested doesn't exist." }));
      });
      await new Promise<void>((resolve) => magento.listen(0, '127.0.0.1', resolve));
      const path = `/stores/${storeId}/records/product/SKU%20A-1/sync-now`;
      try {
        // The store's Magento (127.0.0.1:9) does not answer: said so, nothing sent.
        const down = await as(operator, path, { method: 'POST' });
        expect(down.status).toBe(502);
        expect(fieldsOf(down)).toEqual(['magento']);
        const url = `http://127.0.0.1:${(magento.address() as AddressInfo).port}`;
        const put = await as(api.adminKey, `/stores/${storeId}/magento`, {
          method: 'PUT',
          body: { magentoBaseUrl: url, magentoToken: 'tok-654321' },
        });
        expect(put.status).toBeLessThan(300);
        const fetched = await as(operator, path, { method: 'POST' });
        expect(fetched.status).toBe(202);
        expect(fetched.body).toMatchObject({ type: 'sync.record', source: 'store' });
        published.push(fetched.body.commandId);
        const missing = await as(operator, `/queue/${storeId}/items/customer/404/sync-now`, { method: 'POST' });
        expect(missing.status).toBe(404);
        expect(missing.body.message).toContain('the store has no customer 404');
        expect(seen).toEqual([
          'Bearer tok-654321 /rest/V1/products/SKU%20A-1',
          'Bearer tok-654321 /rest/V1/customers/404',
        ]);
      } finally {
        await new Promise((resolve) => magento.close(resolve));
      }
      expect(
        (await as(api.adminKey, '/stores', { method: 'POST', body: { storeId: 'hooks', name: 'Hooks' } })).status,
      ).toBe(201);
      const hooks = await as(operator, '/stores/hooks/records/order/77/sync-now', { method: 'POST' });
      expect(hooks.status).toBe(422);
      expect(hooks.body.message).toContain('webhook-only');
      expect(hooks.body.message).toContain('the store must send it');
    });

    it('removes one open queue item (operators only), refuses synced or unknown ones', async () => {
      const queue = api.app.get(PendingChangeRepository);
      await queue.saveLatest(
        { storeId, entity: 'order', entityId: '3003', rank: 1, eventId: 'e-rm', occurredAt: new Date(), payload: {} },
        { status: 'pending' },
      );
      await queue.saveLatest(
        { storeId, entity: 'order', entityId: '3004', rank: 1, eventId: 'e-done', occurredAt: new Date(), payload: {} },
        { status: 'synced', syncedAt: new Date() },
      );
      const path = `/queue/${storeId}/items/order/3003`;
      expect((await as(viewer, path, { method: 'DELETE' })).status).toBe(403);
      expect((await call(api.url, path, { method: 'DELETE' })).status).toBe(401);
      expect((await as(operator, path, { method: 'DELETE' })).status).toBe(204);
      expect(await queue.findByKey(storeId, 'order', '3003')).toBeNull();
      expect((await as(operator, path, { method: 'DELETE' })).status).toBe(404);
      expect((await as(operator, `/queue/${storeId}/items/order/3004`, { method: 'DELETE' })).status).toBe(409);
      expect((await queue.findByKey(storeId, 'order', '3004'))?.status).toBe('synced');
      expect((await as(operator, `/queue/${storeId}/items/payment/1`, { method: 'DELETE' })).status).toBe(400);
    });

    it('shows one record’s queue state and history', async () => {
      const rec = await as(viewer, `/stores/${storeId}/records/order/1001`);
      expect(rec.body.queue).toMatchObject({ status: 'failed', attempts: 3 });
      expect(rec.body.history).toHaveLength(1);
    });
  });

  describe('dead letters', () => {
    let dlqId: string;
    beforeAll(async () => {
      // Arranged as the syncer's DLQ writer stores a poison message (raw insert: this suite tests the reads).
      const conn = await mongoose.createConnection(api.config.MONGODB_URI).asPromise();
      try {
        const now = new Date();
        const res = await conn.collection('dlq_messages').insertOne({
          sourceTopic: 'store.order.changed.v1',
          partition: 0,
          offset: '42',
          key: storeId,
          storeId,
          valueBase64: Buffer.from('{"bad":').toString('base64'),
          preview: '{"bad":',
          headers: [],
          reason: 'not JSON',
          fieldErrors: [],
          status: 'new',
          requeueCount: 0,
          createdAt: now,
          updatedAt: now,
        });
        dlqId = res.insertedId.toString();
      } finally {
        await conn.close();
      }
    });

    it('lists and requeues dead letters of a store', async () => {
      const list = await as(viewer, `/dlq?storeId=${storeId}`);
      expect(list.body).toMatchObject({ total: 1, page: 1 });
      expect(list.body.items[0]).toMatchObject({ id: dlqId, reason: 'not JSON' });
      expect((await as(viewer, '/dlq/requeue', { method: 'POST', body: { storeId, ids: [dlqId] } })).status).toBe(403);
      const requeue = await as(operator, '/dlq/requeue', { method: 'POST', body: { storeId, ids: [dlqId] } });
      expect(requeue.status).toBe(202);
      published.push(requeue.body.commandId);
      const other = await as(operator, '/dlq/requeue', { method: 'POST', body: { storeId: 'shop-2', ids: [dlqId] } });
      expect(other.status).toBe(422);
      const bad = await as(operator, '/dlq/requeue', { method: 'POST', body: { storeId, ids: [{ $gt: '' }] } });
      expect(bad.status).toBe(400);
      expect(fieldsOf(await as(operator, '/dlq/requeue', { method: 'POST', body: { storeId, ids: [] } }))).toEqual([
        'ids',
      ]);
    });
  });

  describe('backfill', () => {
    it('starts a job for chosen entities, shows progress and cancels it', async () => {
      expect((await as(viewer, '/backfills', { method: 'POST', body: { storeId } })).status).toBe(403);
      const started = await as(operator, '/backfills', {
        method: 'POST',
        body: { storeId, entities: ['customer', 'order'] },
      });
      expect(started.status).toBe(202);
      expect(started.body).toMatchObject({ storeId, status: 'queued', entities: ['customer', 'order'], percent: null });
      const list = await as(viewer, `/backfills?storeId=${storeId}`);
      expect(list.body.items.map((j: any) => j.jobId)).toContain(started.body.jobId);
      const cancelled = await as(operator, `/backfills/${started.body.jobId}/cancel`, { method: 'POST' });
      expect(cancelled.status).toBe(202);
      expect(cancelled.body.cancelRequested).toBe(true);
      expect((await as(viewer, `/backfills/${started.body.jobId}`)).body.status).toBe('cancelled');
      const all = await as(operator, '/backfills', { method: 'POST', body: { storeId } });
      expect(all.body.entities).toEqual(['customer', 'product', 'order', 'invoice', 'creditmemo']);
      published.push(started.body.jobId, cancelled.body.jobId, all.body.jobId);
    });

    it('refuses unknown entities, unknown stores and stores without Magento credentials', async () => {
      const bad = await as(operator, '/backfills', { method: 'POST', body: { storeId, entities: ['orders'] } });
      expect(fieldsOf(bad)).toEqual(['entities']);
      expect((await as(operator, '/backfills', { method: 'POST', body: { storeId: 'nope' } })).status).toBe(404);
      await as(api.adminKey, '/stores', { method: 'POST', body: { storeId: 'no-magento', name: 'Webhooks only' } });
      const none = await as(operator, '/backfills', { method: 'POST', body: { storeId: 'no-magento' } });
      expect(none.status).toBe(422);
      expect(fieldsOf(none)).toEqual(['storeId']);
      expect((await as(viewer, '/backfills/does-not-exist')).status).toBe(404);
    });
  });

  describe('waiting rows and replay', () => {
    it('shows dependency waits as status waiting with their next attempt; filters every status and mode', async () => {
      const next = new Date(Date.now() + 60_000);
      await api.app.get(SyncLogRepository).append([
        {
          storeId: 'shop-3',
          entity: 'invoice',
          entityId: '31',
          action: 'none',
          status: 'waiting',
          message: 'order 000000031 is not in Xero yet',
          errorCode: 'DEPENDENCY_FAILED',
          nextAttemptAt: next,
          durationMs: 0,
          calls: 0,
          mode: 'cron',
          attempt: 1,
        },
        {
          storeId: 'shop-3',
          entity: 'order',
          entityId: '-',
          action: 'reject',
          status: 'error',
          message: 'payload.entity_id: required',
          durationMs: 0,
          calls: 0,
          mode: 'intake',
          attempt: 1,
        },
      ]);
      const waiting = await as(viewer, '/sync-logs?storeId=shop-3&status=waiting');
      expect(waiting.body.items).toEqual([
        expect.objectContaining({ entityId: '31', status: 'waiting', nextAttemptAt: next.toISOString() }),
      ]);
      const intake = await as(viewer, '/sync-logs?storeId=shop-3&mode=intake');
      expect(intake.body.items.map((r: any) => r.action)).toEqual(['reject']);
      for (const mode of ['immediate', 'cron', 'manual', 'intake', 'replay'])
        expect((await as(viewer, `/sync-logs?mode=${mode}`)).status).toBe(200);
      expect((await as(viewer, '/sync-logs?mode=other')).status).toBe(400);
    });

    it('starts a replay of a store (operators), lists it with its summary and refuses bad input', async () => {
      const path = `/stores/${storeId}/replays`;
      const from = new Date(Date.now() - 3_600_000).toISOString();
      expect((await as(viewer, path, { method: 'POST', body: { from } })).status).toBe(403);
      const started = await as(operator, path, { method: 'POST', body: { from, entities: ['order', 'invoice'] } });
      expect(started.status).toBe(202);
      expect(started.body).toMatchObject({
        storeId,
        entities: ['order', 'invoice'],
        status: 'requested',
        counts: { read: 0, synced: 0, unchanged: 0, failed: 0, waiting: 0, skipped: 0 },
      });
      const list = await as(viewer, path);
      expect(list.body.items.map((r: any) => r.replayId)).toEqual([started.body.replayId]);
      expect((await as(viewer, `${path}/${started.body.replayId}`)).body.status).toBe('requested');
      expect((await as(viewer, `/stores/nope/replays/${started.body.replayId}`)).status).toBe(404);
      const bad = await as(operator, path, { method: 'POST', body: { from: 'yesterday', entities: ['orders'] } });
      expect(bad.status).toBe(400);
      expect(fieldsOf(bad)).toEqual(expect.arrayContaining(['from', 'entities']));
      const future = await as(operator, path, {
        method: 'POST',
        body: { from: new Date(Date.now() + 60_000).toISOString() },
      });
      expect(future.status).toBe(422);
      expect((await as(operator, '/stores/nope/replays', { method: 'POST', body: { from } })).status).toBe(404);
    });
  });

  describe('daily report', () => {
    it('reports calls by endpoint, 429s, errors, remaining quota and a forecast for today', async () => {
      const report = await as(viewer, '/daily-reports');
      expect(report.status).toBe(200);
      const today = report.body.items.find((r: any) => r.day === utcDay(new Date()));
      expect(today).toMatchObject({
        calls: 2,
        http429: 1,
        byEndpoint: { POST_Invoices: 1, GET_Accounts: 1 },
        dayRemaining: 4989,
      });
      expect(today.forecast).toMatchObject({ dailyLimit: 4991, remaining: 4989 });
      const bad = await as(viewer, '/daily-reports?from=2026-13-01&to=yesterday');
      expect(fieldsOf(bad)).toEqual(expect.arrayContaining(['from', 'to']));
      expect((await as(viewer, '/daily-reports?from=2026-02-01&to=2026-01-01')).status).toBe(422);
    });
  });

  it('published every command on the commands topic, keyed by store id', async () => {
    const commands = await readCommands(api.config, 10);
    expect(commands.map((c) => c.type).sort()).toEqual(
      [
        'backfill.cancel',
        'backfill.start',
        'backfill.start',
        'dlq.requeue',
        'queue.flush',
        'queue.retry-failed',
        'replay.start',
        'sync.record',
        'sync.record',
        'sync.record',
      ].sort(),
    );
    for (const c of commands) {
      expect(c.key).toBe(storeId);
      expect(c.requestedBy).toEqual(expect.any(String));
    }
    expect(commands.find((c) => c.type === 'sync.record' && c.entity === 'product')).toMatchObject({
      entityId: 'SKU A-1',
      event: {
        entity: 'product',
        storeId,
        entityId: 'SKU A-1',
        origin: 'manual',
        schemaVersion: 1,
        payload: { sku: 'SKU A-1', name: 'Blue mug', price: 12.5 },
      },
    });
    expect(commands.filter((c) => c.type === 'sync.record' && c.entity !== 'product').map((c) => c.event)).toEqual([
      undefined,
      undefined,
    ]);
    expect(commands.find((c) => c.type === 'dlq.requeue').dlqIds).toHaveLength(1);
    expect(commands.find((c) => c.type === 'replay.start')).toMatchObject({ entities: ['order', 'invoice'] });
  });
});
