import type { EntityName, EntityPayloads } from '@xero-sync/contracts';
import { defaultMappingSettings, XeroLinkKey, XeroLinkRecord, xeroLinkId } from '@xero-sync/persistence';
import { BatchWriter } from '../batch-writer';
import { DeliveryItem } from '../delivery.types';
import { ItemOutcomes } from '../item-outcomes';
import { LinkLedger, LinkStore } from '../link-ledger';
import { RecordingXero } from '../recording-xero';
import { StageContext } from '../stage-context';

export const STORE = 'store-1';
export const TENANT = 'tenant-1';

/** A fake exposing only `impl`; touching anything else fails the test. */
export function strict<T extends object>(name: string, impl: Partial<T>): T {
  return new Proxy(impl, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof typeof target];
      if (prop === 'then') return undefined;
      throw new Error(`unexpected use of ${name}.${String(prop)}`);
    },
  }) as T;
}

export function item<E extends EntityName>(entity: E, entityId: string, payload: EntityPayloads[E]): DeliveryItem<E> {
  return { entity, entityId, payload, eventId: `ev-${entity}-${entityId}` };
}

/** A link as xero_links holds it. */
export function link(entity: string, entityId: string, fields: Partial<XeroLinkRecord> = {}): XeroLinkRecord {
  const key = { storeId: STORE, entity, entityId };
  return { id: xeroLinkId(key), ...key, tenantId: TENANT, businessKey: `${entity}-${entityId}`, ...fields };
}

/**
 * One run's stage context over in-memory links and a recording Xero. The link store answers reads and records
 * pending markers; any other link write (stages only stage them, the run flushes) fails the test.
 */
export function stageWorld(items: DeliveryItem[], links: XeroLinkRecord[] = []) {
  const byId = new Map(links.map((l) => [l.id, l]));
  const pendingMarks: { key: XeroLinkKey; businessKey: string }[] = [];
  /** The size of each pending-marker write (one per batch). */
  const pendingWrites: number[] = [];
  const store = strict<LinkStore>('links', {
    find: async (key) => byId.get(xeroLinkId(key)) ?? null,
    findMany: async (storeId, entity, ids) =>
      ids.flatMap((id) => byId.get(xeroLinkId({ storeId, entity, entityId: id })) ?? []),
    markPendingMany: async (marks) => {
      pendingWrites.push(marks.length);
      for (const m of marks) pendingMarks.push({ key: m.key, businessKey: m.businessKey });
    },
  });
  const logged: string[] = [];
  const outcomes = new ItemOutcomes(items);
  const ledger = new LinkLedger(store, STORE, TENANT);
  const logger = {
    warn: (m: unknown) => void logged.push(String(m)),
    error: (m: unknown) => void logged.push(String(m)),
  };
  const ctx = new StageContext(STORE, TENANT, defaultMappingSettings(), outcomes, ledger, logger);
  const xero = new RecordingXero();
  const writer = new BatchWriter(xero, outcomes, ledger, {
    storeId: STORE,
    priority: 'normal',
    signal: new AbortController().signal,
    batchSize: 50,
    maxBytes: 3_500_000,
  });
  /** The bodies sent to one path (the requests' element lists, flattened). */
  const sent = (path: string): Record<string, unknown>[] =>
    xero.requests
      .filter((r) => r.path.split('?')[0] === path)
      .flatMap((r) => Object.values(r.body as Record<string, Record<string, unknown>[]>)[0]);
  const resultOf = (i: DeliveryItem) => outcomes.results()[items.indexOf(i)];
  return { ctx, writer, xero, outcomes, sent, resultOf, pendingMarks, pendingWrites, logged };
}
