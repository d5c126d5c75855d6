import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { UploadReservationRecord, UploadReservationRepository } from '@xero-sync/persistence';
import { IngestError } from '../ingest.errors';

/**
 * How long a reservation stays live without renewal, and how often its process renews it. A crashed process's
 * reservations stop counting after at most the TTL; the margin over the renewal period absorbs a slow database
 * and clock skew between ingest hosts.
 */
export const RESERVATION_TTL_MS = 120_000;
export const RESERVATION_RENEW_MS = 30_000;

/** What an admitted upload holds: `uploadDone` frees its upload slot, `release` its spool bytes (both idempotent, never throw). */
export interface SpoolReservation {
  uploadDone(): Promise<void>;
  release(): Promise<void>;
}

/** A store's limits: uploads in progress at once, and bytes reserved until published. */
export interface SpoolLimits {
  uploads: number;
  bytes: number;
}

/**
 * Whether an upload of `bytes` fits next to `others` (the store's other live reservations, fleet-wide): null when
 * it does, else the 429 to answer. The upload slots are checked first.
 */
export function spoolQuotaRefusal(
  others: Pick<UploadReservationRecord, 'bytes' | 'uploading'>[],
  bytes: number,
  limits: SpoolLimits,
): IngestError | null {
  const uploads = others.filter((r) => r.uploading).length;
  if (uploads >= limits.uploads)
    return new IngestError('UPLOADS_IN_PROGRESS', `this store already has ${uploads} upload(s) in progress`, [
      {
        path: '(request)',
        message: `at most ${limits.uploads} uploads per store at once; retry when one has finished`,
      },
    ]);
  const spooled = others.reduce((sum, r) => sum + r.bytes, 0);
  if (spooled + bytes > limits.bytes)
    return new IngestError('SPOOL_QUOTA_EXCEEDED', `this store's spooled uploads would exceed ${limits.bytes} bytes`, [
      {
        path: 'header:X-Content-Length',
        message: `${spooled} bytes are spooled and not yet published; retry when they are`,
      },
    ]);
  return null;
}

/**
 * Per-store limits on the spool of the whole ingest fleet: uploads in progress (INGEST_BACKFILL_UPLOADS_PER_STORE)
 * and bytes held on disk, counted from the length each upload declared until its spool is published and deleted
 * (INGEST_BACKFILL_SPOOL_BYTES_PER_STORE). Checked before a byte of the body is read, so one store (or anyone
 * holding its secret) cannot fill the disks or tie up the processes for the others. Each upload inserts its
 * reservation, then reads the store's (insert, find; plus a delete when refused): racers for a store's last slot
 * may both be refused, never both admitted. This process renews its reservations with one update per period, so
 * a crashed process's reservations lapse after RESERVATION_TTL_MS.
 */
@Injectable()
export class SpoolQuota implements OnModuleDestroy {
  private readonly logger = new Logger(SpoolQuota.name);
  private readonly owner: string;
  private readonly held = new Set<string>();
  private renewTimer?: NodeJS.Timeout;
  /** This process's updates of its reservations, one at a time: FerretDB v1 may lose one of two concurrent updates. */
  private updates: Promise<void> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reservations: UploadReservationRepository,
  ) {
    this.owner = `ingest-${config.SYNCER_INSTANCE_ID}`;
  }

  /** @throws IngestError UPLOADS_IN_PROGRESS | SPOOL_QUOTA_EXCEEDED (429 + Retry-After), STORE_REGISTRY_UNAVAILABLE */
  async reserve(storeId: string, uploadId: string, bytes: number): Promise<SpoolReservation> {
    const limits = {
      uploads: this.config.INGEST_BACKFILL_UPLOADS_PER_STORE,
      bytes: this.config.INGEST_BACKFILL_SPOOL_BYTES_PER_STORE,
    };
    let refusal: IngestError | null;
    try {
      await this.reservations.insert({ uploadId, storeId, bytes, owner: this.owner, expiresAt: this.expiry() });
      const now = Date.now();
      const docs = await this.reservations.findOfStore(storeId);
      const others = docs.filter((r) => r.uploadId !== uploadId);
      const lapsed = others.filter((r) => r.expiresAt.getTime() <= now).map((r) => r.uploadId);
      refusal = spoolQuotaRefusal(
        others.filter((r) => r.expiresAt.getTime() > now),
        bytes,
        limits,
      );
      // Lapsed reservations (their owner stopped renewing) go with the same command when there is one to send.
      if (refusal) await this.reservations.deleteMany([uploadId, ...lapsed]);
      else if (lapsed.length > 0) await this.reservations.deleteMany(lapsed);
    } catch (err) {
      await this.reservations.deleteMany([uploadId]).catch(() => undefined);
      throw new IngestError(
        'STORE_REGISTRY_UNAVAILABLE',
        `upload limits cannot be checked: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (refusal) throw refusal;
    return this.handle(uploadId, true);
  }

  /**
   * Reserves the bytes of a spool already on this host's disk, without a check (refusing would not free them): a
   * job resumed after the process that received it died, whose reservation has lapsed or will. Never throws; when
   * the database is away the spool goes uncounted.
   */
  async hold(storeId: string, uploadId: string, bytes: number): Promise<SpoolReservation> {
    await this.reservations
      .putSpooled({ uploadId, storeId, bytes, owner: this.owner, expiresAt: this.expiry() })
      .catch((err: unknown) => this.logger.warn(`spool of ${uploadId} not reserved: ${String(err)}`));
    return this.handle(uploadId, false);
  }

  private handle(uploadId: string, uploading: boolean): SpoolReservation {
    this.renewWhileHeld(uploadId);
    let holding = true;
    const uploadDone = async (): Promise<void> => {
      if (!uploading || !holding) return;
      uploading = false;
      await this.update(() => this.reservations.markUploaded(uploadId, this.expiry()));
    };
    return {
      uploadDone,
      release: async () => {
        if (!holding) return;
        holding = false;
        this.stopRenewing(uploadId);
        // A delete is never lost to an update in flight: the update then finds no document.
        await this.reservations.deleteMany([uploadId]).catch((err: unknown) => {
          this.logger.warn(`upload reservation ${uploadId} not deleted (it lapses): ${String(err)}`);
        });
      },
    };
  }

  onModuleDestroy(): void {
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  private expiry(): Date {
    return new Date(Date.now() + RESERVATION_TTL_MS);
  }

  private renewWhileHeld(uploadId: string): void {
    this.held.add(uploadId);
    if (this.renewTimer) return;
    this.renewTimer = setInterval(() => {
      void this.update(() => this.reservations.renew([...this.held], this.expiry()));
    }, RESERVATION_RENEW_MS);
    this.renewTimer.unref();
  }

  private stopRenewing(uploadId: string): void {
    this.held.delete(uploadId);
    if (this.held.size > 0) return;
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  private update(write: () => Promise<void>): Promise<void> {
    this.updates = this.updates.then(write).catch((err: unknown) => {
      this.logger.warn(`upload reservations not updated: ${String(err)}`);
    });
    return this.updates;
  }
}
