import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { topics } from '@xero-sync/contracts';
import { signStoreBody } from '@xero-sync/security';
import { eventually } from '@xero-sync/testing';
import { envelope, fixtureEvents, makeOrder, makeStore, StoreFixture } from './support/store-fixtures';
import {
  bootIngest,
  bootSyncer,
  collection,
  connectStore,
  countersOf,
  dumpOf,
  postSignedWebhook,
  publishEvents,
  publishRaw,
  registerWebhookStore,
  rotateWebhookSecret,
  readTopic,
  sendCommand,
  setupSyncerEnv,
  SyncerTestEnv,
  teardownSyncerEnv,
  countRecords,
  findRecord,
} from './support/syncer-harness';

// The syncer booted for real against the real broker, FerretDB and the Xero sandbox: one store per mode.
describe('syncer end to end', () => {
  let t: SyncerTestEnv;
  let syncer: { app: INestApplication; url: string };
  let ingest: { app: INestApplication; url: string };
  const tenants: Record<string, string> = {};
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    // Strict, as deployed: every event must carry its store's signature (publishEvents signs for registered stores).
    t = await setupSyncerEnv({ timeScale: 60, extraEnv: { SYNCER_ACCEPT_UNSIGNED_EVENTS: 'false' } });
    tenants.imm = await connectStore(t, 'store-imm', { mode: 'immediate' });
    tenants.cron = await connectStore(t, 'store-cron', { mode: 'cron', cronIntervalMinutes: 2 });
    tenants.coal = await connectStore(t, 'store-coal', { mode: 'cron', cronIntervalMinutes: 600 });
    // No flush slot comes during the run (a slot is ~28 h): only commands flush this store.
    tenants.manual = await connectStore(t, 'store-manual', { mode: 'cron', cronIntervalMinutes: 100_000 });
    secrets.imm = await registerWebhookStore(t, 'store-imm');
    secrets.cron = await registerWebhookStore(t, 'store-cron');
    await registerWebhookStore(t, 'store-coal');
    await registerWebhookStore(t, 'store-manual');
    ingest = await bootIngest(t);
    syncer = await bootSyncer(t);
  });

  afterAll(async () => {
    await ingest?.app.close();
    await syncer?.app.close();
    await teardownSyncerEnv(t);
  });

  const writesTo = (counters: { byEndpoint: Record<string, number> }, resource: RegExp) =>
    Object.entries(counters.byEndpoint)
      .filter(([endpoint]) => /^(PUT|POST)\b/.test(endpoint) && resource.test(endpoint))
      .reduce((s, [, n]) => s + n, 0);

  const recordCount = (f: StoreFixture) =>
    f.customers.length + f.products.length + f.orders.length + f.invoices.length + f.creditmemos.length;

  async function expectStoreInXero(storeId: string, tenantId: string, fixture: StoreFixture) {
    // Done when nothing is left open in the queue (one delivery writes contacts … credit notes in steps).
    await eventually(
      async () =>
        (await countRecords(t, storeId)) === recordCount(fixture) &&
        (await collection(t, 'pending_changes').countDocuments({ storeId, status: { $ne: 'synced' } })) === 0,
      90000,
      500,
    );
    const dump = await dumpOf(t, tenantId);
    expect(dump.invoices.filter((i) => i.Type === 'ACCREC')).toHaveLength(fixture.orders.length);
    expect(dump.creditNotes).toHaveLength(fixture.creditmemos.length);
    expect(dump.contacts.length).toBeGreaterThanOrEqual(fixture.customers.length);
    expect(dump.items.map((i) => i.Code).sort()).toEqual(expect.arrayContaining(fixture.products.map((p) => p.sku)));
    for (const order of fixture.orders) {
      const invoice = dump.invoices.find((i) => String(i.InvoiceNumber).endsWith(order.increment_id));
      expect(invoice).toBeDefined();
      expect(Number(invoice!.Total)).toBeCloseTo(order.grand_total, 2);
    }
    for (const memo of fixture.creditmemos) {
      const note = dump.creditNotes.find((c) => String(c.CreditNoteNumber).endsWith(memo.increment_id));
      expect(Number(note?.Total)).toBeCloseTo(memo.grand_total, 2);
    }
    // Every captured store invoice is a payment on its order's Xero invoice.
    for (const inv of fixture.invoices) {
      const order = fixture.orders.find((o) => o.entity_id === inv.order_id)!;
      const xeroInvoice = dump.invoices.find((i) => String(i.InvoiceNumber).endsWith(order.increment_id));
      expect(Number(xeroInvoice?.AmountPaid)).toBeCloseTo(inv.grand_total, 2);
    }

    // The log explains every record: one success per record, Xero id and link, correlation id of its event.
    const rows = await collection(t, 'sync_log').find({ storeId }).toArray();
    const ok = rows.filter((r) => r.status === 'success');
    const records = [
      ...fixture.customers.map((c) => `customer:${c.id}`),
      ...fixture.orders.map((o) => `order:${o.entity_id}`),
    ];
    const okKeys = new Set(ok.map((r) => `${r.entity}:${r.entityId}`));
    expect(records.filter((key) => !okKeys.has(key))).toEqual([]);
    for (const r of ok) {
      expect(r.message).toBe('OK');
      expect(String(r.correlationId)).toMatch(/^corr-/);
      expect(r.tenantId).toBe(tenantId);
    }
    expect(ok.filter((r) => r.entity === 'order' && !r.xeroId)).toEqual([]);
    // Dependency order. Contacts: an order whose customer event is not handled yet writes the contact itself, so
    // Xero's state decides: every invoice points at a contact that exists, and no customer got two contacts.
    const contactIds = new Set(dump.contacts.map((c) => String(c.ContactID)));
    for (const inv of dump.invoices)
      expect(contactIds.has(String((inv.Contact as { ContactID?: string } | undefined)?.ContactID))).toBe(true);
    const contactNumbers = dump.contacts.map((c) => String(c.ContactNumber));
    expect(new Set(contactNumbers).size).toBe(contactNumbers.length);
    // Payments: each store invoice's payment was written after its order's invoice.
    const firstOk = (entity: string, id: string | number) =>
      Math.min(
        ...ok
          .filter((r) => r.entity === entity && r.entityId === String(id))
          .map((r) => new Date(r.createdAt).getTime()),
      );
    for (const inv of fixture.invoices)
      expect(firstOk('invoice', inv.entity_id)).toBeGreaterThanOrEqual(firstOk('order', inv.order_id));
    return { dump, rows };
  }

  it('Immediately: every entity type reaches Xero in dependency order with the store totals, and the log explains it', async () => {
    const fixture = makeStore({ orders: 6, customers: 3, products: 4, invoiced: 4, refunded: 2, tag: 'im' });
    await postSignedWebhook(
      ingest.url,
      'store-imm',
      secrets.imm,
      fixtureEvents('store-imm', fixture),
      'corr-imm-webhook',
    );
    const { rows } = await expectStoreInXero('store-imm', tenants.imm, fixture);
    expect(rows.every((r) => r.mode === 'immediate' || r.mode === 'cron')).toBe(true);
    expect(rows.some((r) => r.mode === 'immediate')).toBe(true);
  });

  it('Cron Job: changes wait in the queue and reach Xero at the flush, with the same results', async () => {
    const fixture = makeStore({
      orders: 8,
      customers: 4,
      products: 4,
      invoiced: 5,
      refunded: 2,
      tag: 'cr',
      idBase: 500,
    });
    await postSignedWebhook(
      ingest.url,
      'store-cron',
      secrets.cron,
      fixtureEvents('store-cron', fixture),
      'corr-cron-webhook',
    );
    await eventually(async () => (await countRecords(t, 'store-cron')) === 23, 30000);
    const { rows } = await expectStoreInXero('store-cron', tenants.cron, fixture);
    expect(rows.every((r) => r.mode === 'cron')).toBe(true);
    // The last batch's synced items leave the queue a few commands after Xero has them.
    await eventually(
      async () =>
        (await collection(t, 'pending_changes').countDocuments({
          storeId: 'store-cron',
          status: { $ne: 'synced' },
        })) === 0,
      30_000,
      200,
    );
  });

  it('coalesces 10 updates of one order in Cron Job mode into one Xero write with the last content', async () => {
    const fixture = makeStore({ orders: 1, customers: 1, products: 2, tag: 'co', idBase: 900 });
    const base = fixtureEvents('store-coal', { ...fixture, orders: [] });
    const t0 = Date.now();
    const updates = Array.from({ length: 10 }, (_, i) =>
      envelope(
        'store-coal',
        'order',
        String(fixture.orders[0].entity_id),
        makeOrder(900, fixture.customers[0], fixture.products, { qtyBump: i }),
        new Date(t0 + i * 1000),
      ),
    );
    await publishEvents(t, [...base, ...updates]);
    const last = updates[9];
    await eventually(
      async () => (await findRecord(t, { storeId: 'store-coal', entity: 'order' }))?.eventId === last.eventId,
      30000,
    );
    await sendCommand(t, { type: 'queue.flush', storeId: 'store-coal' });
    const dump = await eventually(async () => {
      const d = await dumpOf(t, tenants.coal);
      return d.invoices.length === 1 ? d : undefined;
    }, 60000);
    const lastOrder = last.payload as { grand_total: number; items: { qty_ordered: number }[] };
    expect(Number(dump.invoices[0].Total)).toBeCloseTo(lastOrder.grand_total, 2);
    const counters = await countersOf(t, tenants.coal);
    expect(writesTo(counters, /Invoices/)).toBe(1);
    // The log row follows the write; wait for it rather than racing it.
    const orderRows = await eventually(async () => {
      const rows = await collection(t, 'sync_log').find({ storeId: 'store-coal', entity: 'order' }).toArray();
      return rows.length > 0 ? rows : undefined;
    }, 30000);
    expect(orderRows).toHaveLength(1);
    expect(orderRows[0]).toMatchObject({ status: 'success', eventId: last.eventId, mode: 'cron' });
  });

  it('Sync Now of a credit memo waits for the store invoice it refunds instead of posting before its payment', async () => {
    const storeId = 'store-manual';
    const queued = (filter: { status?: string } = {}) => countRecords(t, storeId, filter);
    const fixture = makeStore({
      orders: 1,
      customers: 1,
      products: 2,
      invoiced: 1,
      refunded: 1,
      tag: 'sn',
      idBase: 700,
    });
    const [invoice] = fixture.invoices;
    const [memo] = fixture.creditmemos;
    expect(memo.invoice_id).toBe(invoice.entity_id);
    // The order reaches Xero first; then its store invoice and the credit memo wait in the queue.
    await publishEvents(t, fixtureEvents(storeId, { ...fixture, invoices: [], creditmemos: [] }));
    await eventually(async () => (await queued()) === 4, 30000);
    await sendCommand(t, { type: 'queue.flush', storeId });
    await eventually(async () => (await queued({ status: 'synced' })) === 4, 60000);
    await publishEvents(t, fixtureEvents(storeId, { ...fixture, customers: [], products: [], orders: [] }));
    await eventually(async () => (await queued()) === 6, 30000);

    await sendCommand(t, { type: 'sync.record', storeId, entity: 'creditmemo', entityId: String(memo.entity_id) });
    const reason = `waiting for store invoice ${invoice.entity_id} (its payment) to be in Xero first`;
    const row = await eventually(
      async () =>
        (await collection(t, 'sync_log').findOne({ storeId, entity: 'creditmemo', mode: 'manual' })) ?? undefined,
      30000,
    );
    expect(row).toMatchObject({ status: 'waiting', errorCode: 'DEPENDENCY_FAILED', message: reason, calls: 0 });
    expect(await collection(t, 'pending_changes').findOne({ storeId, entity: 'creditmemo' })).toMatchObject({
      status: 'waiting',
      waitingOn: reason,
    });
    expect((await dumpOf(t, tenants.manual)).creditNotes).toHaveLength(0);

    // With its store invoice the memo goes: the payment first, then the credit note.
    await sendCommand(t, { type: 'queue.flush', storeId });
    await eventually(async () => (await queued({ status: 'synced' })) === 6, 60000);
    const dump = await dumpOf(t, tenants.manual);
    expect(dump.creditNotes).toHaveLength(1);
    expect(Number(dump.creditNotes[0].Total)).toBeCloseTo(memo.grand_total, 2);
    const xeroInvoice = dump.invoices.find((i) => String(i.InvoiceNumber).endsWith(fixture.orders[0].increment_id));
    expect(Number(xeroInvoice?.AmountPaid)).toBeCloseTo(invoice.grand_total, 2);
  });

  it('sends malformed and schema-breaking messages to the DLQ topic, dlq_messages and the log, and keeps flowing', async () => {
    const orderTopic = topics.entityChanged('order', t.prefix);
    const customerTopic = topics.entityChanged('customer', t.prefix);
    await publishRaw(t, orderTopic, 'store-imm', '{"eventId": not json', { 'x-correlation-id': 'corr-poison-1' });
    const breaking = envelope('store-imm', 'customer', '77', {
      id: 77,
      email: 'not-an-email',
      firstname: 'X',
      lastname: 'Y',
    } as never);
    await publishRaw(t, customerTopic, 'store-imm', JSON.stringify(breaking), { 'x-correlation-id': 'corr-poison-2' });
    const good = envelope('store-imm', 'customer', '78', {
      id: 78,
      email: 'good78@example.com',
      firstname: 'Good',
      lastname: 'Customer78',
      addresses: [],
    });
    await publishEvents(t, [good]);

    await eventually(
      async () =>
        (await collection(t, 'sync_log').findOne({
          storeId: 'store-imm',
          entity: 'customer',
          entityId: '78',
          status: 'success',
        })) !== null,
      60000,
    );
    const dlqRows = await eventually(async () => {
      const rows = await collection(t, 'dlq_messages').find({ storeId: 'store-imm' }).toArray();
      return rows.length === 2 ? rows : undefined;
    }, 30000);
    expect(dlqRows.map((r) => r.sourceTopic).sort()).toEqual([customerTopic, orderTopic].sort());
    expect(dlqRows.find((r) => r.sourceTopic === orderTopic)?.reason).toMatch(/not JSON/);
    expect(dlqRows.find((r) => r.sourceTopic === customerTopic)?.reason).toMatch(/payload\.email/);
    const onTopic = await readTopic(t, topics.deadLetters(t.prefix), (m) => m.length >= 2);
    expect(onTopic.map((m) => m.headers['x-dlq-reason']).join('\n')).toMatch(/not JSON/);
    expect(onTopic.find((m) => m.headers['x-dlq-source-topic'] === customerTopic)?.value?.toString()).toBe(
      JSON.stringify(breaking),
    );
    const logged = await collection(t, 'sync_log').find({ storeId: 'store-imm', action: 'reject' }).toArray();
    expect(logged).toHaveLength(2);
    expect(logged.map((r) => r.correlationId).sort()).toEqual(['corr-poison-1', 'corr-poison-2']);
  });

  it('dead-letters events of any origin that are unsigned or signed for another store, and takes signed ones', async () => {
    const secretA = await registerWebhookStore(t, 'store-prod-a');
    const secretB = await registerWebhookStore(t, 'store-prod-b');
    const customerTopic = topics.entityChanged('customer', t.prefix);
    const customer = (id: number, origin: 'producer' | 'webhook' | 'backfill' = 'producer') =>
      ({
        ...envelope('store-prod-a', 'customer', String(id), {
          id,
          email: `p${id}@example.com`,
          firstname: 'Pro',
          lastname: `Ducer${id}`,
          addresses: [],
        }),
        origin,
      }) as const;
    const ts = String(Math.floor(Date.now() / 1000));
    const unsigned = JSON.stringify(customer(91));
    const foreign = JSON.stringify(customer(92));
    const signed = JSON.stringify(customer(93));
    // A principal that may write entity topics claims ingest's origins: unsigned, and signed with another store's secret.
    const unsignedWebhook = JSON.stringify(customer(94, 'webhook'));
    const foreignBackfill = JSON.stringify(customer(95, 'backfill'));
    await publishRaw(t, customerTopic, 'store-prod-a', unsigned, { 'x-correlation-id': 'corr-prod-1' });
    await publishRaw(t, customerTopic, 'store-prod-a', foreign, {
      'x-correlation-id': 'corr-prod-2',
      'x-store-timestamp': ts,
      'x-store-signature': signStoreBody(secretB, ts, foreign),
    });
    await publishRaw(t, customerTopic, 'store-prod-a', unsignedWebhook, { 'x-correlation-id': 'corr-prod-4' });
    await publishRaw(t, customerTopic, 'store-prod-a', foreignBackfill, {
      'x-correlation-id': 'corr-prod-5',
      'x-store-timestamp': ts,
      'x-store-signature': signStoreBody(secretB, ts, foreignBackfill),
    });
    await publishRaw(t, customerTopic, 'store-prod-a', signed, {
      'x-correlation-id': 'corr-prod-3',
      'x-store-timestamp': ts,
      'x-store-signature': signStoreBody(secretA, ts, signed),
    });
    const dlqRows = await eventually(async () => {
      const rows = await collection(t, 'dlq_messages').find({ storeId: 'store-prod-a' }).toArray();
      return rows.length === 4 ? rows : undefined;
    }, 60000);
    const reasonOf = (id: string) =>
      String(
        dlqRows.find((r) => Buffer.from(String(r.valueBase64), 'base64').toString().includes(`"entityId":"${id}"`))
          ?.reason,
      );
    expect(reasonOf('91')).toMatch(
      /unsigned producer event: every event must carry x-store-timestamp and x-store-signature/,
    );
    expect(reasonOf('94')).toMatch(/unsigned webhook event: .*Sync Now of the record/);
    expect(reasonOf('92')).toMatch(/not signed with the webhook secret of store "store-prod-a"/);
    expect(reasonOf('95')).toMatch(/not signed with the webhook secret of store "store-prod-a"/);
    // The signed one went on like any other event (no Xero binding for this store: it is logged, not dead-lettered).
    const values = (m: { value: Buffer | null }[]) => m.map((r) => r.value?.toString());
    const onTopic = await readTopic(t, topics.deadLetters(t.prefix), (m) =>
      [foreign, unsigned, unsignedWebhook, foreignBackfill].every((v) => values(m).includes(v)),
    );
    expect(values(onTopic)).not.toContain(signed);
    expect(await collection(t, 'dlq_messages').countDocuments({ entityId: '93' })).toBe(0);
  });

  it('after a rotation without grace takes events the replaced secret signed before it, and refuses later ones', async () => {
    const replaced = await registerWebhookStore(t, 'store-rot');
    const customerTopic = topics.entityChanged('customer', t.prefix);
    const customer = (id: number) =>
      JSON.stringify(
        envelope('store-rot', 'customer', String(id), {
          id,
          email: `r${id}@example.com`,
          firstname: 'Ro',
          lastname: `Tated${id}`,
          addresses: [],
        }),
      );
    // Signed (as ingest signs what it accepts) before the secret leaked and was rotated with no grace.
    const signedBefore = String(Math.floor(Date.now() / 1000) - 60);
    const rotated = await rotateWebhookSecret(t, 'store-rot', 0);
    const past = customer(96);
    const current = customer(98);
    const forged = customer(97);
    // A holder of the leaked secret signs after the rotation (past the 300 s allowed for clock skew).
    const signedAfter = String(Math.floor(rotated.previousSecretUntil.getTime() / 1000) + 301);
    const publish = (value: string, secret: string, ts: string, correlationId: string) =>
      publishRaw(t, customerTopic, 'store-rot', value, {
        'x-correlation-id': correlationId,
        'x-store-timestamp': ts,
        'x-store-signature': signStoreBody(secret, ts, value),
      });
    await publish(past, replaced, signedBefore, 'corr-rot-1');
    await publish(current, rotated.webhookSecret, String(Math.floor(Date.now() / 1000)), 'corr-rot-2');
    await publish(forged, replaced, signedAfter, 'corr-rot-3');
    // One partition (keyed by store): once the last is dead-lettered the two before it were decided.
    const dead = await eventually(async () => {
      const rows = await collection(t, 'dlq_messages').find({ storeId: 'store-rot' }).toArray();
      return rows.length > 0 ? rows : undefined;
    }, 60000);
    expect(dead.map((r) => Buffer.from(String(r.valueBase64), 'base64').toString())).toEqual([forged]);
    expect(String(dead[0].reason)).toMatch(/not signed with the webhook secret of store "store-rot"/);
    // The two verified went on like any other event: queued (this store is not bound to a Xero org).
    const held = await collection(t, 'pending_changes').find({ storeId: 'store-rot' }).toArray();
    expect(held.map((r) => [r.entityId, r.correlationId]).sort()).toEqual([
      ['96', 'corr-rot-1'],
      ['98', 'corr-rot-2'],
    ]);
    const logged = await collection(t, 'sync_log').find({ storeId: 'store-rot' }).toArray();
    expect(logged.map((r) => [r.entityId, r.action])).toEqual([['97', 'reject']]);
  });

  it('requeues a dead letter to its topic on command', async () => {
    const row = await collection(t, 'dlq_messages').findOne({
      storeId: 'store-imm',
      sourceTopic: topics.entityChanged('customer', t.prefix),
    });
    await sendCommand(t, { type: 'dlq.requeue', storeId: 'store-imm', dlqIds: [String(row!._id)] });
    await eventually(
      async () => (await collection(t, 'dlq_messages').findOne({ _id: row!._id }))?.status === 'requeued',
      30000,
    );
    // Still invalid, so it comes back as a new dead letter at its new position; nothing is lost either way.
    await eventually(
      async () => (await collection(t, 'dlq_messages').countDocuments({ storeId: 'store-imm' })) === 3,
      30000,
    );
  });

  it('answers 401 to a scrape of /metrics without the credential or with an unknown key', async () => {
    await request(syncer.url).get('/metrics').expect(401);
    await request(syncer.url).get('/metrics').set('Authorization', 'Bearer not-a-key').expect(401);
    await request(syncer.url).get('/health').expect(200);
  });

  it('serves /health with Kafka, MongoDB and the Xero breakers, and /metrics with the syncer series', async () => {
    const health = await request(syncer.url).get('/health').expect(200);
    expect(health.body.info).toMatchObject({
      kafka: { status: 'up' },
      mongodb: { status: 'up' },
      xero: { status: 'up' },
    });
    // The gauges refresh every 15 s.
    const metrics = await eventually(
      async () => {
        const res = await request(syncer.url)
          .get('/metrics')
          .set('Authorization', `Bearer ${t.env.ADMIN_BOOTSTRAP_TOKEN}`)
          .expect(200);
        // Both gauges of one refresh: queue depth is set before the consumer lag is fetched from Kafka.
        const both =
          /xero_sync_queue_depth\{status="pending"\} \d/.test(res.text) &&
          /xero_sync_consumer_lag\{topic="t-/.test(res.text);
        return both ? res : undefined;
      },
      20000,
      1000,
    );
    expect(metrics.text).toMatch(/xero_sync_events_in_total\{app="syncer"/);
    // Synced records have left the queue for record_copies: the queue's depth holds open work only.
    expect(metrics.text).toMatch(/xero_sync_queue_depth\{status="synced"\} 0\n/);
    expect(metrics.text).toMatch(/xero_sync_consumer_lag\{topic="t-/);
    // Its own requests are timed by route (the /health above, answered before this scrape).
    expect(metrics.text).toMatch(
      /xero_sync_http_request_duration_seconds_count\{app="syncer",route="\/health",status="200"\} [1-9]/,
    );
  });
});
