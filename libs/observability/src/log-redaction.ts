/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Property names whose values are secret wherever they appear, at any depth: tokens (access, refresh, id,
 * Magento), secrets (client, webhook), passwords, keys (API, encryption, private), authorization, cookies (also
 * `set-cookie`), signatures, credentials and the PKCE verifier. Matched case-insensitively on the whole name.
 */
export const SECRET_NAME =
  /token|secret|passw(or)?d|authorization|cookie|signature|credential|api[-_]?key|encryption[-_]?key|private[-_]?key|code[-_]?verifier|^key$/i;

/** URL query parameters that carry a secret: the OAuth `code` and `state` and anything named like a secret. */
const SECRET_QUERY_PARAM =
  /([?&;](?:code|state|session_state|[\w.-]*(?:token|secret|passw(?:or)?d|signature|api[-_]?key|code[-_]?verifier)[\w.-]*|key)=)[^&;#\s"'<>]*/gi;
/** Names of query parameters that carry a secret although their name does not say so (OAuth). */
const OAUTH_QUERY_NAME = /^(code|state|session_state)$/i;

/** A parsed query string (`req.query`) with the values of secret parameters replaced. */
export function redactQuery(query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    out[name] = OAUTH_QUERY_NAME.test(name) || SECRET_NAME.test(name) ? REDACTED : value;
  }
  return out;
}

/** Credentials written in text: `Bearer <token>`, `Basic <credentials>`. */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[\w.~+/=-]+/gi;

/** A string with secret query-parameter values and Bearer/Basic credentials replaced (log messages, URLs). */
export function redactText(text: string): string {
  if (!text.includes('=') && !/bearer|basic/i.test(text)) return text;
  return text.replace(SECRET_QUERY_PARAM, `$1${REDACTED}`).replace(AUTH_SCHEME, `$1 ${REDACTED}`);
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null || Array.isArray(value);
}

/**
 * A copy of `value` for the logs: every property whose name is secret (SECRET_NAME) is replaced at any depth,
 * and strings lose secret query values and Bearer credentials. Only plain objects and arrays are walked (pino
 * serialises requests, responses and errors itself, through serializers that call this); cycles and depths
 * past 12 are cut.
 */
export function redactDeep<T>(value: T, depth = 0, seen = new WeakSet<object>()): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (value === null || typeof value !== 'object' || !isPlain(value)) return value;
  if (seen.has(value) || depth > 12) return '[cut]' as T;
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    out = value.map((v: unknown) => redactDeep(v, depth + 1, seen));
  } else {
    const copy: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      copy[name] = SECRET_NAME.test(name) && v !== undefined && v !== null ? REDACTED : redactDeep(v, depth + 1, seen);
    }
    out = copy;
  }
  // Only the path being walked counts as a cycle: an object met twice side by side is copied twice.
  seen.delete(value);
  return out as T;
}
