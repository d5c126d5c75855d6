import type { Logger } from '@nestjs/common';
import type { XeroLinkRecord, XeroMappingSettings } from '@xero-sync/persistence';
import type { EntityName, MagentoCreditMemo } from '@xero-sync/contracts';
import type { Entry } from './batch-writer';
import { DeliveryItem } from './delivery.types';
import { ItemOutcomes } from './item-outcomes';
import { LinkLedger } from './link-ledger';
import { OrderLinks } from './order-links';

/** Xero references of records synced (or found synced) this run, and the records that failed. */
export class SyncedRefs {
  private readonly refs = new Map<string, string>();
  private readonly failures = new Map<string, string | undefined>();

  set(id: string, ref: string): void {
    this.refs.set(id, ref);
  }

  get(id: string): string | undefined {
    return this.refs.get(id);
  }

  has(id: string): boolean {
    return this.refs.has(id);
  }

  /** The record did not reach Xero this run; `reason` says why (what a record that needs it then waits on). */
  markFailed(id: string, reason?: string): void {
    this.failures.set(id, reason);
  }

  failed(id: string): boolean {
    return this.failures.has(id);
  }

  /** Why a record failed this run, as its own outcome said (undefined when it did not fail or no reason was kept). */
  failureOf(id: string): string | undefined {
    return this.failures.get(id);
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

  /** Undecided items of one entity with their links by entity id; undefined when there are none. */
  async pendingWithLinks<E extends EntityName>(
    entity: E,
  ): Promise<{ items: DeliveryItem<E>[]; links: Map<string, XeroLinkRecord> } | undefined> {
    const items = this.outcomes.pending(entity);
    if (items.length === 0) return undefined;
    return {
      items,
      links: await this.links.read(
        entity,
        items.map((i) => i.entityId),
      ),
    };
  }

  /**
   * An element that decides one item: a refusal is noted on its link (when that exists) and decides the item.
   * `beforeFail` undoes what planning reserved for it.
   */
  entryFor(item: DeliveryItem, element: Omit<Entry, 'items' | 'onFail'>, beforeFail?: () => void): Entry {
    return {
      items: [item],
      ...element,
      onFail: (err) => {
        beforeFail?.();
        this.links.stageFailure(element.link, err.message);
        this.outcomes.fail(item, err);
      },
    };
  }
}
