/**
 * `npm run contracts:schemas`: writes the published JSON Schemas (one per entity topic, plus commands) to
 * docs/contracts from libs/contracts, the same zod schemas ingest and the syncer validate with. A unit test
 * (libs/contracts/src/json-schema-files.spec.ts) fails when the committed files drift from them.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildJsonSchemas } from '@xero-sync/contracts';

const dir = join(process.cwd(), 'docs', 'contracts');
mkdirSync(dir, { recursive: true });
const schemas = buildJsonSchemas();
for (const stale of readdirSync(dir).filter((f) => f.endsWith('.schema.json') && !(f in schemas)))
  rmSync(join(dir, stale));
for (const [file, schema] of Object.entries(schemas))
  writeFileSync(join(dir, file), `${JSON.stringify(schema, null, 2)}\n`);
process.stdout.write(`wrote ${Object.keys(schemas).length} JSON Schemas to ${dir}\n`);
