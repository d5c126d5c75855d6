/** Why a Xero operation did not succeed (coded errors: docs/conventions.md). The syncer sorts them into retryable and permanent. */
export type XeroErrorCode =
  | 'RATE_LIMITED'
  | 'UNAUTHORIZED'
  | 'VALIDATION'
  | 'UNAVAILABLE'
  | 'CIRCUIT_OPEN'
  | 'DISCONNECTED'
  | 'NOT_CONNECTED'
  | 'DEPENDENCY_FAILED';

export const XERO_ERROR_CODES: readonly XeroErrorCode[] = [
  'RATE_LIMITED',
  'UNAUTHORIZED',
  'VALIDATION',
  'UNAVAILABLE',
  'CIRCUIT_OPEN',
  'DISCONNECTED',
  'NOT_CONNECTED',
  'DEPENDENCY_FAILED',
];

export interface XeroErrorOptions {
  retryAfterMs?: number;
  xeroMessages?: string[];
  status?: number;
  /** Which limit a 429 named (X-Rate-Limit-Problem). */
  rateLimitProblem?: string;
}

/** A coded failure from libs/xero; `message` is Xero's own words where Xero gave any. */
export class XeroError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly xeroMessages?: string[];
  readonly status?: number;
  readonly rateLimitProblem?: string;

  constructor(
    readonly code: XeroErrorCode,
    message: string,
    options: XeroErrorOptions = {},
  ) {
    super(message);
    this.name = 'XeroError';
    this.retryable = isRetryableCode(code);
    this.retryAfterMs = options.retryAfterMs;
    this.xeroMessages = options.xeroMessages;
    this.status = options.status;
    this.rateLimitProblem = options.rateLimitProblem;
  }
}

/** A call refused before anything was sent because its delivery's deadline passed (safe to try again). */
export class CallNotStartedError extends XeroError {
  constructor(message: string) {
    super('UNAVAILABLE', message);
    this.name = 'CallNotStartedError';
  }
}

/** Whether trying the same thing later can succeed without anyone changing data or settings. */
export function isRetryableCode(code: XeroErrorCode): boolean {
  switch (code) {
    case 'RATE_LIMITED':
    case 'UNAVAILABLE':
    case 'CIRCUIT_OPEN':
    case 'DISCONNECTED':
    case 'NOT_CONNECTED':
    case 'UNAUTHORIZED':
    case 'DEPENDENCY_FAILED':
      return true;
    case 'VALIDATION':
      return false;
    default:
      return assertNever(code);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}

/** A raw failed HTTP exchange as xero-node reports it (after JSON.parse of its rejection string). */
export interface XeroHttpFailure {
  /** 0 when no response arrived (network error, timeout, dropped connection). */
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/**
 * xero-node rejects with `JSON.stringify({response:{statusCode, body, headers}, body})`; other failures (a bug,
 * a thrown Error) arrive as they are. Normalises all of them into a status/body/headers triple.
 */
export function parseXeroNodeRejection(reason: unknown): XeroHttpFailure {
  if (typeof reason === 'string') {
    try {
      const parsed = JSON.parse(reason) as {
        response?: { statusCode?: number; body?: unknown; headers?: Record<string, unknown> };
      };
      const res = parsed.response ?? {};
      return { status: Number(res.statusCode ?? 0), body: res.body, headers: lowerHeaders(res.headers) };
    } catch {
      return { status: 0, body: reason, headers: {} };
    }
  }
  if (reason && typeof reason === 'object' && 'response' in reason) {
    const res = (reason as { response?: { status?: number; data?: unknown; headers?: Record<string, unknown> } })
      .response;
    if (res && typeof res === 'object') {
      return { status: Number(res.status ?? 0), body: res.data, headers: lowerHeaders(res.headers) };
    }
  }
  return { status: 0, body: reason instanceof Error ? reason.message : String(reason), headers: {} };
}

export function lowerHeaders(headers: Record<string, unknown> | undefined | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v !== undefined && v !== null) out[k.toLowerCase()] = headerText(v);
  }
  return out;
}

function headerText(v: unknown): string {
  if (Array.isArray(v)) return v.map(headerText).join(',');
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

/** Retry-After in ms (seconds or an HTTP date), if present and sane. */
export function retryAfterMs(headers: Record<string, string>, now = Date.now()): number | undefined {
  const raw = headers['retry-after'];
  if (!raw) return undefined;
  const secs = Number(raw);
  if (Number.isFinite(secs)) return Math.max(0, Math.round(secs * 1000));
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Every ValidationErrors[].Message in a Xero error body (top level and per element), else its Message. */
export function xeroMessagesOf(body: unknown): string[] {
  if (typeof body === 'string') return body ? [body] : [];
  if (!body || typeof body !== 'object') return [];
  const b = body as {
    Elements?: unknown[];
    Message?: unknown;
    message?: unknown;
    Detail?: unknown;
    detail?: unknown;
    error?: unknown;
  };
  const messages: string[] = [];
  for (const el of b.Elements ?? []) messages.push(...elementErrors(el));
  if (messages.length > 0) return messages;
  for (const m of [b.Message, b.Detail, b.message, b.detail, b.error]) {
    if (typeof m === 'string' && m) return [m];
  }
  return [];
}

/** The ValidationErrors messages of one element of a summarizeErrors=false answer. */
export function elementErrors(element: unknown): string[] {
  if (!element || typeof element !== 'object') return [];
  const errs = (element as { ValidationErrors?: { Message?: string }[] }).ValidationErrors ?? [];
  return errs.map((e) => e.Message ?? '').filter((m) => m.length > 0);
}

/**
 * Classifies a failed call: 429 → RATE_LIMITED (with Retry-After), 5xx/no answer → UNAVAILABLE, 401 →
 * UNAUTHORIZED, 403 → UNAUTHORIZED (scope or tenant not granted; not fixed by retrying, but by a new
 * consent), any other 4xx → VALIDATION with Xero's own messages.
 */
export function classifyFailure(failure: XeroHttpFailure): XeroError {
  const { status, headers } = failure;
  const messages = xeroMessagesOf(failure.body);
  const text = messages.join('; ');
  if (status === 429) {
    const problem = headers['x-rate-limit-problem'];
    return new XeroError('RATE_LIMITED', `Xero rate limit reached (${problem ?? 'unknown'} limit)`, {
      status,
      retryAfterMs: retryAfterMs(headers) ?? 1000,
      rateLimitProblem: problem,
    });
  }
  if (status === 0) return new XeroError('UNAVAILABLE', `Xero unreachable: ${text || 'no response'}`, { status });
  if (status >= 500) {
    return new XeroError('UNAVAILABLE', `Xero answered ${status}${text ? `: ${text}` : ''}`, {
      status,
      retryAfterMs: retryAfterMs(headers),
      xeroMessages: messages,
    });
  }
  if (status === 401 || status === 403) {
    return new XeroError('UNAUTHORIZED', `Xero refused the credentials (${status})${text ? `: ${text}` : ''}`, {
      status,
      xeroMessages: messages,
    });
  }
  return new XeroError('VALIDATION', text || `Xero rejected the request (${status})`, {
    status,
    xeroMessages: messages,
  });
}

/** Whether a failure says the breaker should count it (outages, not the caller's mistakes or rate limits). */
export function countsForBreaker(err: unknown): boolean {
  return err instanceof XeroError ? err.code === 'UNAVAILABLE' : true;
}
