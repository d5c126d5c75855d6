import type { EntityName } from '@xero-sync/contracts';
import { hmacSha256Hex } from '@xero-sync/security';
import { generateStore, GeneratedEvent, GeneratedStore } from '@xero-sync/testing';
import type { MagentoRecords } from './fake-magento';

/** The latest content of each record among `events`, grouped by entity as Magento's REST API lists them. */
export function recordsOf(events: GeneratedEvent[]): MagentoRecords {
  const latest = new Map<string, GeneratedEvent>();
  for (const e of events) latest.set(`${e.entity}:${e.entityId}`, e);
  const records: MagentoRecords = { customer: [], product: [], order: [], invoice: [], creditmemo: [] };
  for (const e of latest.values()) records[e.entity].push(e.payload);
  return records;
}

/** The demo's sample store: its history (backfilled from its REST API) and the changes it then sends live. */
export interface SampleStore {
  store: GeneratedStore;
  history: GeneratedEvent[];
  upcoming: GeneratedEvent[];
}

/** The store `npm run demo` runs (fixed seed): 60 orders, the first 70 % of its changes as history. */
export function sampleStore(storeId: string): SampleStore {
  const store = generateStore({ seed: 7, storeId, customers: 25, products: 20, orders: 60 });
  const cut = Math.floor(store.events.length * 0.7);
  return { store, history: store.events.slice(0, cut), upcoming: store.events.slice(cut) };
}

/** The period of the sample store's documents, in store days (the stand-in store keeps UTC), for reconciliation. */
export function periodOf(events: GeneratedEvent[]): { from: string; to: string } {
  const days = events
    .map((e) => (e.payload as { created_at?: unknown }).created_at)
    .filter((d): d is string => typeof d === 'string')
    .map((d) => d.slice(0, 10))
    .sort();
  const today = new Date().toISOString().slice(0, 10);
  return { from: days[0] ?? today, to: days[days.length - 1] ?? today };
}

/** Calls admin-api with the key; throws with the answer's message on anything but 2xx. */
export async function adminCall<T = unknown>(
  adminUrl: string,
  key: string,
  path: string,
  method = 'GET',
  body?: unknown,
): Promise<T> {
  const res = await fetch(adminUrl + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Connects a Xero org through admin-api's real OAuth flow, as a browser would: start (admin-api answers the
 * authorize URL and sets its binding cookie), the sandbox's authorize endpoint with scripted consent for the
 * chosen tenant, then admin-api's callback with the code, state and cookie. Returns the callback's redirect.
 */
export async function connectThroughOAuth(
  adminUrl: string,
  key: string,
  tenantId: string,
  storeId?: string,
): Promise<string> {
  const start = await fetch(`${adminUrl}/connections/start`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(storeId ? { storeId } : {}),
  });
  if (!start.ok) throw new Error(`connect start: HTTP ${start.status} ${await start.text()}`);
  const { authorizeUrl } = (await start.json()) as { authorizeUrl: string };
  const cookie = (start.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  const consent = await fetch(`${authorizeUrl}&consent=allow&tenant=${encodeURIComponent(tenantId)}`, {
    redirect: 'manual',
  });
  const callback = consent.headers.get('location');
  if (consent.status !== 302 || !callback)
    throw new Error(`Xero authorize did not redirect back: HTTP ${consent.status}`);
  const done = await fetch(callback, { headers: { Cookie: cookie }, redirect: 'manual' });
  const landing = done.headers.get('location') ?? '';
  if (done.status !== 302 || !landing.includes('connected=')) {
    throw new Error(`callback failed: HTTP ${done.status} ${landing || (await done.text()).slice(0, 300)}`);
  }
  return landing;
}

/** Sends one change to ingest as a store's webhook, signed as docs/conventions.md says (`sha256=HMAC(secret, ts.body)`). */
export async function sendSignedWebhook(
  ingestUrl: string,
  storeId: string,
  secret: string,
  event: { entity: EntityName; payload: unknown },
): Promise<Response> {
  const body = JSON.stringify({ entity: event.entity, payload: event.payload });
  const ts = String(Math.floor(Date.now() / 1000));
  return fetch(`${ingestUrl}/v1/stores/${encodeURIComponent(storeId)}/events`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Store-Timestamp': ts,
      'X-Store-Signature': `sha256=${hmacSha256Hex(secret, `${ts}.${body}`)}`,
    },
    body,
  });
}
