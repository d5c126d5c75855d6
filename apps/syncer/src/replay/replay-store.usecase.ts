import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { decodeEntityChangeEvent, topics, XeroSyncCommand } from '@xero-sync/contracts';
import { IncomingMessage, KAFKA, Kafka, keyReplayRanges, KeyReplayRange, readRanges } from '@xero-sync/messaging';
import { runWithCorrelation } from '@xero-sync/observability';
import { emptyReplayCounts, ReplayCounts, ReplayJobRepository } from '@xero-sync/persistence';
import { SyncSettingsCache } from '../delivery/sync-settings.cache';
import { EventSignatureQueries } from '../stores/event-signature.queries';
import { EntityChangeOutcome, HandleEntityChangeUseCase } from '../sync/handle-entity-change.usecase';
import { assertNever } from '../sync/sync-policy';

type ReplayStart = Extract<XeroSyncCommand, { type: 'replay.start' }>;

/** Progress is written at most this often while a replay runs. */
const PROGRESS_EVERY_MS = 1000;
/** Attempts of one event before the replay gives up (infrastructure errors: MongoDB, Kafka). */
const EVENT_TRIES = 5;

/** The summary bucket of an outcome. */
function bucketOf(outcome: EntityChangeOutcome): keyof Omit<ReplayCounts, 'read'> {
  switch (outcome) {
    case 'synced':
    case 'unchanged':
    case 'failed':
    case 'waiting':
      return outcome;
    case 'deferred':
    case 'delivered':
    case 'disabled':
    case 'duplicate':
    case 'queued':
    case 'stale':
      return 'skipped';
    default:
      return assertNever(outcome);
  }
}

/**
 * An operator's replay of one store's events: reads the store's partition of each chosen entity topic from the first
 * offset at the replay's `from` time up to the offsets at the time of the request, with a consumer group of its own,
 * and feeds each of the store's events of the chosen types to HandleEntityChangeUseCase marked `origin: replay`.
 * It runs in the background so the command partition is not held; progress and the summary go to `replay_jobs`.
 * A replay is safe to run twice: what Xero already holds costs no write (business keys, content hashes).
 */
@Injectable()
export class ReplayStoreUseCase implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ReplayStoreUseCase.name);
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly replays: ReplayJobRepository,
    private readonly settings: SyncSettingsCache,
    private readonly handleChange: HandleEntityChangeUseCase,
    private readonly signatures: EventSignatureQueries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Looks the offsets up and starts the replay (once per replay id); resolves when it has started, not ended. */
  async execute(command: ReplayStart): Promise<void> {
    if (this.stopping) throw new Error('the syncer is stopping; the replay command is left to another syncer');
    const names = command.entities.map((e) => topics.entityChanged(e, this.config.KAFKA_TOPIC_PREFIX));
    const starts = await keyReplayRanges(this.kafka, names, command.storeId, new Date(command.from));
    const ends = await keyReplayRanges(this.kafka, names, command.storeId, new Date(command.requestedAt));
    const ranges: KeyReplayRange[] = starts.map((s, i) => ({ ...s, to: ends[i].from }));
    const total = ranges.reduce((n, r) => n + Math.max(0, Number(BigInt(r.to) - BigInt(r.from))), 0);
    if (!(await this.replays.start(command.replayId, this.config.SYNCER_INSTANCE_ID, ranges, total))) {
      this.logger.log(`replay ${command.replayId} is not waiting to start; command skipped`);
      return;
    }
    // A replay often follows a settings fix: read them now (this refreshes the cache the events are routed with), as
    // Sync Now and each flush do, instead of serving what the cache held for up to its TTL.
    await this.settings.get(command.storeId, { fresh: true });
    const run = this.run(command, ranges).finally(() => this.running.delete(command.replayId));
    this.running.set(command.replayId, run);
  }

  /** Waits for the replays in flight, which stop after their current event and are marked interrupted. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running.values());
  }

  private async run(command: ReplayStart, ranges: KeyReplayRange[]): Promise<void> {
    const counts = emptyReplayCounts();
    let savedAt = Date.now();
    try {
      await readRanges(this.kafka, {
        groupId: `${this.config.KAFKA_GROUP_PREFIX}-replay-${command.replayId}`,
        ranges,
        shouldStop: () => this.stopping,
        onMessage: async (message) => {
          counts.read += 1;
          counts[bucketOf(await this.withRetries(() => this.one(command, message)))] += 1;
          if (Date.now() - savedAt >= PROGRESS_EVERY_MS) {
            savedAt = Date.now();
            await this.replays.saveProgress(command.replayId, counts);
          }
        },
      });
      await this.replays.finish(command.replayId, {
        status: this.stopping ? 'interrupted' : 'succeeded',
        progress: counts,
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.logger.warn(`replay ${command.replayId} of ${command.storeId} failed: ${reason}`);
      await this.replays
        .finish(command.replayId, { status: 'failed', progress: counts, lastError: reason })
        .catch(() => undefined);
    }
  }

  /**
   * One message of the store's partition: an event of this store and a chosen type goes through the same path as a
   * live one, marked as replayed (its log rows carry the correlation id `replay-<id>`); anything else is skipped.
   * An invalid message, or one not signed by its store (read again with its headers), was dead-lettered when it
   * first arrived and is skipped here.
   */
  private async one(command: ReplayStart, message: IncomingMessage): Promise<EntityChangeOutcome> {
    const decoded = decodeEntityChangeEvent(message.value);
    if (!decoded.ok) return 'disabled';
    const event = decoded.value;
    if (event.storeId !== command.storeId || !command.entities.includes(event.entity)) return 'disabled';
    const refusal = await this.signatures.refusalOf(event, message.value!, message.headers);
    if (refusal) {
      this.logger.warn(
        `replay ${command.replayId} skips ${message.topic}[${message.partition}]@${message.offset}: ` +
          refusal.map((e) => e.message).join('; '),
      );
      return 'disabled';
    }
    const correlationId = `replay-${command.replayId}`;
    return runWithCorrelation(correlationId, () =>
      this.handleChange.execute({ ...event, origin: 'replay' }, correlationId),
    );
  }

  private async withRetries<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        if (attempt >= EVENT_TRIES || this.stopping) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
      }
    }
  }
}
