#!/usr/bin/env node
// `npm run demo`: from a fresh clone, installs dependencies if missing (npm ci), builds, starts Kafka and
// FerretDB (npm run infra:up), then runs the demo (dist/scripts/demo/run-demo.js). Ctrl-C stops the demo and
// everything it started; Kafka and FerretDB stay up (npm run infra:down stops them).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(label, args) {
  process.stdout.write(`[demo] ${label}…\n`);
  const res = spawnSync(npm, args, { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) {
    process.stderr.write(`[demo] ✗ ${label} failed (exit ${res.status ?? res.signal}); see the output above.\n`);
    process.exit(1);
  }
}

if (!existsSync(join(root, 'node_modules'))) run('installing dependencies (npm ci)', ['ci']);
run('building', ['run', '-s', 'build']);
run('starting Kafka and FerretDB', ['run', '-s', 'infra:up']);

const child = spawn(process.execPath, [join(root, 'dist/scripts/demo/run-demo.js')], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
