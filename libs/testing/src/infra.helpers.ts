import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Short random token for per-test names (topics, databases, groups) so parallel and repeated runs never collide. */
export function uniqueSuffix(): string {
  return randomBytes(5).toString('hex');
}

/** A fresh MongoDB database URI on the local FerretDB; drop it in afterAll. */
export function testMongoUri(name = `t_${uniqueSuffix()}`): string {
  // XERO_SYNC_TEST_MONGO_PORT points a run at another server, e.g. a FerretDB build under trial.
  return `mongodb://127.0.0.1:${process.env.XERO_SYNC_TEST_MONGO_PORT ?? 27017}/${name}`;
}

export const TEST_BROKERS = ['127.0.0.1:9092'];

/** The checkout's root: the nearest folder above this file whose package.json is this project's (works from dist too). */
function findRepoRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'xero-sync')
      return dir;
  }
  throw new Error(`no xero-sync package.json above ${from}`);
}

const repoRoot = findRepoRoot(__dirname);

/** Where scripts/infra.sh keeps downloads, builds, data, logs and pid files (`run/<service>.pid`). */
export function infraCacheDir(): string {
  return process.env.XERO_SYNC_CACHE ?? join(homedir(), '.cache/xero-sync');
}

/**
 * Stops (`kill-ferretdb`: SIGKILL, a crash) or starts one local service through scripts/infra.sh, for outage tests.
 * Always pair a stop with a start in `finally`: other suites share the broker and database.
 */
export function infra(
  action: 'stop-kafka' | 'start-kafka' | 'stop-ferretdb' | 'kill-ferretdb' | 'start-ferretdb',
): void {
  const result = spawnSync('bash', [join(repoRoot, 'scripts/infra.sh'), action], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`infra ${action} failed: ${result.stderr}`);
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 30000,
  everyMs = 200,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) {
      throw new Error(
        `condition not met within ${timeoutMs} ms${last ? `: ${String((last as Error).message ?? last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export { repoRoot };

/** Child process ids of `pid` (Linux /proc); empty once it has exited. Cluster workers of a spawned app, say. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
