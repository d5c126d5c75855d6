import CircuitBreaker from 'opossum';
import { breakerState } from '@xero-sync/observability';
import { countsForBreaker, XeroError } from '../xero.errors';

export type BreakerStateName = 'closed' | 'halfOpen' | 'open';

export interface BreakerOptions {
  /** A call slower than this fails (and counts as an outage). */
  timeoutMs: number;
  /** How long the breaker stays open before letting one probe through. */
  resetTimeoutMs: number;
  /** Failures within the rolling window needed before the breaker may open. */
  volumeThreshold: number;
  errorThresholdPercentage: number;
  rollingWindowMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = {
  timeoutMs: 30_000,
  resetTimeoutMs: 30_000,
  volumeThreshold: 3,
  errorThresholdPercentage: 50,
  rollingWindowMs: 10_000,
};

type Action = () => Promise<unknown>;
const GAUGE: Record<BreakerStateName, number> = { closed: 0, halfOpen: 1, open: 2 };

/**
 * One opossum breaker per org around its Xero calls. Only outages count (timeouts, 5xx, no answer): a
 * validation error or a 429 says Xero is up. State changes go to the `breakerState` metric.
 */
export class OrgBreakers {
  private readonly breakers = new Map<string, CircuitBreaker<[Action], unknown>>();

  /** `onChange` hears every state change (the fleet budget shares open breakers with the other processes). */
  constructor(
    private readonly options: BreakerOptions = DEFAULT_BREAKER,
    private readonly onChange: (tenantId: string, state: BreakerStateName) => void = () => undefined,
  ) {}

  /** Whether calls for the org are currently refused without trying. */
  isOpen(tenantId: string): boolean {
    return this.breakers.get(tenantId)?.opened ?? false;
  }

  state(tenantId: string): BreakerStateName {
    const b = this.breakers.get(tenantId);
    if (!b) return 'closed';
    return b.opened ? 'open' : b.halfOpen ? 'halfOpen' : 'closed';
  }

  states(): Record<string, BreakerStateName> {
    return Object.fromEntries([...this.breakers.keys()].map((t) => [t, this.state(t)]));
  }

  /** Runs `action` through the org's breaker; refused calls reject with CIRCUIT_OPEN. */
  async run<T>(tenantId: string, action: () => Promise<T>): Promise<T> {
    const breaker = this.breakerFor(tenantId);
    try {
      return (await breaker.fire(action)) as T;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EOPENBREAKER') {
        throw new XeroError('CIRCUIT_OPEN', 'Xero looks unavailable for this org; calls are paused', {
          retryAfterMs: this.options.resetTimeoutMs,
        });
      }
      if (code === 'ETIMEDOUT' && !(err instanceof XeroError)) {
        throw new XeroError('UNAVAILABLE', `Xero did not answer within ${this.options.timeoutMs} ms`);
      }
      throw err;
    }
  }

  shutdown(): void {
    for (const b of this.breakers.values()) b.shutdown();
    this.breakers.clear();
  }

  private breakerFor(tenantId: string): CircuitBreaker<[Action], unknown> {
    let b = this.breakers.get(tenantId);
    if (b) return b;
    b = new CircuitBreaker((action: Action) => action(), {
      timeout: this.options.timeoutMs,
      resetTimeout: this.options.resetTimeoutMs,
      volumeThreshold: this.options.volumeThreshold,
      errorThresholdPercentage: this.options.errorThresholdPercentage,
      rollingCountTimeout: this.options.rollingWindowMs,
      errorFilter: (err: unknown) => !countsForBreaker(err),
    });
    const set = (s: BreakerStateName) => breakerState.set({ org: tenantId }, GAUGE[s]);
    const change = (s: BreakerStateName) => {
      set(s);
      this.onChange(tenantId, s);
    };
    b.on('open', () => change('open'));
    b.on('halfOpen', () => change('halfOpen'));
    b.on('close', () => change('closed'));
    set('closed');
    this.breakers.set(tenantId, b);
    return b;
  }
}
