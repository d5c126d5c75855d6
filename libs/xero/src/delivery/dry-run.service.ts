import { Injectable } from '@nestjs/common';
import type {
  MagentoCreditMemo,
  MagentoCustomer,
  MagentoInvoice,
  MagentoOrder,
  MagentoProduct,
} from '@xero-sync/contracts';
import { StoreSettingsRepository, XeroLinkRepository } from '@xero-sync/persistence';
import {
  contactEntityIdForOrder,
  contactNumberFor,
  mapCustomerContact,
  mapOrderContact,
} from '../mapping/contact.mapper';
import { mapCreditMemoCreditNote } from '../mapping/credit-note.mapper';
import { billableItems, mapOrderInvoice } from '../mapping/invoice.mapper';
import { itemCodeFor, mapOrderLineItem, mapProductItem } from '../mapping/item.mapper';
import { roundTo } from '../mapping/money';
import { mapAllocation, mapCreditNoteRefund, mapInvoicePayment, paymentAccountFor } from '../mapping/payment.mapper';
import { MappedTotals } from '../mapping/xero-documents';
import { DeliveryItem } from './delivery.types';

export interface DryRunRequest {
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  body?: unknown;
}

export interface DryRunPreview {
  requests: DryRunRequest[];
  /** Calls this item would cost on its own (in a batch they are shared). */
  calls: number;
  totals: MappedTotals;
  /** Mapping problems (e.g. an unmapped tax rate) that would fail the delivery. */
  errors: string[];
}

const ZERO: MappedTotals = { subTotal: 0, totalTax: 0, total: 0, storeTotal: 0, roundingAdjustment: 0 };

/**
 * For any entity: the exact Xero payloads the delivery would send, the calls it would cost alone and the
 * totals Xero would compute — without calling Xero (it reads only xero_links for known ids).
 */
@Injectable()
export class DryRunService {
  constructor(
    private readonly settings: StoreSettingsRepository,
    private readonly links: XeroLinkRepository,
  ) {}

  async preview(storeId: string, item: DeliveryItem): Promise<DryRunPreview> {
    const { mapping } = await this.settings.get(storeId);
    const link = (entity: string, id: string) => this.links.find({ storeId, entity, entityId: id });
    const requests: DryRunRequest[] = [];
    let totals = ZERO;
    try {
      switch (item.entity) {
        case 'customer': {
          const c = item.payload as MagentoCustomer;
          const l = await link('customer', String(c.id));
          const body = mapCustomerContact(c, mapping, l?.name);
          requests.push({
            method: 'POST',
            path: '/Contacts?summarizeErrors=false',
            body: { Contacts: [l?.xeroId ? { ContactID: l.xeroId, ...body } : body] },
          });
          break;
        }
        case 'product': {
          const p = item.payload as MagentoProduct;
          const l = await link('product', p.sku);
          const body = { ...mapProductItem(p, mapping), Code: l?.businessKey ?? itemCodeFor(p.sku) };
          requests.push({ method: 'POST', path: '/Items?summarizeErrors=false&unitdp=4', body: { Items: [body] } });
          break;
        }
        case 'order': {
          const o = item.payload as MagentoOrder;
          const contactKey = contactEntityIdForOrder(o);
          const contactLink = await link('customer', contactKey);
          if (!contactLink?.xeroId) {
            requests.push({
              method: 'POST',
              path: '/Contacts?summarizeErrors=false',
              body: { Contacts: [mapOrderContact(o, mapping)] },
            });
          }
          const missing = [];
          for (const line of billableItems(o))
            if (!(await link('product', line.sku))?.xeroId) missing.push(mapOrderLineItem(line, mapping));
          if (missing.length)
            requests.push({ method: 'POST', path: '/Items?summarizeErrors=false&unitdp=4', body: { Items: missing } });
          const l = await link('order', item.entityId);
          const contact = contactLink?.xeroId
            ? { ContactID: contactLink.xeroId }
            : { ContactNumber: contactNumberFor(mapping, contactKey) };
          const mapped = mapOrderInvoice(o, mapping, { contact, invoiceId: l?.xeroId });
          totals = mapped.totals;
          if (o.state === 'canceled') {
            if (l?.xeroId) {
              const target = l.xeroStatus === 'AUTHORISED' ? 'VOIDED' : 'DELETED';
              requests.push({
                method: 'POST',
                path: '/Invoices?summarizeErrors=false&unitdp=4',
                body: { Invoices: [{ InvoiceID: l.xeroId, Status: target }] },
              });
            }
          } else {
            requests.push({
              method: 'POST',
              path: '/Invoices?summarizeErrors=false&unitdp=4',
              body: { Invoices: [mapped.body] },
            });
          }
          break;
        }
        case 'invoice': {
          const inv = item.payload as MagentoInvoice;
          const account = paymentAccountFor(mapping, inv.payment_method);
          const orderLink = await link('order', String(inv.order_id));
          if (account !== null) {
            const body = mapInvoicePayment(inv, account, orderLink?.xeroId ?? '<invoice id once the order is synced>');
            requests.push({ method: 'PUT', path: '/Payments?summarizeErrors=false', body: { Payments: [body] } });
          }
          totals = { ...ZERO, total: roundTo(inv.grand_total, 2), storeTotal: roundTo(inv.grand_total, 2) };
          break;
        }
        case 'creditmemo': {
          const memo = item.payload as MagentoCreditMemo;
          const orderLink = await link('order', String(memo.order_id));
          const contact = orderLink?.contactXeroId
            ? { ContactID: orderLink.contactXeroId }
            : { ContactNumber: '<the order contact>' };
          const mapped = mapCreditMemoCreditNote(memo, mapping, { contact, currencyCode: orderLink?.currencyCode });
          totals = mapped.totals;
          requests.push({
            method: 'POST',
            path: '/CreditNotes?summarizeErrors=false&unitdp=4',
            body: { CreditNotes: [mapped.body] },
          });
          const due = orderLink?.amountDue ?? 0;
          const alloc = Math.min(mapped.totals.total, Math.max(0, due));
          const cnId = '<credit note id>';
          if (alloc > 0) {
            requests.push({
              method: 'PUT',
              path: `/CreditNotes/${cnId}/Allocations?summarizeErrors=false`,
              body: { Allocations: [mapAllocation(memo, orderLink!.xeroId!, alloc)] },
            });
          }
          const rest = roundTo(mapped.totals.total - alloc, 2);
          const account = paymentAccountFor(mapping, memo.payment_method);
          if (rest > 0 && account !== null) {
            requests.push({
              method: 'PUT',
              path: '/Payments?summarizeErrors=false',
              body: { Payments: [mapCreditNoteRefund(memo, account, cnId, rest)] },
            });
          }
          break;
        }
      }
    } catch (err) {
      return { requests, calls: requests.length, totals, errors: [(err as Error).message] };
    }
    return { requests, calls: requests.length, totals, errors: [] };
  }
}
