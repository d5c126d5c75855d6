import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { resolveBearer } from '../identity/bearer.guard';
import { MAX_IDEMPOTENCY_KEY_LENGTH, StoredResponse } from '../idempotency/idempotency-store';
import { OrgTier, RateLimitProblem, retryAfterSeconds } from '../limits/rate-limiter';
import { SandboxContext } from '../sandbox-context';
import { Json } from '../state/records';
import { elementsOf } from './batch';
import { AccountingResult, HttpError, text } from './context';
import { parseIfModifiedSince } from './list-query';
import { matchRoute } from './routes';
import { postDataInvalid, problem, validationException } from './xero-format';

/** Xero's ceiling for one Accounting API request body (3.5 MB). */
export const MAX_BODY_BYTES = Math.floor(3.5 * 1024 * 1024);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function flatQuery(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(text).join(',') : text(v);
  }
  return out;
}

/**
 * The accounting pipeline, in the order Xero applies it: bearer token (401) → `xero-tenant-id` the token can reach
 * (403) → rate limits (429, not counted) → injected faults → body size (413) → Idempotency-Key (replay or 400) →
 * JSON and OpenAPI validation (400) → the resource handler. Every answer carries the remaining-quota headers.
 */
export function accountingHandler(ctx: SandboxContext): RequestHandler {
  return async (req: Request, res: Response) => {
    const arrivedAt = new Date().toISOString();
    const accountingPath = req.path;
    const fullPath = `${req.baseUrl}${req.path}`;
    const matched = matchRoute(req.method, accountingPath);
    const endpoint = matched?.route.template ?? `${req.method} ${accountingPath}`;
    let tenantId: string | undefined;
    let tier: OrgTier = 'standard';
    let release: (() => void) | undefined;

    const quotaHeaders = (): Record<string, string> => {
      const r = ctx.limiter.remaining(tenantId, tier);
      return {
        'X-DayLimit-Remaining': String(r.day),
        'X-MinLimit-Remaining': String(r.minute),
        'X-AppMinLimit-Remaining': String(r.appMinute),
      };
    };
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res
        .status(status)
        .set({ ...quotaHeaders(), ...headers })
        .type('application/json; charset=utf-8')
        .send(text);
      ctx.counters.call(tenantId, endpoint, status);
      ctx.watches.seen(Buffer.isBuffer(req.body) ? req.body : undefined, { at: arrivedAt, tenantId, endpoint, status });
    };
    const drop = (): void => {
      ctx.counters.call(tenantId, endpoint, 'dropped');
      ctx.watches.seen(Buffer.isBuffer(req.body) ? req.body : undefined, {
        at: arrivedAt,
        tenantId,
        endpoint,
        status: 'dropped',
      });
      req.socket.destroy();
    };
    const tooMany = (problemName: RateLimitProblem, retryAfterXeroMs: number): void => {
      const realMs = Math.max(1, Math.ceil(ctx.clock.toRealMs(retryAfterXeroMs)));
      send(429, problem(429, 'Too Many Requests', `Rate limit exceeded: ${problemName}`), {
        'Retry-After': String(retryAfterSeconds(ctx.clock, retryAfterXeroMs)),
        'X-Rate-Limit-Problem': problemName,
        // Not a Xero header: the exact real wait, so fast-clock tests need not sleep whole seconds.
        'X-Sandbox-Retry-After-Ms': String(problemName === 'concurrent' ? 50 : realMs),
      });
    };

    try {
      const bearer = resolveBearer(ctx, req);
      if (!bearer.ok) {
        send(401, problem(401, 'Unauthorized', bearer.detail), { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
        return;
      }
      let tenant = req.get('xero-tenant-id')?.trim();
      // Custom connections reach exactly one organisation and may leave the header empty (xero-node README).
      if (!tenant && bearer.grant.kind === 'custom') tenant = bearer.grant.tenantId;
      if (!tenant || !bearer.tenants.includes(tenant)) {
        send(403, problem(403, 'Forbidden', 'AuthenticationUnsuccessful'), {
          'X-Sandbox-Reason': tenant ? `token cannot reach tenant ${tenant}` : 'xero-tenant-id header missing',
        });
        return;
      }
      tenantId = tenant;
      const org = ctx.orgs.get(tenant)!;
      tier = org.tier;
      const call = { tenantId, fullPath, accountingPath };

      const storm = ctx.faults.take('rate-limit', call);
      if (storm) return tooMany(storm.problem ?? 'minute', 60_000);
      const acquired = ctx.limiter.acquire(tenant, tier);
      if (!acquired.ok) return tooMany(acquired.problem, acquired.retryAfterXeroMs);
      release = acquired.release;
      ctx.counters.concurrency(tenant, ctx.limiter.inFlight(tenant));

      const latency = ctx.faults.take('latency', call);
      if (latency) await sleep(latency.ms);
      const failure = ctx.faults.take('status', call);
      if (failure) {
        const title = failure.status === 503 ? 'Service Unavailable' : 'Injected failure';
        return send(failure.status, problem(failure.status, title, 'Injected by the sandbox'));
      }
      if (ctx.faults.take('drop', call)) return drop();

      if (!matched)
        return send(404, problem(404, 'Not Found', `The resource ${req.method} ${accountingPath} was not found`));
      const route = matched.route;
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (raw.length > MAX_BODY_BYTES) {
        return send(
          413,
          problem(413, 'Request Entity Too Large', `Request body of ${raw.length} bytes exceeds 3.5 MB`),
        );
      }

      const write = req.method === 'PUT' || req.method === 'POST';
      const key = write ? req.get('idempotency-key') : undefined;
      let complete: ((r: StoredResponse) => void) | undefined;
      let abandon: (() => void) | undefined;
      if (key) {
        if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
          return send(
            400,
            validationException([], `Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`),
          );
        }
        const fingerprint = `${req.method} ${req.originalUrl}#${createHash('sha256').update(raw).digest('hex')}`;
        for (;;) {
          const claim = ctx.idempotency.claim(tenant, key, fingerprint);
          if (claim.kind === 'conflict') {
            return send(
              400,
              validationException(
                [],
                `Idempotency-Key '${key}' was already used with a different request; a key may only be reused for an identical request`,
              ),
            );
          }
          if (claim.kind === 'new') {
            complete = claim.complete;
            abandon = claim.abandon;
            break;
          }
          const first = await claim.response;
          if (first) {
            ctx.counters.replay(tenant);
            return send(first.status, first.body, first.headers);
          }
          // The first attempt was abandoned before doing anything: claim again and run this one.
        }
      }

      try {
        const providerName =
          ctx.identity.clients.get(bearer.clientId)?.name ??
          ctx.identity.customConnections.get(bearer.clientId)?.name ??
          bearer.clientId;
        const result = runHandler(ctx, req, route, org, raw, providerName);
        const text = JSON.stringify(result.body);
        complete?.({ status: result.status, headers: {}, body: text });
        complete = undefined;
        // The "lost answer": the write is committed, but the client never hears back.
        if (ctx.faults.take('drop-after-commit', call)) return drop();
        return send(result.status, text);
      } finally {
        abandon?.();
      }
    } catch (e) {
      send(500, problem(500, 'Internal Server Error', (e as Error).message));
    } finally {
      release?.();
    }
  };
}

function runHandler(
  ctx: SandboxContext,
  req: Request,
  route: NonNullable<ReturnType<typeof matchRoute>>['route'],
  org: NonNullable<ReturnType<SandboxContext['orgs']['get']>>,
  raw: Buffer,
  providerName: string,
): AccountingResult {
  try {
    let body: unknown;
    if (req.method !== 'GET' && raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        return { status: 400, body: postDataInvalid((e as Error).message) };
      }
    }
    if (route.spec && req.method !== 'GET') {
      const violations = ctx.spec.validateRequest(route.spec, body);
      if (violations.length) {
        const els = route.resource ? elementsOf(body, route.resource) : [];
        const byIndex = new Map<number | undefined, string[]>();
        for (const v of violations) byIndex.set(v.elementIndex, [...(byIndex.get(v.elementIndex) ?? []), v.message]);
        const elements: Json[] = [...byIndex].map(([i, msgs]) => ({
          ...(i !== undefined && els[i] ? els[i] : {}),
          ValidationErrors: msgs.map((Message) => ({ Message })),
        }));
        return { status: 400, body: validationException(elements) };
      }
    }
    if (route.resource && body !== undefined) {
      ctx.counters.elements(org.tenantId, route.resource, elementsOf(body, route.resource).length);
    }
    const query = flatQuery(req);
    return route.handler({
      org,
      params: { id: matchRoute(req.method, req.path)?.id ?? '' },
      query,
      body,
      ifModifiedSince: parseIfModifiedSince(req.get('if-modified-since')),
      providerName,
      unitDp: query.unitdp === '4' ? 4 : 2,
      summarizeErrors: query.summarizeErrors?.toLowerCase() !== 'false',
      now: ctx.clock.wallNow(),
    });
  } catch (e) {
    if (e instanceof HttpError) return { status: e.status, body: e.body };
    throw e;
  }
}
