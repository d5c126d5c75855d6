import { randomUUID } from 'node:crypto';

/** A fault a test can inject through `POST /__sandbox/faults`. */
export type FaultSpec =
  | { kind: 'status'; status: number; count?: number; durationMs?: number }
  | { kind: 'latency'; ms: number; count?: number; durationMs?: number }
  | { kind: 'drop'; count?: number; durationMs?: number }
  | { kind: 'drop-after-commit'; count?: number; durationMs?: number }
  | {
      kind: 'rate-limit';
      count?: number;
      durationMs?: number;
      problem?: 'minute' | 'day' | 'concurrent' | 'appminute';
    };

/** Where a fault applies: optionally one organisation, optionally a path prefix. */
export interface FaultScope {
  tenantId?: string;
  /** Matched against the full path (`/api.xro/2.0/Invoices`, `/connect/token`) and the accounting-relative path. */
  pathPrefix?: string;
}

export type Fault = FaultSpec & FaultScope & { id: string; remaining?: number; until?: number };

const KINDS = ['status', 'latency', 'drop', 'drop-after-commit', 'rate-limit'];

/** Checks a control-API fault body, returning an error message or undefined. */
export function invalidFault(body: Record<string, unknown>): string | undefined {
  if (!KINDS.includes(body.kind as string)) return `kind must be one of ${KINDS.join(', ')}`;
  if (body.kind === 'status' && !(Number.isInteger(body.status) && (body.status as number) >= 400)) {
    return 'status fault needs an integer status >= 400';
  }
  if (body.kind === 'latency' && !(typeof body.ms === 'number' && body.ms >= 0)) return 'latency fault needs ms >= 0';
  if (body.count !== undefined && !(Number.isInteger(body.count) && (body.count as number) > 0)) {
    return 'count must be a positive integer';
  }
  return undefined;
}

/**
 * Injected faults. Each fires until its `count` is used up or its `durationMs` (real time: tests reason in real
 * seconds about outages) has passed; without either it stays until cleared. A fault without `pathPrefix` applies
 * to accounting calls only, so a test can break the API without also breaking the token endpoint.
 */
export class FaultRegistry {
  private faults: Fault[] = [];

  add(spec: FaultSpec & FaultScope): Fault {
    const f: Fault = {
      ...spec,
      id: randomUUID(),
      remaining: spec.count,
      until: spec.durationMs !== undefined ? Date.now() + spec.durationMs : undefined,
    };
    this.faults.push(f);
    return f;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    this.expire();
    return [...this.faults];
  }

  /** Takes (and uses up one firing of) the first live fault of `kind` that matches the call. */
  take<K extends FaultSpec['kind']>(
    kind: K,
    call: { tenantId?: string; fullPath: string; accountingPath?: string },
  ): Extract<Fault, { kind: K }> | undefined {
    this.expire();
    const f = this.faults.find((x) => x.kind === kind && matches(x, call));
    if (!f) return undefined;
    if (f.remaining !== undefined) {
      f.remaining--;
      if (f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
    }
    return f as Extract<Fault, { kind: K }>;
  }

  private expire(): void {
    const now = Date.now();
    this.faults = this.faults.filter((f) => f.until === undefined || f.until > now);
  }
}

function matches(f: Fault, call: { tenantId?: string; fullPath: string; accountingPath?: string }): boolean {
  if (f.tenantId && f.tenantId !== call.tenantId) return false;
  if (!f.pathPrefix) return call.accountingPath !== undefined;
  const prefix = f.pathPrefix.toLowerCase();
  return (
    call.fullPath.toLowerCase().startsWith(prefix) ||
    (call.accountingPath !== undefined && call.accountingPath.toLowerCase().startsWith(prefix))
  );
}
