import {
  defaultStoreSettings,
  FlushScheduleRepository,
  NewSyncLogEntry,
  PendingChangeRecord,
  PendingChangeRepository,
  PendingChangeState,
  StoreSettings,
  SyncLogRepository,
} from '@xero-sync/persistence';
import { DeliveryItem, DeliveryOptions, DeliveryResult, XeroDeliveryService } from '@xero-sync/xero';
import { AttemptItem, DeliverAndRecordRequest, DeliverAndRecordUseCase } from './deliver-and-record.usecase';
import { StoreDependencyQueries } from './store-dependency.queries';
import { strictFake as strict } from '@xero-sync/testing';

const config = {
  SYNCER_INSTANCE_ID: 'unit',
  SYNCER_RETRY_BASE_MS: 1000,
  SYNCER_RETRY_MAX_MS: 60000,
  SYNCER_MAX_ATTEMPTS: 5,
  SYNCER_DELIVERY_TIMEOUT_MS: 30000,
} as never;

const settings: StoreSettings = { ...defaultStoreSettings('store-1'), xeroTenantId: 'tenant-1', mode: 'cron' };

const item = (entity: AttemptItem['entity'], entityId: string, over: Partial<AttemptItem> = {}): AttemptItem => ({
  entity,
  entityId,
  payload: { order_id: 3, order_increment_id: '000000003', grand_total: 10 } as never,
  eventId: `ev-${entity}-${entityId}`,
  correlationId: `corr-${entityId}`,
  priorAttempts: 0,
  ...over,
});

const result = (
  i: { entity: DeliveryResult['entity']; entityId: string },
  over: Partial<DeliveryResult>,
): DeliveryResult => ({
  entity: i.entity,
  entityId: i.entityId,
  status: 'synced',
  message: 'OK',
  calls: 1,
  durationMs: 5,
  ...over,
});

/**
 * The use case over fakes that fail on any call not listed: `deliver` answers with `answer`, the queue holds
 * `held` (by "entity:id") for the prerequisite check and records every write.
 */
function setup(opts: {
  answer?: (items: DeliveryItem[]) => Promise<DeliveryResult[]>;
  held?: Record<string, Partial<PendingChangeRecord>>;
  /** How many waiters a wake-up finds. */
  woken?: number;
}) {
  const notes: { waiter: string; awaited: string }[] = [];
  const wakes: string[][] = [];
  const flushes: string[] = [];
  const delivered: { settings: StoreSettings; items: DeliveryItem[]; opts: DeliveryOptions }[] = [];
  const logged: NewSyncLogEntry[][] = [];
  const writes: {
    op: string;
    id?: string;
    token?: string;
    eventId?: string;
    state: PendingChangeState;
    from?: string;
  }[] = [];
  const delivery = strict<Pick<XeroDeliveryService, 'deliver'>>(
    'delivery',
    opts.answer
      ? {
          deliver: async (s, items, o) => {
            delivered.push({ settings: s, items, opts: o });
            return opts.answer!(items);
          },
        }
      : {},
  );
  const queue = strict<PendingChangeRepository>('queue', {
    findByKeys: async (_s: string, keys: { entity: string; entityId: string }[]) =>
      keys.flatMap(({ entity, entityId }) => {
        const held = opts.held?.[`${entity}:${entityId}`];
        return held ? [{ ...held, entity, entityId } as PendingChangeRecord] : [];
      }),
    saveLatestEach: async (entries) =>
      entries.map(({ change, state }) => {
        writes.push({ op: 'saveLatest', eventId: change.eventId, state });
        return 'saved' as const;
      }),
    recordAttemptIfUnchanged: async (id, eventId, state, from) => {
      writes.push({ op: 'ifUnchanged', id, eventId, state, from });
      return true;
    },
    completeClaimed: async (token, outcomes) => {
      for (const o of outcomes) writes.push({ op: 'claimed', token, id: o.id, state: o.state });
      return outcomes.length;
    },
    noteWaiters: async (_s, waits) => {
      for (const w of waits) notes.push({ waiter: w.waiterId, awaited: w.awaitedId });
    },
    wakeWaitersOf: async (ids) => {
      wakes.push(ids);
      return opts.woken ?? 0;
    },
  });
  const schedules = strict<FlushScheduleRepository>('schedules', {
    requestFlush: async (storeId) => void flushes.push(storeId),
  });
  const syncLog = strict<SyncLogRepository>('syncLog', { append: async (rows) => void logged.push(rows) });
  const useCase = new DeliverAndRecordUseCase(
    delivery as XeroDeliveryService,
    queue,
    syncLog,
    new StoreDependencyQueries(queue),
    schedules,
    config,
  );
  type Req = Partial<DeliverAndRecordRequest> & Pick<DeliverAndRecordRequest, 'items'>;
  const full = (req: Req): DeliverAndRecordRequest => ({
    settings,
    mode: 'cron',
    write: { kind: 'claimed', claimToken: 'tok', items: [] },
    ...req,
  });
  const run = (req: Req) => useCase.execute(full(req));
  const attempt = (req: Req) => useCase.attempt(full(req));
  return { run, attempt, delivered, logged, writes, notes, wakes, flushes };
}

describe('DeliverAndRecordUseCase', () => {
  it('synced and unchanged: the record is synced with its Xero id, logged OK, written under the claim', async () => {
    const a = item('order', '1', { priorAttempts: 2 });
    const b = item('customer', '7');
    const { run, delivered, logged, writes } = setup({
      answer: async () => [
        result(a, { action: 'create', xeroId: 'x-1', xeroUrl: 'https://go.xero.com/x-1' }),
        result(b, { status: 'unchanged', action: 'none', calls: 0 }),
      ],
    });
    const outcomes = await run({ items: [a, b] });
    expect(delivered).toHaveLength(1);
    expect(delivered[0].settings).toBe(settings);
    expect(delivered[0].opts).toEqual({ priority: 'normal', callClass: 'sync', timeoutMs: 30000 });
    expect(delivered[0].items[0]).not.toHaveProperty('priorAttempts');
    expect(outcomes.map((o) => o.state)).toEqual([
      expect.objectContaining({ status: 'synced', attempts: 3, xeroId: 'x-1' }),
      expect.objectContaining({ status: 'synced', attempts: 1 }),
    ]);
    expect(logged).toEqual([
      [
        expect.objectContaining({
          storeId: 'store-1',
          tenantId: 'tenant-1',
          entity: 'order',
          entityId: '1',
          action: 'create',
          status: 'success',
          message: 'OK',
          xeroId: 'x-1',
          mode: 'cron',
          eventId: 'ev-order-1',
          correlationId: 'corr-1',
          attempt: 3,
          syncerId: 'unit',
        }),
        expect.objectContaining({ entity: 'customer', status: 'success', action: 'none', attempt: 1 }),
      ],
    ]);
    expect(writes).toEqual([
      expect.objectContaining({ op: 'claimed', token: 'tok', id: 'store-1|order|1' }),
      expect.objectContaining({ op: 'claimed', token: 'tok', id: 'store-1|customer|7' }),
    ]);
  });

  it('deferred: back to pending without an attempt counted and without a log row', async () => {
    const a = item('order', '1', { priorAttempts: 1 });
    const { run, logged, writes } = setup({
      answer: async () => [
        result(a, {
          status: 'deferred',
          message: 'budget spent',
          error: { code: 'RATE_LIMITED', retryable: true, retryAfterMs: 4000 },
          calls: 0,
        }),
      ],
    });
    const [o] = await run({ items: [a] });
    expect(o.state).toMatchObject({ status: 'pending', attempts: 1, lastError: 'budget spent' });
    expect(logged).toEqual([[]]);
    expect(writes).toHaveLength(1);
  });

  it('failed: retryable backs off as pending, permanent or out of attempts stays failed; both logged', async () => {
    const retry = item('order', '1');
    const permanent = item('order', '2');
    const lastTry = item('order', '3', { priorAttempts: 4 });
    const { run, logged } = setup({
      answer: async () => [
        result(retry, { status: 'failed', message: 'Xero 503', error: { code: 'UNAVAILABLE', retryable: true } }),
        result(permanent, {
          status: 'failed',
          message: 'Account code 4000 is not valid',
          error: { code: 'VALIDATION', retryable: false },
        }),
        result(lastTry, { status: 'failed', message: 'Xero 503', error: { code: 'UNAVAILABLE', retryable: true } }),
      ],
    });
    const outcomes = await run({ items: [retry, permanent, lastTry] });
    expect(outcomes.map((o) => [o.state.status, o.state.attempts])).toEqual([
      ['pending', 1],
      ['failed', 1],
      ['failed', 5],
    ]);
    expect(logged[0].map((r) => [r.status, r.errorCode, r.message])).toEqual([
      ['error', 'UNAVAILABLE', 'Xero 503'],
      ['error', 'VALIDATION', 'Account code 4000 is not valid'],
      ['error', 'UNAVAILABLE', 'Xero 503'],
    ]);
  });

  it('a delivery that throws is a retryable failure of each record sent, not of the call', async () => {
    const { run, logged, writes } = setup({
      answer: async () => {
        throw new Error('socket hang up');
      },
    });
    const outcomes = await run({ items: [item('order', '1'), item('customer', '2')] });
    expect(outcomes.map((o) => o.state)).toEqual([
      expect.objectContaining({ status: 'pending', attempts: 1, lastError: 'delivery error: socket hang up' }),
      expect.objectContaining({ status: 'pending', attempts: 1, lastError: 'delivery error: socket hang up' }),
    ]);
    expect(logged[0].map((r) => r.errorCode)).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);
    expect(writes).toHaveLength(2);
  });

  it('a record delivery returned no result for is a retryable failure', async () => {
    const { run } = setup({ answer: async () => [] });
    const [o] = await run({ items: [item('order', '1')] });
    expect(o.result).toMatchObject({ status: 'failed', message: 'delivery error: no result returned for this item' });
    expect(o.state.status).toBe('pending');
  });

  const waitingOnOrder = (a: AttemptItem) =>
    result(a, {
      status: 'waiting',
      message: 'order 000000003 is not in Xero yet',
      error: { code: 'DEPENDENCY_FAILED', retryable: true },
      calls: 0,
    });

  it('waiting from delivery: waiting for its order, backed off, logged as waiting with the next attempt', async () => {
    const a = item('invoice', '9');
    const { run, logged, notes } = setup({ answer: async () => [waitingOnOrder(a)] });
    const [o] = await run({ items: [a] });
    expect(o.state).toMatchObject({
      status: 'waiting',
      attempts: 1,
      waitingOn: 'order 000000003 is not in Xero yet',
      waitingFor: 'store-1|order|3',
    });
    expect(logged[0]).toEqual([
      expect.objectContaining({
        status: 'waiting',
        errorCode: 'DEPENDENCY_FAILED',
        message: 'order 000000003 is not in Xero yet',
        nextAttemptAt: o.state.nextAttemptAt,
      }),
    ]);
    expect(notes).toEqual([{ waiter: 'store-1|invoice|9', awaited: 'store-1|order|3' }]);
  });

  it('past the wait horizon a waiting record fails with what it waits for; before it, its next attempt is capped', async () => {
    const a = item('invoice', '9', { waitingSince: new Date(Date.now() - 61 * 60_000), priorAttempts: 40 });
    const late = setup({ answer: async () => [waitingOnOrder(a)] });
    const [o] = await late.run({ items: [a] });
    expect(o.state).toMatchObject({ status: 'failed', attempts: 41 });
    expect(o.state.lastError).toMatch(/^gave up after waiting 60 min: order 000000003 is not in Xero yet\..*Sync Now/);
    expect(late.logged[0]).toEqual([
      expect.objectContaining({ status: 'error', errorCode: 'WAIT_HORIZON', message: o.state.lastError }),
    ]);
    // Still noted: the order's sync brings it back by itself.
    expect(o.state.waitingFor).toBe('store-1|order|3');
    expect(late.notes).toEqual([{ waiter: 'store-1|invoice|9', awaited: 'store-1|order|3' }]);

    const since = new Date(Date.now() - 59 * 60_000);
    const b = item('invoice', '9', { waitingSince: since, priorAttempts: 40 });
    const early = setup({ answer: async () => [waitingOnOrder(b)] });
    const [p] = await early.run({ items: [b] });
    expect(p.state).toMatchObject({ status: 'waiting', waitingSince: since });
    expect(p.state.nextAttemptAt!.getTime()).toBeLessThanOrEqual(since.getTime() + 60 * 60_000);
  });

  it('a synced record wakes what waits for it; outside a flush it asks for a flush of the store', async () => {
    const a = item('order', '3');
    const outside = setup({ answer: async (i) => i.map((x) => result(x, {})), woken: 1 });
    await outside.run({ items: [a], write: { kind: 'if-unchanged' } });
    expect(outside.wakes).toEqual([['store-1|order|3']]);
    expect(outside.flushes).toEqual(['store-1']);
    const inFlush = setup({ answer: async (i) => i.map((x) => result(x, {})), woken: 1 });
    // A flush is told how many woke, so that it selects them in its next round.
    expect((await inFlush.attempt({ items: [a] })).woken).toBe(1);
    expect(inFlush.wakes).toEqual([['store-1|order|3']]);
    expect(inFlush.flushes).toEqual([]);
  });

  describe('store-side prerequisite', () => {
    it('a credit memo whose store invoice is not synced waits without a call; the rest are delivered', async () => {
      const memo = item('creditmemo', '7', { payload: { order_id: 3, invoice_id: 9, grand_total: 10 } as never });
      const other = item('customer', '2');
      const { run, delivered, logged, writes } = setup({
        held: { 'invoice:9': { status: 'pending' } },
        answer: async (items) => items.map((i) => result(i, {})),
      });
      const [m, c] = await run({ items: [memo, other] });
      expect(delivered[0].items.map((i) => i.entity)).toEqual(['customer']);
      expect(m.result).toMatchObject({
        status: 'waiting',
        message: 'waiting for store invoice 9 (its payment) to be in Xero first',
        calls: 0,
      });
      expect(m.state).toMatchObject({ status: 'waiting', attempts: 1 });
      expect(c.state.status).toBe('synced');
      expect(logged[0][0]).toMatchObject({ entity: 'creditmemo', status: 'waiting', errorCode: 'DEPENDENCY_FAILED' });
      expect(writes.map((w) => [w.id, w.state.status])).toEqual([
        ['store-1|creditmemo|7', 'waiting'],
        ['store-1|customer|2', 'synced'],
      ]);
    });

    it('goes ahead when the prerequisite is synced, or delivered in the same batch', async () => {
      const memo = item('creditmemo', '7', { payload: { order_id: 3, invoice_id: 9, grand_total: 10 } as never });
      const synced = setup({
        held: { 'invoice:9': { status: 'synced' } },
        answer: async (i) => i.map((x) => result(x, {})),
      });
      await synced.run({ items: [memo] });
      expect(synced.delivered[0].items.map((i) => i.entity)).toEqual(['creditmemo']);
      const together = setup({
        held: { 'invoice:9': { status: 'pending' } },
        answer: async (i) => i.map((x) => result(x, {})),
      });
      await together.run({ items: [item('invoice', '9'), memo] });
      expect(together.delivered[0].items.map((i) => i.entity)).toEqual(['invoice', 'creditmemo']);
    });

    it('all records held: no delivery at all', async () => {
      const memo = item('creditmemo', '7', { payload: { order_id: 3, grand_total: 10 } as never });
      const { run, writes } = setup({ held: { 'order:3': { status: 'pending' } } });
      const [o] = await run({ items: [memo] });
      expect(o.result.message).toBe("waiting for order 3's latest change to be in Xero first");
      expect(writes).toHaveLength(1);
    });
  });

  it('an entity type the store does not sync is closed as unchanged without a call, as delivery did', async () => {
    const { run, logged, writes } = setup({});
    const [o] = await run({
      settings: { ...settings, entitiesEnabled: ['customer'] },
      items: [item('order', '1')],
    });
    expect(o.result).toMatchObject({
      status: 'unchanged',
      action: 'none',
      message: 'order sync is disabled for this store',
      calls: 0,
    });
    expect(o.state).toMatchObject({ status: 'synced', attempts: 1 });
    expect(logged[0]).toEqual([expect.objectContaining({ status: 'success', action: 'none', message: 'OK' })]);
    expect(writes).toHaveLength(1);
  });

  it('Immediately: interactive, and the event content saved as the latest in its new state', async () => {
    const a = item('customer', '5');
    const { run, delivered, writes, logged } = setup({ answer: async () => [result(a, { xeroId: 'c-5' })] });
    const change = { storeId: 'store-1', entity: 'customer', entityId: '5', rank: 0, eventId: a.eventId } as never;
    await run({ mode: 'immediate', items: [a], write: { kind: 'latest', changes: [change] } });
    expect(delivered[0].opts.priority).toBe('interactive');
    expect(logged[0][0].mode).toBe('immediate');
    expect(writes).toEqual([
      { op: 'saveLatest', eventId: a.eventId, state: expect.objectContaining({ status: 'synced', xeroId: 'c-5' }) },
    ]);
  });

  it("Immediately, a backfill's event: at backfill priority, leaving the reserve to interactive work", async () => {
    const a = item('customer', '6');
    const { run, delivered } = setup({ answer: async () => [result(a, { xeroId: 'c-6' })] });
    const change = { storeId: 'store-1', entity: 'customer', entityId: '6', rank: 0, eventId: a.eventId } as never;
    await run({ mode: 'immediate', priority: 'backfill', items: [a], write: { kind: 'latest', changes: [change] } });
    expect(delivered[0].opts).toMatchObject({ priority: 'backfill', callClass: 'sync' });
  });

  it('Sync Now: interactive, written unless the record changed meanwhile', async () => {
    const a = item('order', '1');
    const { run, delivered, writes, logged } = setup({ answer: async () => [result(a, {})] });
    await run({ mode: 'manual', items: [a], write: { kind: 'if-unchanged' } });
    expect(delivered[0].opts.priority).toBe('interactive');
    expect(delivered[0].opts.callClass).toBe('sync-now');
    expect(logged[0][0].mode).toBe('manual');
    expect(writes).toEqual([
      expect.objectContaining({ op: 'ifUnchanged', id: 'store-1|order|1', eventId: a.eventId, from: undefined }),
    ]);
  });

  it('a wake-up still waiting is neither logged nor written; any other outcome is, from waiting only', async () => {
    const a = item('invoice', '9', { priorAttempts: 2 });
    const waiting = result(a, { status: 'waiting', message: 'not yet', calls: 0 });
    const still = setup({ answer: async () => [waiting] });
    const wake = {
      mode: 'immediate' as const,
      write: { kind: 'if-unchanged' as const, fromStatus: 'waiting' as const },
    };
    const [o] = await still.run({ ...wake, items: [a], quietWhileWaiting: true });
    expect(o.result.status).toBe('waiting');
    expect(still.logged).toEqual([]);
    expect(still.writes).toEqual([]);
    const done = setup({ answer: async () => [result(a, { action: 'payment' })] });
    await done.run({ ...wake, items: [a], quietWhileWaiting: true });
    expect(done.logged[0]).toHaveLength(1);
    expect(done.writes).toEqual([expect.objectContaining({ op: 'ifUnchanged', from: 'waiting' })]);
    expect(done.writes[0].state).toMatchObject({ status: 'synced', attempts: 3 });
  });

  it("Immediately, events delivered together: each saved as its record's latest in its own state", async () => {
    const a = item('customer', '7');
    const b = item('order', '8');
    const { run, delivered, writes, logged } = setup({
      answer: async () => [
        result(a, { xeroId: 'c-7' }),
        result(b, { status: 'failed', message: 'Account code is not valid', calls: 1 }),
      ],
    });
    const changeOf = (i: typeof a) => ({
      storeId: 'store-1',
      entity: i.entity,
      entityId: i.entityId,
      eventId: i.eventId,
    });
    await run({
      mode: 'immediate',
      items: [a, b],
      write: { kind: 'latest', changes: [changeOf(a), changeOf(b)] as never },
    });
    expect(delivered).toHaveLength(1);
    expect(logged[0]).toHaveLength(2);
    expect(writes).toEqual([
      { op: 'saveLatest', eventId: a.eventId, state: expect.objectContaining({ status: 'synced', xeroId: 'c-7' }) },
      { op: 'saveLatest', eventId: b.eventId, state: expect.objectContaining({ status: 'failed' }) },
    ]);
  });

  it('a latest-content write takes one change per item', async () => {
    const { run } = setup({});
    await expect(
      run({ items: [item('order', '1'), item('order', '2')], write: { kind: 'latest', changes: [{} as never] } }),
    ).rejects.toThrow('one change per item');
  });
});
