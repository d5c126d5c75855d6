import { defaultMappingSettings } from '@xero-sync/persistence';
import { generateStore } from '@xero-sync/testing';
import { contactEntityIdForOrder, mapCustomerContact } from '../mapping/contact.mapper';
import { contactStage, contactWrite, planContacts, wantedContacts } from './contact-stage';
import { item, link, stageWorld } from './test/stage-kit';
import { hashOf } from './xero-values';

const store = generateStore({ seed: 7, customers: 4, orders: 8 });
const mapping = defaultMappingSettings();
const customer = store.customers[0];
const customerItem = item('customer', String(customer.id), customer);
const body = mapCustomerContact(customer, mapping);

describe('contact stage plans', () => {
  it('creates a new contact without an id, updates a known one with its ContactID, leaves equal content alone', () => {
    const [wanted] = wantedContacts({ customers: [customerItem], orders: [] }, mapping);
    const none = new Map<string, string>();
    expect(contactWrite({ wanted }, none)).toEqual({ kind: 'write', body, hash: hashOf(body), xeroId: undefined });
    const stale = link('customer', wanted.id, { xeroId: 'C-1', contentHash: 'old', businessKey: body.ContactNumber });
    expect(contactWrite({ wanted, link: stale }, none)).toMatchObject({ kind: 'write', body: { ContactID: 'C-1' } });
    const same = { ...stale, contentHash: hashOf(body) };
    expect(contactWrite({ wanted, link: same }, none)).toEqual({ kind: 'unchanged', xeroId: 'C-1' });
  });

  it('derives a contact from an order, but never overwrites a known one with it', () => {
    const order = store.orders[0];
    const wanted = wantedContacts({ customers: [], orders: [item('order', String(order.entity_id), order)] }, mapping);
    expect(wanted).toHaveLength(1);
    expect(wanted[0]).toMatchObject({ id: contactEntityIdForOrder(order), derived: true, items: [] });
    const known = planContacts(wanted, new Map([[wanted[0].id, link('customer', wanted[0].id, { xeroId: 'C-9' })]]));
    expect(known.toWrite).toEqual([]);
    expect(known.known.get(wanted[0].id)).toBe('C-9');
  });

  it('looks a lost create up by ContactNumber and then updates the contact it finds', () => {
    const [wanted] = wantedContacts({ customers: [customerItem], orders: [] }, mapping);
    const lost = link('customer', wanted.id, { businessKey: body.ContactNumber, pendingHash: 'h' });
    const plan = planContacts([wanted], new Map([[wanted.id, lost]]));
    expect(plan.lostNumbers).toEqual([body.ContactNumber]);
    const found = new Map([[body.ContactNumber.toLowerCase(), 'C-found']]);
    expect(contactWrite(plan.toWrite[0], found)).toMatchObject({ kind: 'write', body: { ContactID: 'C-found' } });
  });
});

describe('contactStage', () => {
  it('posts customers and order contacts in one batch (charged to the customer) and hands their ids on', async () => {
    const order = store.orders.find((o) => contactEntityIdForOrder(o) !== String(customer.id))!;
    const orderItem = item('order', String(order.entity_id), order);
    const w = stageWorld([customerItem, orderItem]);
    await contactStage(w.ctx, w.writer);
    expect(w.xero.requests).toHaveLength(1);
    expect(w.sent('/Contacts').map((c) => c.ContactNumber)).toHaveLength(2);
    expect(w.resultOf(customerItem)).toMatchObject({ status: 'synced', action: 'create', calls: 1 });
    expect(w.ctx.contacts.get(contactEntityIdForOrder(order))).toMatch(/^<ContactID of /);
    expect(w.outcomes.pending('order')).toEqual([orderItem]);
  });

  it('makes no call when every contact is unchanged', async () => {
    const known = link('customer', String(customer.id), { xeroId: 'C-1', contentHash: hashOf(body) });
    const w = stageWorld([customerItem], [known]);
    await contactStage(w.ctx, w.writer);
    expect(w.xero.requests).toEqual([]);
    expect(w.resultOf(customerItem)).toMatchObject({ status: 'unchanged', action: 'none', xeroId: 'C-1' });
  });

  it('records the lookup of a lost create before writing', async () => {
    const lost = link('customer', String(customer.id), { businessKey: body.ContactNumber, pendingHash: 'h' });
    const w = stageWorld([customerItem], [lost]);
    await contactStage(w.ctx, w.writer);
    expect(w.xero.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
  });

  it("renames a collision of a full batch in the same call as the stage's short last batch", async () => {
    const customers = Array.from({ length: 53 }, (_, i) => {
      const c = { ...customer, id: 7000 + i, email: `p${i}@example.com` };
      return item('customer', String(c.id), c);
    });
    const w = stageWorld(customers);
    const taken = customers[0].payload.id;
    const calls: string[][] = [];
    // Xero refuses the first customer's name once (another contact has it); everything else is created.
    w.writer.xero.upsertContacts = async (_t, contacts) => {
      calls.push(contacts.map((c) => c.ContactNumber));
      return {
        status: 200,
        body: contacts.map((c) =>
          c.ContactNumber.endsWith(String(taken)) && !c.Name.includes('(')
            ? {
                ...c,
                StatusAttributeString: 'ERROR',
                ValidationErrors: [{ Message: `The contact name ${c.Name} is already assigned to another contact.` }],
              }
            : { ...c, ContactID: `id-${c.ContactNumber}` },
        ),
      };
    };
    await contactStage(w.ctx, w.writer);
    expect(calls.map((c) => c.length)).toEqual([50, 4]);
    expect(calls[1]).toContain(calls[0][0]);
    expect(w.resultOf(customers[0])).toMatchObject({ status: 'synced', action: 'create' });
    expect(customers.every((c) => w.resultOf(c).status === 'synced')).toBe(true);
  });
});
