#!/usr/bin/env node
// `npm test`: the one command CI and developers run. Starts Kafka and FerretDB if they are not running
// (stopping only what it started), installs Debian's Chromium for the browser tests if missing, then runs
// lint, typecheck, build, unit, integration and e2e suites and ends with one line `N passed, N failed`
// counting every check and every test across all suites.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const artifacts = join(root, 'test-artifacts');
mkdirSync(artifacts, { recursive: true });
const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1' };
const totals = { passed: 0, failed: 0 };
const summary = [];
const failures = [];
const started = Date.now();

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: 'inherit', ...opts });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function check(name, cmd, args) {
  const t0 = Date.now();
  console.log(`\n=== ${name} ===`);
  const code = await run(cmd, args);
  const ok = code === 0;
  totals[ok ? 'passed' : 'failed'] += 1;
  summary.push(`${ok ? 'PASS' : 'FAIL'} ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  return ok;
}

async function jestSuite(name, project, extra = []) {
  const t0 = Date.now();
  console.log(`\n=== ${name} tests ===`);
  const out = join(artifacts, `jest-${project}.json`);
  rmSync(out, { force: true });
  // --forceExit: a suite that leaves a socket open must not hang CI after its results are in.
  await run('npx', ['jest', '--selectProjects', project, '--json', `--outputFile=${out}`, '--forceExit', ...extra]);
  let passed = 0;
  let failed = 0;
  if (existsSync(out)) {
    const r = JSON.parse(readFileSync(out, 'utf8'));
    passed = r.numPassedTests;
    // A suite that could not run (syntax error, failing hook) has no failed tests but must still count.
    failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
    failures.push(...failedTests(name, r));
  } else {
    failed = 1;
  }
  totals.passed += passed;
  totals.failed += failed;
  summary.push(
    `${failed ? 'FAIL' : 'PASS'} ${name}: ${passed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
  );
}

// CI keeps only the tail of the output: name each failed test (and a suite that could not run) with the first
// lines of its error, so the summary alone says what broke.
function failedTests(suite, report) {
  const lines = [];
  for (const file of report.testResults ?? []) {
    const rel = file.name.replace(root, '');
    const broken = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const t of broken)
      lines.push(`${suite}: ${rel} › ${t.fullName}\n${firstLines(t.failureMessages?.join('\n'))}`);
    if (!broken.length && file.status === 'failed')
      lines.push(`${suite}: ${rel} could not run\n${firstLines(file.message)}`);
  }
  return lines;
}

function firstLines(text = '') {
  return text
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, 8)
    .map((l) => `    ${l.trim().slice(0, 200)}`)
    .join('\n');
}

function infraUp() {
  const status = spawnSync('bash', ['scripts/infra.sh', 'status'], { cwd: root, env, encoding: 'utf8' });
  if (status.status === 0) {
    console.log('infra already running; reusing it and leaving it running');
    return false;
  }
  // Servers this run starts begin empty: earlier runs' topics and databases would only slow them down.
  spawnSync('bash', ['scripts/infra.sh', 'reset'], { cwd: root, env, stdio: 'inherit' });
  const up = spawnSync('bash', ['scripts/infra.sh', 'up'], { cwd: root, env, stdio: 'inherit' });
  if (up.status !== 0) throw new Error('could not start Kafka and FerretDB (see messages above)');
  return true;
}

function ensureChromium() {
  if (existsSync('/usr/bin/chromium') || process.env.CHROMIUM_PATH) return;
  if (process.getuid?.() !== 0) {
    console.log('Chromium missing and not root: browser tests will fail; install the Debian package "chromium"');
    return;
  }
  console.log('installing Debian Chromium for the browser tests (first run only)');
  spawnSync(
    'bash',
    ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'],
    {
      stdio: 'inherit',
    },
  );
}

let startedInfra = false;
let stopping = false;
function stopInfra() {
  if (startedInfra && !stopping) {
    stopping = true;
    spawnSync('bash', ['scripts/infra.sh', 'down'], { cwd: root, env, stdio: 'inherit' });
  }
}
process.on('SIGINT', () => {
  stopInfra();
  process.exit(130);
});
process.on('SIGTERM', () => {
  stopInfra();
  process.exit(143);
});

try {
  if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
    console.log('installing the locked npm dependencies (npm ci)');
    if ((await run('npm', ['ci', '--no-audit', '--no-fund'])) !== 0) throw new Error('npm ci failed');
  }
  startedInfra = infraUp();
  ensureChromium();
  await check('lint (eslint)', 'npx', ['eslint', '.']);
  await check('format (prettier --check)', 'npx', ['prettier', '--check', '.']);
  await check('typecheck (tsc)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  await check('build', 'npm', ['run', '-s', 'build']);
  await jestSuite('unit', 'unit');
  await jestSuite('integration', 'integration', ['--runInBand']);
  await jestSuite('e2e', 'e2e', ['--runInBand']);
} catch (err) {
  console.error(String(err?.message ?? err));
  totals.failed += 1;
} finally {
  stopInfra();
}

console.log(`\n=== summary (${((Date.now() - started) / 60000).toFixed(1)} min) ===`);
for (const line of summary) console.log(line);
if (failures.length) console.log(`failed tests:\n${failures.join('\n')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 ? 0 : 1);
