import { Injectable } from '@nestjs/common';
import { EntityChangeEvent } from '@xero-sync/contracts';
import { eventsOut } from '@xero-sync/observability';
import { PendingChangeRepository } from '@xero-sync/persistence';
import { SyncSettingsCache } from '../delivery/sync-settings.cache';
import { BufferEntityChangeUseCase } from './buffer-entity-change.usecase';
import { SyncEntityUseCase } from './sync-entity.usecase';

export type EntityChangeOutcome = 'disabled' | 'duplicate' | 'stale' | 'queued' | 'delivered';

/**
 * Routes a valid event by its store's settings: entity types the store does not sync are skipped; an event
 * already handled (redelivery after a crash or rebalance) or older than the content already held is dropped;
 * Immediately mode delivers now, Cron Job mode queues.
 */
@Injectable()
export class HandleEntityChangeUseCase {
  constructor(
    private readonly settings: SyncSettingsCache,
    private readonly queue: PendingChangeRepository,
    private readonly syncNow: SyncEntityUseCase,
    private readonly buffer: BufferEntityChangeUseCase,
  ) {}

  async execute(event: EntityChangeEvent, correlationId?: string): Promise<EntityChangeOutcome> {
    const settings = await this.settings.get(event.storeId);
    if (!settings.entitiesEnabled.includes(event.entity)) {
      eventsOut.inc({ app: 'syncer', entity: event.entity, outcome: 'disabled' });
      return 'disabled';
    }
    const existing = await this.queue.findByKey(event.storeId, event.entity, event.entityId);
    if (existing && existing.eventId === event.eventId) {
      eventsOut.inc({ app: 'syncer', entity: event.entity, outcome: 'duplicate' });
      return 'duplicate';
    }
    if (existing && existing.occurredAt.getTime() > new Date(event.occurredAt).getTime()) {
      eventsOut.inc({ app: 'syncer', entity: event.entity, outcome: 'stale' });
      return 'stale';
    }
    if (settings.mode === 'immediate') {
      await this.syncNow.execute(event, settings, existing, correlationId);
      return 'delivered';
    }
    await this.buffer.execute(event, correlationId);
    return 'queued';
  }
}
