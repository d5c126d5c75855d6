import type { AppConfig } from '@xero-sync/config';
import type { EntityChangeEvent } from '@xero-sync/contracts';
import type { EventPublisher, OutgoingMessage } from '@xero-sync/messaging';
import { signStoreBody, STORE_SIGNATURE_HEADERS } from '@xero-sync/security';
import { StoreSecretsQueries } from '../stores/store-secrets.queries';
import { PublishEntityChangeUseCase } from './publish-entity-change.usecase';

const SECRETS: Record<string, string> = { 'shop-a': 'secret-a', 'shop-b': 'secret-b' };

function useCase() {
  const published: OutgoingMessage[] = [];
  const publisher = { publish: async (m: OutgoingMessage[]) => void published.push(...m) } as unknown as EventPublisher;
  const secrets = { secretOf: async (id: string) => SECRETS[id] ?? null } as unknown as StoreSecretsQueries;
  const config = { KAFKA_TOPIC_PREFIX: '' } as AppConfig;
  return { publish: new PublishEntityChangeUseCase(publisher, secrets, config), published };
}

const event = (storeId: string, origin: 'webhook' | 'backfill', n: number) =>
  ({
    eventId: `00000000-0000-4000-8000-00000000000${n}`,
    storeId,
    entity: 'customer',
    entityId: String(n),
    occurredAt: '2026-01-01T00:00:00.000Z',
    origin,
    schemaVersion: 1,
    payload: { id: n, email: `c${n}@example.com`, firstname: 'A', lastname: 'B', addresses: [] },
  }) as unknown as EntityChangeEvent;

describe('PublishEntityChangeUseCase', () => {
  it("signs every record with its own store's secret, over the exact record value", async () => {
    const { publish, published } = useCase();
    await publish.execute([event('shop-a', 'webhook', 1), event('shop-b', 'backfill', 2)], 'corr-1');
    expect(published).toHaveLength(2);
    for (const m of published) {
      const headers = m.headers!;
      const secret = SECRETS[m.key];
      const timestamp = headers[STORE_SIGNATURE_HEADERS.timestamp];
      expect(timestamp).toMatch(/^\d{10}$/);
      expect(headers[STORE_SIGNATURE_HEADERS.signature]).toBe(signStoreBody(secret, timestamp, m.value));
    }
  });

  it('publishes nothing for a store that is not registered', async () => {
    const { publish, published } = useCase();
    await expect(publish.execute([event('shop-x', 'webhook', 3)], 'corr-2')).rejects.toMatchObject({
      code: 'STORE_NOT_FOUND',
    });
    expect(published).toEqual([]);
  });
});
