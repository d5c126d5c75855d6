import { join } from 'node:path';
import { cacheDir, locateSpec, specCandidates } from './spec-locator';

describe('spec locator', () => {
  it('looks at the explicit path, the env variable, ../shared next to the repo, then the user cache', () => {
    const list = specCandidates('/x/explicit.yaml', '/y/env.yaml');
    expect(list[0]).toBe('/x/explicit.yaml');
    expect(list[1]).toBe('/y/env.yaml');
    expect(list).toContain(join(process.cwd(), '..', 'shared', 'xero-openapi', 'xero_accounting.yaml'));
    expect(list[list.length - 1]).toBe(join(cacheDir(), 'xero_accounting.yaml'));
  });

  it('refuses an explicit path that does not exist instead of silently using another copy', async () => {
    await expect(locateSpec('/nonexistent/xero_accounting.yaml')).rejects.toThrow(/not found at specPath/);
  });
});
