import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { IdentityStore } from '../identity/identity-store';
import { OrgTier } from '../limits/rate-limiter';
import {
  AccountRec,
  AllocationRec,
  ContactRec,
  CreditNoteRec,
  InvoiceRec,
  ItemRec,
  newTables,
  OrgRec,
  PaymentRec,
  TaxRateRec,
} from './records';

const VERSION = 1;

interface OrgData {
  tenantId: string;
  name: string;
  shortCode: string;
  baseCurrency: string;
  currencies: string[];
  tier: OrgTier;
  countryCode: string;
  createdMs: number;
  seq: OrgRec['seq'];
  accounts: AccountRec[];
  taxRates: TaxRateRec[];
  contacts: ContactRec[];
  items: ItemRec[];
  invoices: InvoiceRec[];
  creditNotes: CreditNoteRec[];
  payments: PaymentRec[];
  allocations: AllocationRec[];
}

interface SnapshotData {
  version: number;
  clockAdvancedMs: number;
  orgs: OrgData[];
  identity: Parameters<IdentityStore['load']>[0];
}

function orgToData(o: OrgRec): OrgData {
  return {
    tenantId: o.tenantId,
    name: o.name,
    shortCode: o.shortCode,
    baseCurrency: o.baseCurrency,
    currencies: o.currencies,
    tier: o.tier,
    countryCode: o.countryCode,
    createdMs: o.createdMs,
    seq: o.seq,
    accounts: o.accounts.all(),
    taxRates: o.taxRates.all(),
    contacts: o.contacts.all(),
    items: o.items.all(),
    invoices: o.invoices.all(),
    creditNotes: o.creditNotes.all(),
    payments: o.payments.all(),
    allocations: o.allocations.all(),
  };
}

function orgFromData(d: OrgData): OrgRec {
  const org: OrgRec = { ...d, ...newTables() };
  for (const r of d.accounts) org.accounts.put(r);
  for (const r of d.taxRates) org.taxRates.put(r);
  for (const r of d.contacts) org.contacts.put(r);
  for (const r of d.items) org.items.put(r);
  for (const r of d.invoices) org.invoices.put(r);
  for (const r of d.creditNotes) org.creditNotes.put(r);
  for (const r of d.payments) org.payments.put(r);
  for (const r of d.allocations) org.allocations.put(r);
  return org;
}

/**
 * Writes organisations, apps and tokens to disk (atomically: temp file then rename, so a crash mid-write never
 * leaves a torn snapshot). Counters, limits windows, faults and idempotency keys are deliberately not kept: a
 * restart behaves like Xero after a quiet period.
 */
export function saveSnapshot(
  path: string,
  orgs: Map<string, OrgRec>,
  identity: IdentityStore,
  clockAdvancedMs: number,
): void {
  const data: SnapshotData = {
    version: VERSION,
    clockAdvancedMs,
    orgs: [...orgs.values()].map(orgToData),
    identity: identity.toJSON() as SnapshotData['identity'],
  };
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data));
  renameSync(tmp, path);
}

/** Loads a snapshot if the file exists; returns undefined otherwise. */
export function loadSnapshot(
  path: string,
): { orgs: Map<string, OrgRec>; identity: SnapshotData['identity']; clockAdvancedMs: number } | undefined {
  if (!existsSync(path)) return undefined;
  const data = JSON.parse(readFileSync(path, 'utf8')) as SnapshotData;
  if (data.version !== VERSION) throw new Error(`snapshot ${path} has version ${data.version}, expected ${VERSION}`);
  return {
    orgs: new Map(data.orgs.map((d) => [d.tenantId, orgFromData(d)])),
    identity: data.identity,
    clockAdvancedMs: data.clockAdvancedMs,
  };
}
