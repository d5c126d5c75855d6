import { EntityName } from '@xero-sync/contracts';
import type { SyncMode } from '@xero-sync/persistence';
import type { DeliveryItem, DeliveryOptions, DeliveryResult } from '@xero-sync/xero';

/**
 * What the syncer needs from libs/xero, stated as interfaces so the use cases depend on behaviour, not on
 * the implementation (XeroDeliveryService and StoreSettingsRepository satisfy them structurally; the
 * bindings module wires them). The data shapes are libs/xero's own, re-exported, so the two cannot drift.
 */
export type {
  DeliveryItem,
  DeliveryOptions,
  DeliveryPriority,
  DeliveryResult,
  DeliveryStatus,
  XeroErrorCode,
} from '@xero-sync/xero';
export type { SyncMode } from '@xero-sync/persistence';

/** Writes store records to Xero; one result per item, never throws for per-item problems. */
export interface XeroDelivery {
  deliver(storeId: string, items: DeliveryItem[], opts: DeliveryOptions): Promise<DeliveryResult[]>;
}

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
