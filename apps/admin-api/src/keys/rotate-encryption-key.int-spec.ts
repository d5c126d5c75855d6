import { getConnectionToken } from '@nestjs/mongoose';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@xero-sync/config';
import { StoreRepository, XeroConnectionRepository } from '@xero-sync/persistence';
import { keyIdOf, SecretBox } from '@xero-sync/security';
import { testMongoUri } from '@xero-sync/testing';
import { KeysCliModule } from './keys-cli.module';
import { RotateEncryptionKeyUseCase } from './rotate-encryption-key.usecase';

/** Key rotation on FerretDB: what is persisted before and after, read back with each key ring. */
describe('npm run keys:rotate', () => {
  const uri = testMongoUri();
  const key1 = randomBytes(32).toString('hex');
  const key2 = randomBytes(32).toString('base64');
  const contexts: INestApplicationContext[] = [];

  async function boot(env: Record<string, string>) {
    const config = loadConfig({ require: ['TOKEN_ENCRYPTION_KEY'] }, { MONGODB_URI: uri, ...env });
    const ctx = await NestFactory.createApplicationContext(KeysCliModule.forRoot(config), { logger: false });
    contexts.push(ctx);
    return ctx;
  }

  afterAll(async () => {
    await contexts[0]?.get<Connection>(getConnectionToken()).dropDatabase();
    for (const ctx of contexts) await ctx.close();
  });

  it('re-seals every token and secret under the new key; none is left under the old one, which can then go', async () => {
    const before = await boot({ TOKEN_ENCRYPTION_KEY: key1 });
    const box1 = new SecretBox(key1);
    const stores = before.get(StoreRepository);
    const secrets = new Map<string, string>();
    for (const storeId of ['rot-a', 'rot-b', 'rot-c']) {
      const { webhookSecret } = await stores.create({
        storeId,
        name: storeId,
        magentoBaseUrl: 'https://shop.example',
        magentoToken: `magento-${storeId}`,
      });
      secrets.set(storeId, webhookSecret);
    }
    // A store whose webhook secret was rotated keeps the replaced one sealed too.
    const rotated = (await stores.rotateSecret('rot-c', 3_600_000))!;
    const replaced = secrets.get('rot-c')!;
    secrets.set('rot-c', rotated.webhookSecret);
    const connections = before.get(XeroConnectionRepository);
    const legacy = (value: string, aad: string) => {
      // A value sealed before key ids: `v1.<iv>.<tag>.<data>`.
      const [, , iv, tag, data] = box1.encrypt(value, aad).split('.');
      return ['v1', iv, tag, data].join('.');
    };
    await connections.create({
      id: 'conn-1',
      kind: 'oauth',
      status: 'connected',
      tenants: [],
      accessTokenSealed: box1.encrypt('access-1', 'conn-1'),
      refreshTokenSealed: legacy('refresh-1', 'conn-1'),
      previousRefreshTokenSealed: box1.encrypt('refresh-0', 'conn-1'),
    });
    const raw = before.get<Connection>(getConnectionToken());
    const sealedValues = async () => {
      const docs = [
        ...(await raw.collection('stores').find().toArray()),
        ...(await raw.collection('xero_connections').find().toArray()),
      ];
      return docs.flatMap((d) =>
        Object.entries(d)
          .filter(([k, v]) => k.endsWith('Sealed') && typeof v === 'string')
          .map(([, v]) => String(v)),
      );
    };
    expect(new Set((await sealedValues()).map(keyIdOf))).toEqual(new Set([box1.currentKeyId, 'legacy']));

    const during = await boot({ TOKEN_ENCRYPTION_KEY: key2, TOKEN_ENCRYPTION_OLD_KEYS: key1 });
    // While rotating, the apps (given the new key and the old one) read everything.
    expect(await during.get(StoreRepository).webhookSecretOf('rot-b')).toBe(secrets.get('rot-b'));
    const report = await during.get(RotateEncryptionKeyUseCase).execute();
    expect(report.stores).toEqual({ resealed: 7, current: 0, changedMeanwhile: 0 });
    expect(report.xeroConnections).toEqual({ resealed: 3, current: 0, changedMeanwhile: 0 });
    const box2 = new SecretBox(key2);
    expect(report.keyId).toBe(box2.currentKeyId);
    const after = await sealedValues();
    expect(after).toHaveLength(10);
    expect(after.every((v) => keyIdOf(v) === box2.currentKeyId)).toBe(true);
    // Running it again finds nothing to do.
    expect((await during.get(RotateEncryptionKeyUseCase).execute()).stores).toEqual({
      resealed: 0,
      current: 7,
      changedMeanwhile: 0,
    });

    // Key 1 removed: everything is still readable with key 2 alone.
    const only2 = await boot({ TOKEN_ENCRYPTION_KEY: key2 });
    for (const [storeId, secret] of secrets) {
      expect(await only2.get(StoreRepository).webhookSecretOf(storeId)).toBe(secret);
      expect(await only2.get(StoreRepository).magentoCredentialsOf(storeId)).toEqual({
        baseUrl: 'https://shop.example',
        token: `magento-${storeId}`,
      });
    }
    expect(await only2.get(StoreRepository).webhookSecretsOf('rot-c')).toEqual({
      current: rotated.webhookSecret,
      previous: { secret: replaced, until: rotated.previousSecretUntil },
    });
    const conn = (await only2.get(XeroConnectionRepository).findById('conn-1'))!;
    expect(box2.decrypt(conn.accessTokenSealed!, 'conn-1')).toBe('access-1');
    expect(box2.decrypt(conn.refreshTokenSealed!, 'conn-1')).toBe('refresh-1');
    expect(box2.decrypt(conn.previousRefreshTokenSealed!, 'conn-1')).toBe('refresh-0');
  });
});
