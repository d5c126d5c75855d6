import type { MagentoCreditMemo } from '@xero-sync/contracts';
import {
  defaultStoreSettings,
  StoreSettingsRepository,
  XeroLinkRecord,
  XeroLinkRepository,
  xeroLinkId,
} from '@xero-sync/persistence';
import { generateStore } from '@xero-sync/testing';
import { DryRunService } from './dry-run.service';
import { item, link, STORE, strict, TENANT } from './test/stage-kit';

const store = generateStore({ seed: 21, customers: 3, orders: 10 });

/** Reads only: any link write (or anything else) fails the test. */
function dryRun(links: XeroLinkRecord[]): DryRunService {
  const byId = new Map(links.map((l) => [l.id, l]));
  const settings = strict<StoreSettingsRepository>('settings', {
    get: async (storeId) => ({ ...defaultStoreSettings(storeId), xeroTenantId: TENANT }),
  });
  const repo = strict<XeroLinkRepository>('links', {
    find: async (key) => byId.get(xeroLinkId(key)) ?? null,
    findMany: async (storeId, entity, ids) =>
      ids.flatMap((id) => byId.get(xeroLinkId({ storeId, entity, entityId: id })) ?? []),
    findKeys: async (keys) => keys.flatMap((k) => byId.get(xeroLinkId(k)) ?? []),
  });
  return new DryRunService(settings, repo);
}

const paths = (p: { requests: { method: string; path: string }[] }) =>
  p.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`);

describe('DryRunService', () => {
  it('shows the contact, items and invoice a new order would post, with its totals', async () => {
    const order = store.orders.find((o) => o.state !== 'canceled')!;
    const preview = await dryRun([]).preview(STORE, item('order', String(order.entity_id), order));
    expect(paths(preview)).toEqual(['POST /Contacts', 'POST /Items', 'POST /Invoices']);
    expect(preview.calls).toBe(3);
    expect(preview.totals.storeTotal).toBe(order.grand_total);
    expect(preview.result).toMatchObject({ status: 'synced', action: 'create' });
    const invoice = (preview.requests[2].body as { Invoices: { Contact: { ContactID: string } }[] }).Invoices[0];
    expect(invoice.Contact.ContactID).toMatch(/^<ContactID of /);
  });

  it('refunds (not allocates) a memo of a paid order, as delivery does', async () => {
    const memo: MagentoCreditMemo = { ...store.creditMemos[0], invoice_id: null, payment_method: 'checkmo' };
    const orderLink = link('order', String(memo.order_id), {
      xeroId: 'INV-1',
      xeroStatus: 'AUTHORISED',
      contactXeroId: 'C-1',
      amountDue: 50,
      amountPaid: memo.grand_total,
      storePaid: memo.grand_total,
    });
    const preview = await dryRun([orderLink]).preview(STORE, item('creditmemo', String(memo.entity_id), memo));
    expect(paths(preview)).toEqual(['POST /CreditNotes', 'PUT /Payments']);
    expect(preview.result).toMatchObject({ status: 'synced', action: 'refund' });
  });

  it('shows a skip instead of requests when delivery would wait', async () => {
    const inv = store.invoices[0];
    const preview = await dryRun([]).preview(STORE, item('invoice', String(inv.entity_id), inv));
    expect(preview.requests).toEqual([]);
    expect(preview.result).toMatchObject({ status: 'waiting', message: expect.stringContaining('not in Xero yet') });
    expect(preview.totals.total).toBe(inv.grand_total);
  });
});
