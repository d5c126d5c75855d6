import { randomUUID } from 'node:crypto';
import { round } from '../rules/money';
import { ItemRec, Json, norm, OrgRec } from '../state/records';
import { Journal } from '../state/table';
import { elementsOf, runBatch } from './batch';
import { AccountingHandler, AccountingRequest, ElementError, HttpError, num, obj, Problems, str } from './context';
import { listResult } from './list-query';
import { accountByCode, taxRateByType } from './refs';
import { renderItem } from './render';
import { envelope, isGuid, problem } from './xero-format';

const READ_ONLY = new Set([
  'ItemID',
  'Code',
  'UpdatedDateUTC',
  'StatusAttributeString',
  'ValidationErrors',
  'TotalCostPool',
  'QuantityOnHand',
]);

type Mode = { kind: 'create' } | { kind: 'upsert' } | { kind: 'update'; id: string };

/** Finds an item by ItemID or Code (Xero accepts either in `/Items/{ItemID}`). */
export function lookupItem(org: OrgRec, idOrCode: string): ItemRec | undefined {
  return (isGuid(idOrCode) ? org.items.get(idOrCode) : undefined) ?? org.items.find('code', norm(idOrCode));
}

function checkDetails(org: OrgRec, details: Json | undefined, unitDp: 2 | 4, p: Problems): Json | undefined {
  if (!details) return undefined;
  accountByCode(org, str(details.AccountCode), p);
  taxRateByType(org, str(details.TaxType), p);
  accountByCode(org, str(details.COGSAccountCode), p);
  const price = num(details.UnitPrice);
  // Xero keeps 2 dp on unit prices unless the call asked for unitdp=4.
  return price === undefined ? details : { ...details, UnitPrice: round(price, unitDp) };
}

/** Creates or updates one item: Code unique (≤ 30, checked by the spec), accounts and tax types must exist. */
export function applyItem(org: OrgRec, el: Json, mode: Mode, unitDp: 2 | 4, journal: Journal, now: number): ItemRec {
  let existing: ItemRec | undefined;
  if (mode.kind === 'update') existing = lookupItem(org, mode.id);
  else if (mode.kind === 'upsert') {
    const id = str(el.ItemID);
    if (id) {
      existing = org.items.get(id);
      if (!existing) throw new ElementError([`Item with ItemID ${id} could not be found`]);
    } else existing = org.items.find('code', norm(str(el.Code)));
  }
  const p = new Problems();
  const code = str(el.Code) ?? existing?.Code;
  if (!code) p.add('Item code must be specified');
  const id = existing?.ItemID ?? randomUUID();
  const clash = code ? org.items.find('code', norm(code)) : undefined;
  if (clash && clash.ItemID !== id) p.add(`Item code '${code}' already exists`);
  const fields: Json = { ...(existing?.fields ?? {}) };
  for (const [k, v] of Object.entries(el)) if (!READ_ONLY.has(k) && v !== undefined) fields[k] = v;
  const sales = checkDetails(org, obj(el.SalesDetails), unitDp, p);
  const purchase = checkDetails(org, obj(el.PurchaseDetails), unitDp, p);
  if (sales) fields.SalesDetails = sales;
  if (purchase) fields.PurchaseDetails = purchase;
  if (el.IsTrackedAsInventory === true && !str(el.InventoryAssetAccountCode)) {
    p.add('An inventory asset account must be specified for tracked items');
  }
  if (el.IsSold === false) {
    // Xero clears the sales side when an item is no longer sold.
    delete fields.SalesDetails;
    delete fields.Description;
  }
  p.throwIfAny();
  const rec: ItemRec = { ItemID: id, Code: code!, fields, updatedMs: now };
  org.items.put(rec, journal);
  return rec;
}

const list: AccountingHandler = (req) => {
  const rows = req.org.items.all().map((i) => ({ updatedMs: i.updatedMs, json: renderItem(i) }));
  return { status: 200, body: envelope(req.providerName, req.now, listResult(req, 'Items', rows, false)) };
};

const getOne: AccountingHandler = (req) => {
  const i = lookupItem(req.org, req.params.id);
  if (!i) throw new HttpError(404, problem(404, 'Not Found', `Item ${req.params.id} not found`));
  return { status: 200, body: envelope(req.providerName, req.now, { Items: [renderItem(i)] }) };
};

function write(mode: (req: AccountingRequest) => Mode): AccountingHandler {
  return (req) => {
    const m = mode(req);
    if (m.kind === 'update' && !lookupItem(req.org, m.id)) {
      throw new HttpError(404, problem(404, 'Not Found', `Item ${m.id} not found`));
    }
    return runBatch(
      req,
      'Items',
      elementsOf(req.body, 'Items'),
      (el, journal) => renderItem(applyItem(req.org, el, m, req.unitDp, journal, req.now)),
      'none',
    );
  };
}

/** Routes for /Items. */
export const itemHandlers = {
  list,
  getOne,
  create: write(() => ({ kind: 'create' })),
  upsert: write(() => ({ kind: 'upsert' })),
  update: write((req) => ({ kind: 'update', id: req.params.id })),
};
