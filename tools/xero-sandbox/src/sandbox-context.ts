import { SandboxClock } from './clock';
import { Counters } from './control/counters';
import { FaultRegistry } from './control/faults';
import { RequestWatches } from './control/request-watches';
import { IdempotencyStore } from './idempotency/idempotency-store';
import { IdentityStore } from './identity/identity-store';
import { RateLimiter } from './limits/rate-limiter';
import { SpecValidator } from './spec/spec-validator';
import { OrgRec } from './state/records';

/** Everything one running sandbox holds; passed to each router so no state is global. */
export interface SandboxContext {
  clock: SandboxClock;
  orgs: Map<string, OrgRec>;
  identity: IdentityStore;
  limiter: RateLimiter;
  idempotency: IdempotencyStore;
  faults: FaultRegistry;
  counters: Counters;
  watches: RequestWatches;
  spec: SpecValidator;
}

/** Wipes every piece of state (`POST /__sandbox/reset`). */
export function resetContext(ctx: SandboxContext): void {
  ctx.orgs.clear();
  ctx.identity.reset();
  ctx.limiter.reset();
  ctx.idempotency.reset();
  ctx.faults.clear();
  ctx.counters.reset();
  ctx.watches.clear();
}
