import type { AccountingApi } from 'xero-node';
import type { AxiosResponse } from 'axios';
import type { CallLane, DeliveryPriority } from '../limiter/org-rate-budget';

/** Which kind of work a call serves, counted per class in the daily report: queue/Immediately writes, Sync Now, admin reads. */
export type CallClass = 'sync' | 'sync-now' | 'read';

/** Per-call context: who waits (priority), what for (lane), and the Idempotency-Key of a write. */
export interface CallContext {
  priority: DeliveryPriority;
  lane: CallLane;
  /** Default: 'read' in the read lane, else 'sync'. */
  callClass?: CallClass;
  idempotencyKey?: string;
  /** Override of the module's max rate wait for this call. */
  maxWaitMs?: number;
  /** Once aborted, the call is not started (checked after the rate wait, right before the request). */
  signal?: AbortSignal;
}

/** One element of a summarizeErrors=false answer, in Xero's JSON shape. */
export type XeroElement = Record<string, unknown> & {
  StatusAttributeString?: string;
  ValidationErrors?: { Message?: string }[];
  HasErrors?: boolean;
  HasValidationErrors?: boolean;
};

/** What one HTTP call to Xero did (for counting calls per delivery). */
export interface CallOutcome<T> {
  body: T;
  status: number;
}

/** Xero's JSON as it comes back (PascalCase keys). */
export type Json = Record<string, unknown>;

/** One positional xero-node SDK call, given the API object, the tenant and the request headers. */
export type SdkCall = (
  api: AccountingApi,
  tenant: string,
  headers: { headers: Record<string, string> },
) => Promise<{ response: AxiosResponse; body: unknown }>;
