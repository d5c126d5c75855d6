import { MINUTE_MS, SandboxClock } from '../clock';

interface Tally {
  total: number;
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
  http429: number;
  idempotentReplays: number;
  elements: Record<string, number>;
  /** Calls by resource and by how many elements they carried (the batch sizes clients really send). */
  elementsPerCall: Record<string, Record<string, number>>;
  maxConcurrentSeen: number;
  tokenRefreshes: number;
  /** Calls per Xero-time minute window, keyed by the window's start (ms). */
  perMinute: Map<number, number>;
}

/** The JSON `GET /__sandbox/counters` answers with. */
export interface CountersView {
  total: number;
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
  http429: number;
  idempotentReplays: number;
  elements: Record<string, number>;
  /** Calls by resource and by elements per call, e.g. `{Invoices: {"50": 180, "12": 1}}`. */
  elementsPerCall: Record<string, Record<string, number>>;
  maxConcurrentSeen: number;
  tokenRefreshes: number;
  perMinute: Array<{ minute: string; calls: number }>;
}

function emptyTally(): Tally {
  return {
    total: 0,
    byEndpoint: {},
    byStatus: {},
    http429: 0,
    idempotentReplays: 0,
    elements: {},
    elementsPerCall: {},
    maxConcurrentSeen: 0,
    tokenRefreshes: 0,
    perMinute: new Map(),
  };
}

const MAX_MINUTES = 24 * 60;

/**
 * What tests and benchmarks read back: calls by endpoint and status, 429s, idempotent replays, elements written
 * (and per call), peak concurrency and token refreshes, per organisation and for the whole sandbox.
 */
export class Counters {
  private readonly all = emptyTally();
  private readonly byTenant = new Map<string, Tally>();

  constructor(private readonly clock: SandboxClock) {}

  reset(): void {
    Object.assign(this.all, emptyTally());
    this.byTenant.clear();
  }

  /** Counts one answered accounting call. */
  call(tenantId: string | undefined, endpoint: string, status: number | 'dropped'): void {
    const minute = Math.floor(this.clock.xeroNow() / MINUTE_MS) * MINUTE_MS;
    for (const t of this.tallies(tenantId)) {
      t.total++;
      t.byEndpoint[endpoint] = (t.byEndpoint[endpoint] ?? 0) + 1;
      t.byStatus[String(status)] = (t.byStatus[String(status)] ?? 0) + 1;
      if (status === 429) t.http429++;
      t.perMinute.set(minute, (t.perMinute.get(minute) ?? 0) + 1);
      if (t.perMinute.size > MAX_MINUTES) t.perMinute.delete(t.perMinute.keys().next().value!);
    }
  }

  replay(tenantId: string): void {
    for (const t of this.tallies(tenantId)) t.idempotentReplays++;
  }

  elements(tenantId: string, resource: string, n: number): void {
    for (const t of this.tallies(tenantId)) {
      t.elements[resource] = (t.elements[resource] ?? 0) + n;
      const sizes = (t.elementsPerCall[resource] ??= {});
      sizes[String(n)] = (sizes[String(n)] ?? 0) + 1;
    }
  }

  concurrency(tenantId: string, inFlight: number): void {
    for (const t of this.tallies(tenantId)) t.maxConcurrentSeen = Math.max(t.maxConcurrentSeen, inFlight);
  }

  tokenRefresh(tenantIds: string[]): void {
    this.all.tokenRefreshes++;
    for (const id of tenantIds) this.tenant(id).tokenRefreshes++;
  }

  view(tenantId?: string): CountersView {
    const t = tenantId ? (this.byTenant.get(tenantId) ?? emptyTally()) : this.all;
    return {
      total: t.total,
      byEndpoint: { ...t.byEndpoint },
      byStatus: { ...t.byStatus },
      http429: t.http429,
      idempotentReplays: t.idempotentReplays,
      elements: { ...t.elements },
      elementsPerCall: Object.fromEntries(Object.entries(t.elementsPerCall).map(([r, sizes]) => [r, { ...sizes }])),
      maxConcurrentSeen: t.maxConcurrentSeen,
      tokenRefreshes: t.tokenRefreshes,
      perMinute: [...t.perMinute].map(([m, calls]) => ({ minute: new Date(m).toISOString(), calls })),
    };
  }

  private tallies(tenantId: string | undefined): Tally[] {
    return tenantId ? [this.all, this.tenant(tenantId)] : [this.all];
  }

  private tenant(id: string): Tally {
    let t = this.byTenant.get(id);
    if (!t) {
      t = emptyTally();
      this.byTenant.set(id, t);
    }
    return t;
  }
}
