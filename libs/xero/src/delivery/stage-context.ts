import type { Logger } from '@nestjs/common';
import type { XeroLinkRecord, XeroMappingSettings } from '@xero-sync/persistence';
import type { MagentoCreditMemo } from '@xero-sync/contracts';
import { DeliveryItem } from './delivery.types';
import { ItemOutcomes } from './item-outcomes';
import { LinkLedger } from './link-ledger';
import { OrderLinks } from './order-links';

/** Xero references of records synced (or found synced) this run, and the records that failed. */
export class SyncedRefs {
  private readonly refs = new Map<string, string>();
  private readonly failedIds = new Set<string>();

  set(id: string, ref: string): void {
    this.refs.set(id, ref);
  }

  get(id: string): string | undefined {
    return this.refs.get(id);
  }

  has(id: string): boolean {
    return this.refs.has(id);
  }

  markFailed(id: string): void {
    this.failedIds.add(id);
  }

  failed(id: string): boolean {
    return this.failedIds.has(id);
  }
}

/** A credit note in Xero (written or found unchanged this run) whose credit is still to be applied. */
export interface NoteToSettle {
  item: DeliveryItem;
  memo: MagentoCreditMemo;
  creditNoteId: string;
  total: number;
  /** The credit note was written this run (the item counts as synced even with nothing left to apply). */
  written: boolean;
  /** The memo's link as read at the start of the credit-note stage. */
  link?: XeroLinkRecord;
}

/** What stages log (Nest's Logger in production). */
export type StageLogger = Pick<Logger, 'error' | 'warn'>;

/**
 * What the stages of one run share, by name: the store and org, the mapping settings, the items' outcomes, the
 * link ledger, and what earlier stages learned for later ones (contact ids, item codes, order links, credit notes
 * to settle).
 */
export class StageContext {
  /** Contact entity id (customer id or guest key) → ContactID. */
  readonly contacts = new SyncedRefs();
  /** SKU → Item Code. */
  readonly itemCodes = new SyncedRefs();
  readonly orders: OrderLinks;
  /** Filled by the credit-note stage, emptied by the settlement stage. */
  readonly notesToSettle: NoteToSettle[] = [];

  constructor(
    readonly storeId: string,
    readonly tenantId: string,
    readonly mapping: XeroMappingSettings,
    readonly outcomes: ItemOutcomes,
    readonly links: LinkLedger,
    readonly logger: StageLogger,
  ) {
    this.orders = new OrderLinks(links);
  }
}
