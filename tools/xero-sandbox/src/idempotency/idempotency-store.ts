import { SandboxClock } from '../clock';

/** A finished answer as it went to the client, so a replay can repeat it byte for byte. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface Entry {
  fingerprint: string;
  expiresAt: number;
  response?: StoredResponse;
  /** Resolves when the first request finishes (or is abandoned, with undefined). */
  done: Promise<StoredResponse | undefined>;
  settle: (r: StoredResponse | undefined) => void;
}

export type Claim =
  | { kind: 'new'; complete: (r: StoredResponse) => void; abandon: () => void }
  | { kind: 'replay'; response: Promise<StoredResponse | undefined> }
  | { kind: 'conflict' };

/** Xero caps the header at 128 characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

/**
 * Xero's Idempotency-Key memory, per organisation. The first request with a key claims it; a repeat with the same
 * fingerprint (method, path, query, body) gets the first answer — waiting for it if the first is still running —
 * and a repeat with a different fingerprint is refused. Keys are forgotten `windowMs` (Xero time) after the first
 * call, which is why durable de-duplication must rest on business keys, not on this.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly windowMs: number,
  ) {}

  claim(tenantId: string, key: string, fingerprint: string): Claim {
    this.sweep();
    const id = `${tenantId}\u0000${key}`;
    const existing = this.entries.get(id);
    if (existing) {
      if (existing.fingerprint !== fingerprint) return { kind: 'conflict' };
      return { kind: 'replay', response: existing.response ? Promise.resolve(existing.response) : existing.done };
    }
    let settle!: (r: StoredResponse | undefined) => void;
    const done = new Promise<StoredResponse | undefined>((resolve) => (settle = resolve));
    const entry: Entry = { fingerprint, expiresAt: this.clock.xeroNow() + this.windowMs, done, settle };
    this.entries.set(id, entry);
    return {
      kind: 'new',
      complete: (r) => {
        entry.response = r;
        settle(r);
      },
      // The first attempt never reached the business logic (a fault, a 429): forget the key so a retry runs fresh.
      abandon: () => {
        if (this.entries.get(id) === entry && !entry.response) this.entries.delete(id);
        settle(undefined);
      },
    };
  }

  reset(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const now = this.clock.xeroNow();
    for (const [id, e] of this.entries) if (e.expiresAt <= now && e.response) this.entries.delete(id);
  }
}
