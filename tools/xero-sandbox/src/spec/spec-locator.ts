import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The pinned spec the project is held to (XeroAPI/Xero-OpenAPI, MIT). */
export const SPEC_COMMIT = 'e952d0bda3628facbf7afc5990ad6a0e7e77bd1e';
export const SPEC_URL = `https://raw.githubusercontent.com/XeroAPI/Xero-OpenAPI/${SPEC_COMMIT}/xero_accounting.yaml`;
const SPEC_FILE = 'xero_accounting.yaml';

/** Where downloads and parsed copies are cached, outside the checkout so fresh clones reuse them. */
export function cacheDir(): string {
  return join(homedir(), '.cache', 'xero-sync', 'xero-openapi');
}

function ancestors(start: string): string[] {
  const out: string[] = [];
  let dir = resolve(start);
  for (;;) {
    out.push(dir);
    const parent = dirname(dir);
    if (parent === dir) return out;
    dir = parent;
  }
}

/**
 * The places the accounting spec is looked for, in order: an explicit path, `XERO_OPENAPI_SPEC`, then
 * `../shared/xero-openapi/` next to the repository (found by walking up from the working directory and from this
 * file, since the sandbox runs both from sources and from `dist/`), then the user cache.
 */
export function specCandidates(explicit?: string, env = process.env.XERO_OPENAPI_SPEC): string[] {
  const list: string[] = [];
  if (explicit) list.push(resolve(explicit));
  if (env) list.push(resolve(env));
  const seen = new Set<string>();
  for (const start of [process.cwd(), __dirname]) {
    for (const dir of ancestors(start)) {
      if (!existsSync(join(dir, 'package.json'))) continue;
      const p = resolve(dir, '..', 'shared', 'xero-openapi', SPEC_FILE);
      if (!seen.has(p)) {
        seen.add(p);
        list.push(p);
      }
    }
  }
  list.push(join(cacheDir(), SPEC_FILE));
  return list;
}

/** The spec's text and where it came from. */
export interface LocatedSpec {
  path: string;
  text: string;
  sha256: string;
}

/**
 * Finds the spec, downloading the pinned file into the cache when no local copy exists. An explicit path that does
 * not exist is an error of its own (a typo should not silently fall back to another copy).
 */
export async function locateSpec(explicit?: string): Promise<LocatedSpec> {
  if (explicit && !existsSync(explicit)) throw new Error(`Xero OpenAPI spec not found at specPath ${explicit}`);
  const candidates = specCandidates(explicit);
  for (const p of candidates) {
    if (existsSync(p)) return read(p);
  }
  const target = join(cacheDir(), SPEC_FILE);
  try {
    const res = await fetch(SPEC_URL, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    mkdirSync(cacheDir(), { recursive: true });
    writeFileSync(`${target}.tmp`, text);
    renameSync(`${target}.tmp`, target);
    return read(target);
  } catch (e) {
    throw new Error(
      `Xero OpenAPI spec (xero_accounting.yaml) not found. Looked at:\n  ${candidates.join('\n  ')}\n` +
        `and could not download ${SPEC_URL}: ${(e as Error).message}. ` +
        'Set XERO_OPENAPI_SPEC to a local copy of the spec at that commit.',
    );
  }
}

function read(path: string): LocatedSpec {
  const text = readFileSync(path, 'utf8');
  return { path, text, sha256: createHash('sha256').update(text).digest('hex') };
}
