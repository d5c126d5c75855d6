/**
 * Loaded into each benchmark syncer with `node --require` (NODE_OPTIONS): counts the MongoDB commands the process
 * sends, by command name and collection, with the driver's own command monitoring, and keeps the running totals in
 * `$BENCH_MONGO_COMMANDS_DIR/<SYNCER_INSTANCE_ID>.json` (rewritten every 500 ms and at exit), so the benchmark can
 * read them at the same instants as its CPU figures. The milliseconds the same commands took (sent to answered, as
 * the driver times them) go beside them into `<SYNCER_INSTANCE_ID>.ms.json`. Measures; changes nothing the syncer
 * does.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';

const dir = process.env.BENCH_MONGO_COMMANDS_DIR;
if (dir) {
  const name = process.env.SYNCER_INSTANCE_ID ?? String(process.pid);
  const file = join(dir, `${name}.json`);
  const msFile = join(dir, `${name}.ms.json`);
  const counts: Record<string, number> = {};
  const ms: Record<string, number> = {};
  const keyOf = new Map<number, string>();
  const answered = (e: { requestId: number; duration: number }) => {
    const key = keyOf.get(e.requestId);
    if (key === undefined) return;
    keyOf.delete(e.requestId);
    ms[key] = (ms[key] ?? 0) + e.duration;
  };
  const connect = MongoClient.prototype.connect;
  MongoClient.prototype.connect = function (this: MongoClient) {
    // The setter exists on the client, though the typings list it among the options only.
    (this as unknown as { monitorCommands: boolean }).monitorCommands = true;
    this.on('commandStarted', (e) => {
      // By command and collection (`find pending_changes`), so a per-record command shows where it comes from.
      const target: unknown = (e.command as Record<string, unknown>)[e.commandName];
      const key = typeof target === 'string' ? `${e.commandName} ${target}` : e.commandName;
      counts[key] = (counts[key] ?? 0) + 1;
      keyOf.set(e.requestId, key);
    });
    this.on('commandSucceeded', answered);
    this.on('commandFailed', answered);
    return connect.call(this);
  };
  const save = () => {
    writeFileSync(file, JSON.stringify(counts));
    writeFileSync(msFile, JSON.stringify(ms));
  };
  setInterval(save, 500).unref();
  process.on('exit', save);
}
