import { exited, startBuiltApp, AppName } from './built-app';

// A bad or missing environment stops each app before it does anything, listing every bad key and why.
describe.each<[AppName, string[]]>([
  ['ingest', ['TOKEN_ENCRYPTION_KEY', 'KAFKA_BROKERS', 'MONGODB_URI']],
  ['syncer', ['TOKEN_ENCRYPTION_KEY', 'KAFKA_BROKERS', 'MONGODB_URI']],
  ['admin-api', ['TOKEN_ENCRYPTION_KEY', 'ADMIN_BOOTSTRAP_TOKEN', 'KAFKA_BROKERS', 'MONGODB_URI']],
])('%s with a bad environment', (app, expectedKeys) => {
  it('exits non-zero and names every bad key with its reason', async () => {
    const { child, output } = startBuiltApp(app, {
      KAFKA_BROKERS: 'not a broker',
      MONGODB_URI: 'http://wrong',
      XERO_API_URL: 'ftp://nope',
    });
    const code = await exited(child);
    expect(code).toBe(1);
    const text = output();
    expect(text).toContain(`${app}: Invalid configuration:`);
    for (const key of [...expectedKeys, 'XERO_API_URL']) expect(text).toMatch(new RegExp(`- ${key}: \\S`));
    expect(text).toContain('KAFKA_BROKERS: each broker must be host:port');
    expect(text).toContain('MONGODB_URI: must start with mongodb://');
  });
});
