import { EntityName } from '@xero-sync/contracts';
import type { DeliveryItem, DeliveryOptions, DeliveryResult, SyncMode, XeroMappingSettings } from '@xero-sync/xero';

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
  SyncMode,
  XeroErrorCode,
} from '@xero-sync/xero';

/** Writes store records to Xero; one result per item, never throws for per-item problems. */
export interface XeroDelivery {
  deliver(settings: SyncSettings, items: DeliveryItem[], opts: DeliveryOptions): Promise<DeliveryResult[]>;
}

/** The part of a store's settings the syncer acts on. */
export interface SyncSettings {
  storeId: string;
  xeroTenantId?: string;
  mode: SyncMode;
  cronIntervalMinutes: number;
  entitiesEnabled: EntityName[];
  mapping: XeroMappingSettings;
}

export interface SyncSettingsSource {
  get(storeId: string): Promise<SyncSettings>;
}

/** Injection tokens for the two ports. */
export const XERO_DELIVERY = Symbol('XERO_DELIVERY');
export const SYNC_SETTINGS_SOURCE = Symbol('SYNC_SETTINGS_SOURCE');
