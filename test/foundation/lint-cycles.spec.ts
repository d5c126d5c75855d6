import { spawnSync } from 'node:child_process';
import { repoRoot } from '@xero-sync/testing';

interface LintMessage {
  ruleId: string | null;
  message: string;
  fatal?: boolean;
}

/**
 * Lints fixture files with the repository's own eslint.config.mjs through ESLint's Node API, in a child process
 * (ESLint loads its flat config with a dynamic import, which Jest's module system does not run). Only
 * `import-x/no-cycle` is run: the type-aware rules would build the whole repository's program for three files,
 * and with `projectService` off the fixtures are parsed alone, as import-x parses every dependency anyway.
 * Ignores are switched off because the config keeps the fixtures out of `npx eslint .`.
 */
function noCycleMessages(folder: string): Record<string, LintMessage[]> {
  const script = `
    import { ESLint } from 'eslint';
    const eslint = new ESLint({
      cwd: process.cwd(),
      ignore: false,
      ruleFilter: ({ ruleId }) => ruleId === 'import-x/no-cycle',
      overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    });
    const results = await eslint.lintFiles([process.argv[1]]);
    const out = {};
    for (const r of results) out[r.filePath.slice(process.cwd().length + 1)] = r.messages;
    process.stdout.write(JSON.stringify(out));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, `test/fixtures/lint-cycle/${folder}`], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 110_000,
  });
  if (run.status !== 0) throw new Error(`eslint failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, LintMessage[]>;
}

describe('lint catches import circles (eslint.config.mjs, import-x/no-cycle)', () => {
  it('reports every module of a circle between TypeScript files', () => {
    const found = noCycleMessages('circle');
    const files = Object.keys(found).sort();
    expect(files).toEqual([
      'test/fixtures/lint-cycle/circle/first.ts',
      'test/fixtures/lint-cycle/circle/second.ts',
      'test/fixtures/lint-cycle/circle/third.ts',
    ]);
    for (const file of files) {
      expect(found[file].filter((m) => m.fatal)).toEqual([]);
      expect(found[file].map((m) => m.ruleId)).toEqual(['import-x/no-cycle']);
    }
  }, 120_000);

  it('passes the same files without the import that closes the circle', () => {
    const found = noCycleMessages('chain');
    expect(Object.keys(found)).toHaveLength(3);
    for (const messages of Object.values(found)) expect(messages).toEqual([]);
  }, 120_000);
});
