import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { IngestError } from '../ingest.errors';

interface StoreUsage {
  uploads: number;
  bytes: number;
}

/** What an admitted upload holds: `uploadDone` frees its upload slot, `release` its spool bytes (both idempotent). */
export interface SpoolReservation {
  uploadDone(): void;
  release(): void;
}

/**
 * Per-store limits on this ingest process's spool: uploads in progress (INGEST_BACKFILL_UPLOADS_PER_STORE) and
 * bytes held on disk, counted from the length each upload declared until its spool is published and deleted
 * (INGEST_BACKFILL_SPOOL_BYTES_PER_STORE). Checked before a byte of the body is read, so one store (or anyone
 * holding its secret) cannot fill the disk or tie up the process for the others. In memory, per process: spools
 * left by an earlier process are not counted.
 */
@Injectable()
export class SpoolQuota {
  private readonly usage = new Map<string, StoreUsage>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** @throws IngestError UPLOADS_IN_PROGRESS | SPOOL_QUOTA_EXCEEDED (429 + Retry-After) */
  reserve(storeId: string, bytes: number): SpoolReservation {
    const usage = this.usage.get(storeId) ?? { uploads: 0, bytes: 0 };
    const maxUploads = this.config.INGEST_BACKFILL_UPLOADS_PER_STORE;
    const maxBytes = this.config.INGEST_BACKFILL_SPOOL_BYTES_PER_STORE;
    if (usage.uploads >= maxUploads)
      throw new IngestError('UPLOADS_IN_PROGRESS', `this store already has ${usage.uploads} upload(s) in progress`, [
        { path: '(request)', message: `at most ${maxUploads} uploads per store at once; retry when one has finished` },
      ]);
    if (usage.bytes + bytes > maxBytes)
      throw new IngestError('SPOOL_QUOTA_EXCEEDED', `this store's spooled uploads would exceed ${maxBytes} bytes`, [
        {
          path: 'header:X-Content-Length',
          message: `${usage.bytes} bytes are spooled and not yet published; retry when they are`,
        },
      ]);
    usage.uploads++;
    usage.bytes += bytes;
    this.usage.set(storeId, usage);
    let uploading = true;
    let held = true;
    const uploadDone = () => {
      if (!uploading) return;
      uploading = false;
      usage.uploads--;
      this.forgetIfIdle(storeId, usage);
    };
    return {
      uploadDone,
      release: () => {
        uploadDone();
        if (!held) return;
        held = false;
        usage.bytes -= bytes;
        this.forgetIfIdle(storeId, usage);
      },
    };
  }

  private forgetIfIdle(storeId: string, usage: StoreUsage): void {
    if (usage.uploads === 0 && usage.bytes === 0 && this.usage.get(storeId) === usage) this.usage.delete(storeId);
  }
}
