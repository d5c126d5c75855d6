import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { breakerState, xeroBreakerOpen } from '@xero-sync/observability';

/**
 * `/health` summary of the per-org Xero circuit breakers (from the breaker gauge Xero delivery maintains).
 * Always "up": an org's Xero outage is handled by queueing, so it must not make the syncer look unhealthy
 * (an orchestrator would restart it for nothing); the details list the open and half-open orgs of this
 * syncer's breakers, and `openFleetWide`: the orgs paused because any process of the fleet opened their breaker.
 */
@Injectable()
export class XeroBreakerIndicator {
  constructor(private readonly indicator: HealthIndicatorService) {}

  async check(): Promise<HealthIndicatorResult> {
    const { values } = await breakerState.get();
    const open = values.filter((v) => v.value === 2).map((v) => String(v.labels.org));
    const halfOpen = values.filter((v) => v.value === 1).map((v) => String(v.labels.org));
    const fleet = (await xeroBreakerOpen.get()).values;
    const openFleetWide = fleet.filter((v) => v.value === 1).map((v) => String(v.labels.org));
    return this.indicator.check('xero').up({ orgs: values.length, open, halfOpen, openFleetWide });
  }
}
