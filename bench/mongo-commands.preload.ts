/**
 * Loaded into each benchmark syncer with `node --require` (NODE_OPTIONS): counts the MongoDB commands the process
 * sends, by command name and collection, with the driver's own command monitoring, and keeps the running totals in
 * `$BENCH_MONGO_COMMANDS_DIR/<SYNCER_INSTANCE_ID>.json` (rewritten every 500 ms and at exit), so the benchmark can
 * read them at the same instants as its CPU figures. The milliseconds the same commands took (sent to answered, as
 * the driver times them) go beside them into `<SYNCER_INSTANCE_ID>.ms.json`, and both by query shape (the command,
 * its collection and its filter's field names: `find xero_connections {status,tenants.tenantId}`) into
 * `<SYNCER_INSTANCE_ID>.shapes.json` as `[count, ms]`, which tells apart two queries of one collection. The documents
 * the same commands carried go into `<SYNCER_INSTANCE_ID>.docs.json`: inserted (as sent), matched by an update or
 * removed by a delete (the reply's `n`), returned by a find, getMore, aggregate or distinct. Measures; changes
 * nothing the syncer does.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';

const dir = process.env.BENCH_MONGO_COMMANDS_DIR;
if (dir) {
  const name = process.env.SYNCER_INSTANCE_ID ?? String(process.pid);
  const file = join(dir, `${name}.json`);
  const msFile = join(dir, `${name}.ms.json`);
  const shapesFile = join(dir, `${name}.shapes.json`);
  const docsFile = join(dir, `${name}.docs.json`);
  const counts: Record<string, number> = {};
  const docs: Record<string, number> = {};
  const ms: Record<string, number> = {};
  const shapes: Record<string, [number, number]> = {};
  const keyOf = new Map<number, [string, string]>();
  const answered = (e: { requestId: number; duration: number; reply?: unknown }) => {
    const keys = keyOf.get(e.requestId);
    if (keys === undefined) return;
    keyOf.delete(e.requestId);
    ms[keys[0]] = (ms[keys[0]] ?? 0) + e.duration;
    shapes[keys[1]][1] += e.duration;
    const n = documentsOf(keys[0], e.reply);
    if (n > 0) docs[keys[0]] = (docs[keys[0]] ?? 0) + n;
  };
  /** Documents a reply carried or counted (inserts are counted as sent). */
  const documentsOf = (key: string, reply: unknown): number => {
    const r = (reply ?? {}) as {
      n?: unknown;
      values?: unknown[];
      cursor?: { firstBatch?: unknown[]; nextBatch?: unknown[] };
    };
    if (key.startsWith('insert')) return 0;
    if (key.startsWith('update') || key.startsWith('delete')) return typeof r.n === 'number' ? r.n : 0;
    if (Array.isArray(r.values)) return r.values.length;
    return (r.cursor?.firstBatch ?? r.cursor?.nextBatch ?? []).length;
  };
  /** The filter's field names: `filter` (find), `query` (distinct, count, findAndModify), the first `q` (update, delete). */
  const filterOf = (command: Record<string, unknown>): unknown => {
    const first = (list: unknown) => (Array.isArray(list) ? (list[0] as { q?: unknown } | undefined)?.q : undefined);
    return command.filter ?? command.query ?? first(command.updates) ?? first(command.deletes);
  };
  const connect = MongoClient.prototype.connect;
  MongoClient.prototype.connect = function (this: MongoClient) {
    // The setter exists on the client, though the typings list it among the options only.
    (this as unknown as { monitorCommands: boolean }).monitorCommands = true;
    this.on('commandStarted', (e) => {
      // By command and collection (`find pending_changes`), so a per-record command shows where it comes from.
      const command = e.command as Record<string, unknown>;
      const target: unknown = e.commandName === 'getMore' ? command.collection : command[e.commandName];
      const key = typeof target === 'string' ? `${e.commandName} ${target}` : e.commandName;
      counts[key] = (counts[key] ?? 0) + 1;
      if (Array.isArray(command.documents)) docs[key] = (docs[key] ?? 0) + command.documents.length;
      const filter = filterOf(e.command);
      const shape = filter && typeof filter === 'object' ? `${key} {${Object.keys(filter).sort().join(',')}}` : key;
      shapes[shape] = [(shapes[shape]?.[0] ?? 0) + 1, shapes[shape]?.[1] ?? 0];
      keyOf.set(e.requestId, [key, shape]);
    });
    this.on('commandSucceeded', answered);
    this.on('commandFailed', answered);
    return connect.call(this);
  };
  const save = () => {
    writeFileSync(file, JSON.stringify(counts));
    writeFileSync(msFile, JSON.stringify(ms));
    writeFileSync(shapesFile, JSON.stringify(shapes));
    writeFileSync(docsFile, JSON.stringify(docs));
  };
  setInterval(save, 500).unref();
  process.on('exit', save);
}
