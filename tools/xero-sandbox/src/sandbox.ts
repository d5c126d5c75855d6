import express, { NextFunction, Request, Response } from 'express';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { accountingHandler } from './accounting/accounting.router';
import { problem } from './accounting/xero-format';
import { MINUTE_MS, SandboxClock } from './clock';
import { controlRoutes } from './control/control.routes';
import { identityFaultGuard } from './control/fault.guard';
import { Counters } from './control/counters';
import { FaultRegistry } from './control/faults';
import { RequestWatches } from './control/request-watches';
import { IdempotencyStore } from './idempotency/idempotency-store';
import { identityRoutes } from './identity/identity.routes';
import { IdentityStore } from './identity/identity-store';
import { RateLimiter } from './limits/rate-limiter';
import { SandboxContext } from './sandbox-context';
import { SpecValidator } from './spec/spec-validator';
import { loadSnapshot, saveSnapshot } from './state/snapshot';

/** Options for {@link startSandbox}. */
export interface SandboxOptions {
  /** 0 = an ephemeral port; `main.ts` uses 4010. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /**
   * 1 = real time; 60 = a Xero minute lasts one real second. Applies to rate-limit minute and day windows,
   * Retry-After, token and code lifetimes, the refresh grace and the idempotency window.
   */
  timeScale?: number;
  /** Path to xero_accounting.yaml; otherwise XERO_OPENAPI_SPEC, ../shared/xero-openapi/, the user cache, a download. */
  specPath?: string;
  /** How long Idempotency-Keys are remembered, in Xero-time ms (default 6 minutes, scaled by timeScale). */
  idempotencyWindowMs?: number;
  /** Load state from this file at start if present; save it on close and every 30 s. */
  snapshotPath?: string;
  /** OAuth apps to register at start. */
  clients?: Array<{ clientId: string; clientSecret: string; redirectUris: string[] }>;
}

/** A started sandbox. */
export interface RunningSandbox {
  /** e.g. http://127.0.0.1:4010 */
  url: string;
  close(): Promise<void>;
}

const SNAPSHOT_EVERY_MS = 30_000;

/**
 * Starts a Xero stand-in on one origin: accounting at `/api.xro/2.0`, identity at `/connect/*`,
 * `/identity/connect/authorize` and `/connections`, and the test-control API at `/__sandbox/`.
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  const clock = new SandboxClock(opts.timeScale ?? 1);
  const spec = await SpecValidator.load(opts.specPath);
  const ctx: SandboxContext = {
    clock,
    orgs: new Map(),
    identity: new IdentityStore(clock),
    limiter: new RateLimiter(clock),
    idempotency: new IdempotencyStore(clock, opts.idempotencyWindowMs ?? 6 * MINUTE_MS),
    faults: new FaultRegistry(),
    counters: new Counters(clock),
    watches: new RequestWatches(),
    spec,
  };
  if (opts.snapshotPath) {
    const snap = loadSnapshot(opts.snapshotPath);
    if (snap) {
      for (const [id, org] of snap.orgs) ctx.orgs.set(id, org);
      ctx.identity.load(snap.identity);
      clock.restoreAdvance(snap.clockAdvancedMs);
    }
  }
  for (const c of opts.clients ?? []) ctx.identity.clients.set(c.clientId, { ...c, name: c.clientId });

  let url = '';
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use('/__sandbox', controlRoutes(ctx));
  app.use(identityFaultGuard(ctx));
  app.use(identityRoutes(ctx, () => url));
  app.use('/api.xro/2.0', express.raw({ type: () => true, limit: '64mb' }), accountingHandler(ctx));
  app.use((_req: Request, res: Response) => {
    res.status(404).json(problem(404, 'Not Found', 'No such sandbox path'));
  });
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status ?? 500;
    if (err.type === 'entity.too.large') {
      res.status(413).json(problem(413, 'Request Entity Too Large', 'Request body exceeds 3.5 MB'));
      return;
    }
    res.status(status).json(status === 400 ? { error: err.message } : problem(status, 'Error', err.message));
  });

  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  url = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;

  const save = (): void => {
    if (opts.snapshotPath) saveSnapshot(opts.snapshotPath, ctx.orgs, ctx.identity, clock.advanced);
  };
  const timer = opts.snapshotPath ? setInterval(save, SNAPSHOT_EVERY_MS) : undefined;
  timer?.unref();

  let closed = false;
  return {
    url,
    close: async () => {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      save();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
