/**
 * The Xero sandbox: a strict local stand-in for Xero's identity and accounting APIs, held to Xero's OpenAPI spec.
 * See tools/xero-sandbox/README.md for the control API and the behaviours modelled.
 */
export { startSandbox } from './sandbox';
export type { RunningSandbox, SandboxOptions } from './sandbox';
export { DEFAULT_ACCOUNTS, DEFAULT_TAX_RATES } from './state/seed';
export type { SeedAccount, SeedTaxRate } from './state/seed';
export type { CreateOrgInput } from './state/orgs';
export type { FaultSpec, FaultScope } from './control/faults';
export type { CountersView } from './control/counters';
export { LIMITS } from './limits/rate-limiter';
export type { OrgTier, RateLimitProblem } from './limits/rate-limiter';
export { SpecValidator } from './spec/spec-validator';
export { MAX_BODY_BYTES } from './accounting/accounting.router';
export { TAX_OVERRIDE_TOLERANCE } from './rules/totals';
