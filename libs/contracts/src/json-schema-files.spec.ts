import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildJsonSchemas } from './json-schemas';

const dir = join(__dirname, '../../../docs/contracts');

describe('published JSON Schemas (docs/contracts)', () => {
  it('are exactly what the contracts generate (run `npm run contracts:schemas` after changing a contract)', () => {
    const generated = buildJsonSchemas();
    const committed = readdirSync(dir).filter((f) => f.endsWith('.schema.json'));
    expect(committed.sort()).toEqual(Object.keys(generated).sort());
    for (const file of committed) {
      expect({ file, schema: JSON.parse(readFileSync(join(dir, file), 'utf8')) }).toEqual({
        file,
        schema: generated[file],
      });
    }
  });
});
