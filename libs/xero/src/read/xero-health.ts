import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { BreakerStateName } from '../breaker/org-breakers';
import { XeroAccountingClient } from '../client/xero-accounting.client';

/**
 * Xero's side of /health: down only when every org's breaker is open (one org's outage must not take the
 * syncer out of rotation); details list each org's breaker state ('open' also when another process opened it)
 * and `openOrgs`, the orgs any process of the fleet has paused.
 */
@Injectable()
export class XeroHealth {
  constructor(
    private readonly client: XeroAccountingClient,
    private readonly indicator: HealthIndicatorService,
  ) {}

  breakerStates(): Record<string, BreakerStateName> {
    return this.client.breakerStates();
  }

  async check(): Promise<HealthIndicatorResult> {
    const states = this.breakerStates();
    const openOrgs = await this.client
      .fleetOpenBreakers()
      .catch(() => Object.keys(states).filter((o) => states[o] === 'open'));
    const values = Object.values(states);
    const probe = this.indicator.check('xero');
    const allOpen = values.length > 0 && values.every((s) => s === 'open');
    return allOpen ? probe.down({ breakers: states, openOrgs }) : probe.up({ breakers: states, openOrgs });
  }
}
