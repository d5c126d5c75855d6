import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { envSchema } from '@xero-sync/config';
import { repoRoot } from '@xero-sync/testing';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
}

// docker-compose cannot run on these machines; this keeps it consistent with the code it starts.
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
  };
  const apps = ['ingest', 'syncer', 'admin-api'];
  const known = new Set([...Object.keys(envSchema.shape), 'PORT_UNDER_TEST']);

  it('runs the three built apps from the one image', () => {
    for (const app of apps) {
      expect(compose.services[app].command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
      expect(compose.services[app].image).toBe('xero-sync:latest');
    }
  });

  it('passes only environment keys the config schema knows, and every secret an app requires', () => {
    for (const app of apps) {
      const env = compose.services[app].environment ?? {};
      for (const key of Object.keys(env)) expect(known).toContain(key);
      expect(env.TOKEN_ENCRYPTION_KEY).toBeDefined();
      expect(env.KAFKA_BROKERS).toBe('kafka-1:9092,kafka-2:9092,kafka-3:9092');
      expect(String(env.MONGODB_URI)).toMatch(/^mongodb:\/\/mongodb:27017\//);
    }
    expect(compose.services['admin-api'].environment?.ADMIN_BOOTSTRAP_TOKEN).toBeDefined();
  });

  it('keeps the syncer unpublished so it can scale, and the HTTP apps on their fixed ports', () => {
    expect(compose.services.syncer.ports).toBeUndefined();
    expect(compose.services.ingest.ports).toEqual(['3001:3001']);
    expect(compose.services['admin-api'].ports).toEqual(['3002:3002']);
  });

  it('runs several Kafka brokers and a MongoDB replica set', () => {
    const brokers = Object.entries(compose.services).filter(([, s]) => s.image?.startsWith('apache/kafka'));
    expect(brokers.length).toBeGreaterThanOrEqual(3);
    expect(compose.services.mongodb.image).toMatch(/^mongo:/);
  });
});
