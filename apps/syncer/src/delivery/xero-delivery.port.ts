import { EntityName, EntityPayloads } from '@xero-sync/contracts';

/**
 * What the syncer needs from libs/xero, stated as interfaces so the use cases depend on behaviour, not on
 * the implementation (XeroDeliveryService and StoreSettingsRepository satisfy them structurally; the
 * bindings module wires them). Shapes follow the agreed public API of @xero-sync/xero.
 */
export type XeroErrorCode =
  | 'RATE_LIMITED'
  | 'UNAUTHORIZED'
  | 'VALIDATION'
  | 'UNAVAILABLE'
  | 'CIRCUIT_OPEN'
  | 'DISCONNECTED'
  | 'NOT_CONNECTED'
  | 'DEPENDENCY_FAILED';

export interface DeliveryItem {
  entity: EntityName;
  entityId: string;
  payload: EntityPayloads[EntityName];
  eventId: string;
  correlationId?: string;
}

export type DeliveryStatus = 'synced' | 'unchanged' | 'failed' | 'waiting' | 'deferred';

export interface DeliveryResult {
  entity: EntityName;
  entityId: string;
  status: DeliveryStatus;
  action?: 'create' | 'update' | 'void' | 'delete' | 'payment' | 'allocate' | 'refund' | 'none';
  xeroId?: string;
  xeroUrl?: string;
  message: string;
  error?: { code: XeroErrorCode; retryable: boolean; retryAfterMs?: number };
  calls: number;
  durationMs: number;
}

export type DeliveryPriority = 'interactive' | 'normal' | 'backfill';

/** Writes store records to Xero; one result per item, never throws for per-item problems. */
export interface XeroDelivery {
  deliver(storeId: string, items: DeliveryItem[], opts: { priority: DeliveryPriority }): Promise<DeliveryResult[]>;
}

export type SyncMode = 'immediate' | 'cron';

/** The part of a store's settings the syncer acts on. */
export interface SyncSettings {
  storeId: string;
  xeroTenantId?: string;
  mode: SyncMode;
  cronIntervalMinutes: number;
  entitiesEnabled: EntityName[];
}

export interface SyncSettingsSource {
  get(storeId: string): Promise<SyncSettings>;
}

/** Injection tokens for the two ports. */
export const XERO_DELIVERY = Symbol('XERO_DELIVERY');
export const SYNC_SETTINGS_SOURCE = Symbol('SYNC_SETTINGS_SOURCE');
