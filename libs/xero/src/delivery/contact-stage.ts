import { heldBecause } from './item-outcomes';
import type { XeroLinkRecord, XeroMappingSettings } from '@xero-sync/persistence';
import type { DeliveryItem } from './delivery.types';
import {
  contactEntityIdForOrder,
  isNameCollision,
  mapCustomerContact,
  mapOrderContact,
  nameWithEmail,
} from '../mapping/contact.mapper';
import { XeroContactJson } from '../mapping/xero-documents';
import { XeroError } from '../xero.errors';
import { BatchSpec, BatchWriter, Entry } from './batch-writer';
import { StageContext } from './stage-context';
import { hashOf, str } from './xero-values';

/** A contact the run needs: a customer record, or derived from an order (guest or customer not sent). */
export interface WantedContact {
  id: string;
  items: DeliveryItem[];
  build: (name?: string) => XeroContactJson;
  email: string;
  derived: boolean;
}

export interface ContactPlan {
  /** Contacts already in Xero (usable by invoices whether or not they are written again). */
  known: Map<string, string>;
  toWrite: { wanted: WantedContact; link?: XeroLinkRecord }[];
  /** ContactNumbers of creates whose answer may have been lost: looked up before writing. */
  lostNumbers: string[];
}

export type ContactWrite =
  | { kind: 'unchanged'; xeroId: string }
  | { kind: 'write'; body: XeroContactJson & { ContactID?: string }; hash: string; xeroId?: string };

/** Customers first; an order adds its contact only when no customer record of that id is in the run. */
export function wantedContacts(
  from: { customers: DeliveryItem<'customer'>[]; orders: DeliveryItem<'order'>[] },
  mapping: XeroMappingSettings,
): WantedContact[] {
  const { customers, orders } = from;
  const wanted = new Map<string, WantedContact>();
  for (const c of customers) {
    const p = c.payload;
    const id = String(p.id);
    wanted.set(id, { id, items: [c], build: (n) => mapCustomerContact(p, mapping, n), email: p.email, derived: false });
  }
  for (const o of orders) {
    const p = o.payload;
    const id = contactEntityIdForOrder(p);
    if (!wanted.has(id))
      wanted.set(id, {
        id,
        items: [],
        build: (n) => mapOrderContact(p, mapping, n),
        email: p.customer_email,
        derived: true,
      });
  }
  return [...wanted.values()];
}

/** An order never overwrites a known contact; a pending marker without a Xero id means a lost answer. */
export function planContacts(wanted: WantedContact[], links: Map<string, XeroLinkRecord>): ContactPlan {
  const plan: ContactPlan = { known: new Map(), toWrite: [], lostNumbers: [] };
  for (const w of wanted) {
    const link = links.get(w.id);
    if (link?.xeroId) plan.known.set(w.id, link.xeroId);
    if (w.derived && link?.xeroId) continue;
    plan.toWrite.push({ wanted: w, link });
    if (link && !link.xeroId && link.pendingHash) plan.lostNumbers.push(link.businessKey);
  }
  return plan;
}

/** The body for one contact (its kept name unless renamed), or unchanged when Xero has this content. */
export function contactWrite(
  w: { wanted: WantedContact; link?: XeroLinkRecord },
  found: Map<string, string>,
  name?: string,
): ContactWrite {
  const body = w.wanted.build(name ?? w.link?.name);
  const hash = hashOf(body);
  const xeroId = w.link?.xeroId ?? found.get(body.ContactNumber.toLowerCase());
  if (w.link?.xeroId && w.link.contentHash === hash) return { kind: 'unchanged', xeroId: w.link.xeroId };
  return { kind: 'write', body: xeroId ? { ContactID: xeroId, ...body } : body, hash, xeroId };
}

/** Contacts of customers and of orders (POST /Contacts, create-or-update by ContactNumber). */
export async function contactStage(ctx: StageContext, writer: BatchWriter): Promise<void> {
  const { outcomes, links } = ctx;
  const wanted = wantedContacts(
    { customers: outcomes.pending('customer'), orders: outcomes.pending('order') },
    ctx.mapping,
  );
  if (wanted.length === 0) return;
  const plan = planContacts(
    wanted,
    await links.read(
      'customer',
      wanted.map((w) => w.id),
    ),
  );
  for (const [id, xeroId] of plan.known) ctx.contacts.set(id, xeroId);
  const found = new Map<string, string>();
  if (plan.lostNumbers.length) {
    // An earlier create may have succeeded without us hearing: find it by ContactNumber first.
    const rows = await writer.single([], () =>
      writer.xero.getContactsByNumbers(ctx.tenantId, plan.lostNumbers, writer.call('master')),
    );
    for (const r of rows) {
      const number = str(r.ContactNumber);
      const id = str(r.ContactID);
      if (number && id) found.set(number.toLowerCase(), id);
    }
  }
  const collided: ContactPlan['toWrite'] = [];
  const entryOf = (w: ContactPlan['toWrite'][number], name?: string): Entry | undefined => {
    const d = contactWrite(w, found, name);
    if (d.kind === 'unchanged') {
      for (const i of w.wanted.items)
        outcomes.finish(i, 'unchanged', 'none', 'OK', { xeroId: d.xeroId, kind: 'contact' });
      return undefined;
    }
    const key = links.key('customer', w.wanted.id);
    return {
      items: w.wanted.items,
      link: key,
      businessKey: d.body.ContactNumber,
      hash: d.hash,
      body: d.body,
      onOk: (el) => {
        const cid = str(el.ContactID)!;
        ctx.contacts.set(w.wanted.id, cid);
        links.stage(key, {
          tenantId: ctx.tenantId,
          businessKey: d.body.ContactNumber,
          xeroId: cid,
          contentHash: d.hash,
          name: d.body.Name,
        });
        for (const i of w.wanted.items)
          outcomes.finish(i, 'synced', d.xeroId ? 'update' : 'create', 'OK', { xeroId: cid, kind: 'contact' });
      },
      onFail: (err: XeroError) => {
        if (!name && err.code === 'VALIDATION' && (err.xeroMessages ?? []).some(isNameCollision)) {
          collided.push(w);
          return;
        }
        ctx.contacts.markFailed(w.wanted.id, heldBecause(err));
        links.stageFailure(key, err.message);
        for (const i of w.wanted.items) outcomes.fail(i, err);
      },
    };
  };
  const spec = (action: string): BatchSpec => ({
    action,
    lane: 'master',
    keyField: 'ContactNumber',
    send: (bodies, call) => writer.xero.upsertContacts(ctx.tenantId, bodies as XeroContactJson[], call),
  });
  // The short last batch waits for the full ones' answers: their name collisions, renamed, fill it instead of
  // costing a call of their own.
  await writer.write(present(plan.toWrite.map((w) => entryOf(w))), spec('contacts'), {
    pool: CONTACTS_POOL,
    keepTail: () => true,
  });
  // Xero contact names are unique: a second person with the same name gets their email added. The second round
  // renames the collisions of the batch kept back; a renamed contact that collides again fails.
  for (let round = 0; round < 2; round++) {
    const renamed = collided.splice(0).map((w) => entryOf(w, nameWithEmail(w.wanted.build().Name, w.wanted.email)));
    await writer.write(present(renamed), spec('contacts-renamed'), { pool: CONTACTS_POOL });
  }
}

const CONTACTS_POOL = 'contacts';

function present(entries: (Entry | undefined)[]): Entry[] {
  return entries.filter((e): e is Entry => e !== undefined);
}
