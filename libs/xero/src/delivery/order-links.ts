import type { MagentoOrder } from '@xero-sync/contracts';
import type { XeroLinkRecord } from '@xero-sync/persistence';
import { cents, fromCents } from '../mapping/money';
import { LinkLedger } from './link-ledger';

/**
 * Order links by order entity id, kept current through the run: payments and credits change an invoice's
 * amounts, and later stages (payments, credit-note settlement) decide on those amounts.
 */
export class OrderLinks {
  private readonly byId = new Map<string, XeroLinkRecord>();
  /**
   * Orders this run looked up and found without a link. Not read again: a store invoice or credit memo that
   * arrived before its order (another topic, often consumed by another syncer) otherwise cost a read per stage
   * each, which made most of a flush's link reads. A link this run writes reaches `remember`; one another
   * delivery writes meanwhile is seen by the next attempt (the waiter is woken when that order syncs).
   */
  private readonly missing = new Set<string>();

  constructor(private readonly ledger: LinkLedger) {}

  /** The order's link if this run has read or written it. */
  get(orderId: string): XeroLinkRecord | undefined {
    return this.byId.get(orderId);
  }

  /**
   * Reads the links of these orders not looked up yet in one query, so a stage's `load`s of them cost no command
   * each.
   */
  async loadMany(orderIds: string[]): Promise<void> {
    const unread = [...new Set(orderIds)].filter((id) => !this.byId.has(id) && !this.missing.has(id));
    if (unread.length === 0) return;
    const found = await this.ledger.read('order', unread);
    for (const id of unread) {
      const l = found.get(id);
      if (l) this.byId.set(id, l);
      else this.missing.add(id);
    }
  }

  remember(orderId: string, link: XeroLinkRecord): void {
    this.byId.set(orderId, link);
    this.missing.delete(orderId);
  }

  /** The order's link, read from MongoDB the first time this run asks for it. */
  async load(orderId: string): Promise<XeroLinkRecord | undefined> {
    if (!this.byId.has(orderId) && !this.missing.has(orderId)) {
      const l = await this.ledger.readOne(this.ledger.key('order', orderId));
      if (l) this.byId.set(orderId, l);
      else this.missing.add(orderId);
    }
    return this.byId.get(orderId);
  }

  /**
   * Keeps the order link's `storePaid` at the store's latest figure (whatever happens to the Xero invoice: a
   * paid invoice is not edited, yet the store's payment total still decides how its credit memos settle).
   */
  noteStorePaid(orderId: string, order: MagentoOrder, link: XeroLinkRecord): void {
    const storePaid = order.total_paid ?? 0;
    if (link.storePaid !== undefined && cents(link.storePaid) === cents(storePaid)) return;
    link.storePaid = storePaid;
    this.ledger.stage(this.ledger.key('order', orderId), { storePaid }, false);
  }

  /** Applies money moved against an order's invoice to its link (in memory and, staged, in MongoDB). */
  moveAmounts(orderId: string, paid: number, credited: number): void {
    const l = this.byId.get(orderId);
    if (!l) return;
    const due = fromCents(cents(l.amountDue ?? l.total ?? 0) - cents(paid) - cents(credited));
    const next = {
      amountPaid: fromCents(cents(l.amountPaid ?? 0) + cents(paid)),
      amountCredited: fromCents(cents(l.amountCredited ?? 0) + cents(credited)),
      amountDue: due,
      xeroStatus: due <= 0 ? 'PAID' : l.xeroStatus,
    };
    Object.assign(l, next);
    this.ledger.stage(this.ledger.key('order', orderId), next, false);
  }
}
