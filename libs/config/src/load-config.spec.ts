import { ConfigValidationError } from './config.errors';
import { loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies the documented defaults for local infra and real Xero', () => {
    const config = loadConfig({}, {});
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.MONGODB_URI).toBe('mongodb://127.0.0.1:27017/xero-sync');
    expect(config.XERO_API_URL).toBe('https://api.xero.com/api.xro/2.0');
    expect(config.XERO_IDENTITY_URL).toBe('https://identity.xero.com');
    expect(config.SYNCER_PORT).toBe(3003);
    expect(config.KAFKA_TOPIC_PARTITIONS).toBe(12);
  });

  it('lists every bad and every missing key at once', () => {
    let error: unknown;
    try {
      loadConfig(
        { require: ['TOKEN_ENCRYPTION_KEY', 'ADMIN_BOOTSTRAP_TOKEN'] },
        { KAFKA_BROKERS: 'nohost', MONGODB_URI: 'postgres://x', INGEST_PORT: '99999' },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const keys = (error as ConfigValidationError).issues.map((i) => i.key).sort();
    expect(keys).toEqual([
      'ADMIN_BOOTSTRAP_TOKEN',
      'INGEST_PORT',
      'KAFKA_BROKERS',
      'MONGODB_URI',
      'TOKEN_ENCRYPTION_KEY',
    ]);
    expect((error as Error).message).toContain('MONGODB_URI: must start with mongodb://');
  });

  it('accepts a 32-byte key in hex or base64 and rejects a short one', () => {
    expect(loadConfig({}, { TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32) }).TOKEN_ENCRYPTION_KEY).toHaveLength(64);
    expect(() => loadConfig({}, { TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') })).not.toThrow();
    expect(() => loadConfig({}, { TOKEN_ENCRYPTION_KEY: 'short' })).toThrow(/TOKEN_ENCRYPTION_KEY/);
  });

  it('reads old keys as a list, the outbound flags as booleans, and SASL settings only complete', () => {
    const config = loadConfig({}, { TOKEN_ENCRYPTION_OLD_KEYS: `${'ab'.repeat(32)}, ${'cd'.repeat(32)}` });
    expect(config.TOKEN_ENCRYPTION_OLD_KEYS).toEqual(['ab'.repeat(32), 'cd'.repeat(32)]);
    expect(() => loadConfig({}, { TOKEN_ENCRYPTION_OLD_KEYS: 'short' })).toThrow(/TOKEN_ENCRYPTION_OLD_KEYS/);
    expect(config).toMatchObject({ OUTBOUND_ALLOW_HTTP: false, OUTBOUND_ALLOW_PRIVATE: false, KAFKA_SSL: false });
    expect(loadConfig({}, { OUTBOUND_ALLOW_PRIVATE: 'true' }).OUTBOUND_ALLOW_PRIVATE).toBe(true);
    expect(() => loadConfig({}, { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'ingest' })).toThrow(
      /KAFKA_SASL_PASSWORD/,
    );
    const sasl = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'ingest', KAFKA_SASL_PASSWORD: 'pw' };
    expect(loadConfig({}, sasl)).toMatchObject(sasl);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({}, { KAFKA_BROKERS: '' }).KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });
});
