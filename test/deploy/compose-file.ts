import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '@xero-sync/testing';

/** The parts of a compose service the checks read (after YAML merge keys and interpolation). */
export interface ComposeService {
  image?: string;
  build?: unknown;
  hostname?: string;
  restart?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: string[];
  secrets?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { resources?: { limits?: { cpus?: string | number; memory?: string } } };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { environment?: string; file?: string }>;
  [extension: string]: unknown;
}

export const APPS = ['ingest', 'syncer', 'admin-api'] as const;

/** KEY=VALUE lines of an env file (compose's `.env` format without quotes or multi-line values). */
export function readEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2].trim();
  }
  return env;
}

/**
 * Compose's variable interpolation of one string: `$$` is a literal `$`; `${VAR}`, `$VAR`, `${VAR:-default}`
 * (unset or empty), `${VAR-default}` (unset), `${VAR:?message}` / `${VAR?message}` (an error naming the
 * variable) and `${VAR:+alt}` / `${VAR+alt}`.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name: string | undefined, colon: string, op: string, arg: string, bare: string | undefined) => {
      if (match === '$$') return '$';
      if (bare) return env[bare] ?? '';
      const value = env[name!];
      const missing = value === undefined || (colon === ':' && value === '');
      if (op === '-') return missing ? interpolate(arg, env) : value;
      if (op === '?') {
        if (missing) throw new Error(`required variable ${name} is missing: ${arg}`);
        return value;
      }
      if (op === '+') return missing ? '' : interpolate(arg, env);
      return value ?? '';
    },
  );
}

function interpolateAll(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env)]));
  }
  return value;
}

/** The YAML as compose reads it: merge keys resolved, then every string interpolated from `env`. */
export function loadCompose(env: Record<string, string | undefined>, file = 'docker-compose.yml'): ComposeFile {
  const raw: unknown = parse(readFileSync(join(repoRoot, file), 'utf8'), { merge: true });
  return interpolateAll(raw, env) as ComposeFile;
}

/** An environment block as the process sees it: every value a string, null (unset) left out. */
export function processEnv(block: ComposeService['environment'] = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(block)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
}
