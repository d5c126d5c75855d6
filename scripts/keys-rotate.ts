/**
 * `npm run keys:rotate` re-seals every store secret and Xero token under TOKEN_ENCRYPTION_KEY.
 * Rotation: (1) give every app the new TOKEN_ENCRYPTION_KEY and the previous key(s) in TOKEN_ENCRYPTION_OLD_KEYS
 * (comma-separated) and restart them; (2) run this with the same two settings; (3) when it reports nothing left,
 * remove TOKEN_ENCRYPTION_OLD_KEYS everywhere. Safe to run again.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigValidationError, loadConfig } from '@xero-sync/config';
import { KeysCliModule } from '../apps/admin-api/src/keys/keys-cli.module';
import { RotateEncryptionKeyUseCase } from '../apps/admin-api/src/keys/rotate-encryption-key.usecase';

async function main(): Promise<number> {
  const config = loadConfig({ require: ['TOKEN_ENCRYPTION_KEY'] });
  const ctx = await NestFactory.createApplicationContext(KeysCliModule.forRoot(config), { logger: ['error'] });
  try {
    const report = await ctx.get(RotateEncryptionKeyUseCase).execute();
    for (const [name, c] of [
      ['stores', report.stores],
      ['xero connections', report.xeroConnections],
    ] as const)
      process.stdout.write(
        `${name}: ${c.resealed} re-sealed, ${c.current} already under the current key` +
          (c.changedMeanwhile ? `, ${c.changedMeanwhile} changed meanwhile (already under the current key)` : '') +
          '\n',
      );
    process.stdout.write(
      `everything is sealed under key ${report.keyId}; TOKEN_ENCRYPTION_OLD_KEYS can now be removed\n`,
    );
    return 0;
  } finally {
    await ctx.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigValidationError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`keys:rotate failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
