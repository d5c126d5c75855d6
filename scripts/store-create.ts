/**
 * `npm run store:create -- --id <storeId> --name <name> [--magento-url <url> --magento-token <token>]`
 * Registers a store with ingest (until admin-api manages stores) and prints its webhook secret once: it is
 * stored encrypted (TOKEN_ENCRYPTION_KEY) and cannot be shown again, only rotated.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { ConfigValidationError, loadConfig } from '@xero-sync/config';
import { DuplicateKeyError, StoreRepository } from '@xero-sync/persistence';
import { StoresCliModule } from '../apps/ingest/src/stores/stores-cli.module';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      'magento-url': { type: 'string' },
      'magento-token': { type: 'string' },
    },
  });
  if (!values.id || !values.name) {
    process.stderr.write(
      'usage: npm run store:create -- --id <storeId> --name <name> [--magento-url <url> --magento-token <token>]\n',
    );
    return 2;
  }
  if (Boolean(values['magento-url']) !== Boolean(values['magento-token'])) {
    process.stderr.write('--magento-url and --magento-token go together\n');
    return 2;
  }
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/.test(values.id)) {
    process.stderr.write('--id must be 1-64 letters, digits, _ or -, starting with a letter or digit\n');
    return 2;
  }
  const config = loadConfig({ require: ['TOKEN_ENCRYPTION_KEY'] });
  const ctx = await NestFactory.createApplicationContext(StoresCliModule.forRoot(config), { logger: ['error'] });
  try {
    const { store, webhookSecret } = await ctx.get(StoreRepository).create({
      storeId: values.id,
      name: values.name,
      magentoBaseUrl: values['magento-url'],
      magentoToken: values['magento-token'],
    });
    process.stdout.write(
      `store "${store.storeId}" (${store.name}) created.\n` +
        `webhook secret (shown once; sign webhooks and backfills with it):\n${webhookSecret}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof DuplicateKeyError) {
      process.stderr.write(`store "${values.id}" already exists\n`);
      return 1;
    }
    throw err;
  } finally {
    await ctx.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `store:create failed: ${err instanceof ConfigValidationError || err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  },
);
