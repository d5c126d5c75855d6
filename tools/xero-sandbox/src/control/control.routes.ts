import express, { Router } from 'express';
import {
  renderAllocation,
  renderContact,
  renderCreditNote,
  renderInvoice,
  renderItem,
  renderPayment,
} from '../accounting/render';
import { resetContext, SandboxContext } from '../sandbox-context';
import { accountFromSeed, createOrg, CreateOrgInput, taxRateFromSeed } from '../state/orgs';
import { OrgRec } from '../state/records';
import { SeedAccount, SeedTaxRate } from '../state/seed';
import { FaultScope, FaultSpec, invalidFault } from './faults';

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function orgView(o: OrgRec) {
  return {
    tenantId: o.tenantId,
    name: o.name,
    shortCode: o.shortCode,
    baseCurrency: o.baseCurrency,
    currencies: o.currencies,
    tier: o.tier,
  };
}

/** Every document of an org in Xero's JSON shapes, deleted and voided ones included. */
export function dumpOrg(o: OrgRec) {
  return {
    contacts: o.contacts.all().map(renderContact),
    items: o.items.all().map(renderItem),
    invoices: o.invoices.all().map((i) => renderInvoice(o, i)),
    payments: o.payments.all().map((p) => renderPayment(o, p)),
    creditNotes: o.creditNotes.all().map((c) => renderCreditNote(o, c)),
    allocations: o.allocations.all().map((a) => renderAllocation(o, a)),
  };
}

/**
 * The test-control API under `/__sandbox/` — never under Xero's paths, so no client can mistake it for Xero.
 */
export function controlRoutes(ctx: SandboxContext): Router {
  const r = Router();
  r.use(express.json({ limit: '10mb' }));

  r.post('/reset', (_req, res) => {
    resetContext(ctx);
    res.json({ ok: true });
  });

  r.post('/clients', (req, res) => {
    const { clientId, clientSecret, redirectUris, name } = (req.body ?? {}) as Record<string, unknown>;
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || !isStringArray(redirectUris)) {
      return res
        .status(400)
        .json({ error: 'clientId, clientSecret (strings) and redirectUris (string[]) are required' });
    }
    ctx.identity.clients.set(clientId, {
      clientId,
      clientSecret,
      redirectUris,
      name: typeof name === 'string' ? name : clientId,
    });
    res.status(201).json({ clientId });
  });

  r.post('/custom-connections', (req, res) => {
    const { clientId, clientSecret, tenantId, name } = (req.body ?? {}) as Record<string, unknown>;
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || typeof tenantId !== 'string') {
      return res.status(400).json({ error: 'clientId, clientSecret and tenantId are required' });
    }
    if (!ctx.orgs.has(tenantId)) return res.status(404).json({ error: `unknown tenant ${tenantId}` });
    ctx.identity.customConnections.set(clientId, {
      clientId,
      clientSecret,
      tenantId,
      name: typeof name === 'string' ? name : clientId,
    });
    res.status(201).json({ clientId, tenantId });
  });

  r.post('/orgs', (req, res) => {
    const body = (req.body ?? {}) as CreateOrgInput;
    if (typeof body.name !== 'string' || !body.name) return res.status(400).json({ error: 'name is required' });
    if (body.tier !== undefined && body.tier !== 'standard' && body.tier !== 'starter') {
      return res.status(400).json({ error: 'tier must be standard or starter' });
    }
    if (body.tenantId && ctx.orgs.has(body.tenantId)) {
      return res.status(409).json({ error: `tenant ${body.tenantId} already exists` });
    }
    const org = createOrg(body, ctx.clock.wallNow());
    ctx.orgs.set(org.tenantId, org);
    res.status(201).json(orgView(org));
  });

  r.get('/orgs', (_req, res) => {
    res.json([...ctx.orgs.values()].map(orgView));
  });

  r.post('/orgs/:tenantId/seed', (req, res) => {
    const org = ctx.orgs.get(req.params.tenantId);
    if (!org) return res.status(404).json({ error: 'unknown tenant' });
    const body = (req.body ?? {}) as { accounts?: SeedAccount[]; taxRates?: SeedTaxRate[]; currencies?: string[] };
    const now = ctx.clock.wallNow();
    for (const a of body.accounts ?? []) {
      const existing = org.accounts.find('code', a.Code.toLowerCase());
      const rec = accountFromSeed(a, now);
      org.accounts.put(existing ? { ...rec, AccountID: existing.AccountID } : rec);
    }
    for (const t of body.taxRates ?? []) org.taxRates.put(taxRateFromSeed(t));
    for (const c of body.currencies ?? [])
      if (!org.currencies.includes(c.toUpperCase())) org.currencies.push(c.toUpperCase());
    res.json(orgView(org));
  });

  r.get('/orgs/:tenantId/dump', (req, res) => {
    const org = ctx.orgs.get(req.params.tenantId);
    if (!org) return res.status(404).json({ error: 'unknown tenant' });
    res.json(dumpOrg(org));
  });

  r.post('/faults', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const problem = invalidFault(body);
    if (problem) return res.status(400).json({ error: problem });
    const fault = ctx.faults.add(body as unknown as FaultSpec & FaultScope);
    res.status(201).json(fault);
  });

  r.get('/faults', (_req, res) => {
    res.json(ctx.faults.list());
  });

  r.delete('/faults', (_req, res) => {
    ctx.faults.clear();
    res.json({ ok: true });
  });

  r.get('/counters', (req, res) => {
    const tenantId = typeof req.query.tenantId === 'string' ? req.query.tenantId : undefined;
    res.json(ctx.counters.view(tenantId));
  });

  r.post('/watches', (req, res) => {
    const text = (req.body as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string' || text.length === 0) return res.status(400).json({ error: 'text must be a string' });
    ctx.watches.add(text);
    res.status(201).json({ text });
  });

  r.get('/watches', (_req, res) => {
    res.json(ctx.watches.view());
  });

  r.delete('/watches', (_req, res) => {
    ctx.watches.clear();
    res.json({ ok: true });
  });

  r.post('/time', (req, res) => {
    const advanceMs = (req.body as { advanceMs?: unknown } | undefined)?.advanceMs;
    if (typeof advanceMs !== 'number' || !(advanceMs >= 0)) {
      return res.status(400).json({ error: 'advanceMs must be a non-negative number' });
    }
    ctx.clock.advance(advanceMs);
    res.json({ xeroNow: new Date(ctx.clock.xeroNow()).toISOString(), advancedMs: ctx.clock.advanced });
  });

  return r;
}
