import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackfillJobRecord, BackfillJobRepository } from '@xero-sync/persistence';
import { StoreSecretsQueries } from '../stores/store-secrets.queries';
import {
  assertSignature,
  readSignatureHeaders,
  secretOfStore,
  startSignature,
} from '../webhooks/store-signature.guard';
import { SignedNdjsonMeter } from './ndjson-spool';
import { RunNdjsonBackfillUseCase } from './run-ndjson-backfill.usecase';

/** Where uploads wait (on local disk, not in memory) between verification and publishing. */
export function spoolPathOf(jobId: string): string {
  return join(tmpdir(), 'xero-sync-backfill', `${jobId}.ndjson`);
}

/**
 * Accepts an NDJSON backfill upload. The store signs it exactly like a webhook (HMAC-SHA256 of
 * `<timestamp>.<raw body>`), but the body may be gigabytes, so it is streamed to a spool file while the HMAC
 * and line count are computed, with the socket's backpressure and constant memory. Only when the signature
 * matches is a job created and publishing started; a bad signature deletes the spool, so nothing
 * unauthenticated is ever published. Resolves with the queued job (publishing continues in the background).
 */
@Injectable()
export class StartNdjsonBackfillUseCase {
  constructor(
    private readonly secrets: StoreSecretsQueries,
    private readonly jobs: BackfillJobRepository,
    private readonly runner: RunNdjsonBackfillUseCase,
  ) {}

  async execute(
    storeId: string,
    headers: IncomingHttpHeaders,
    body: Readable,
    requestedBy?: string,
  ): Promise<BackfillJobRecord> {
    // Cheap checks before reading a byte: the store exists, the headers are present and fresh.
    const secret = await secretOfStore(this.secrets, storeId);
    const signature = readSignatureHeaders(headers);
    const jobId = randomUUID();
    const spool = spoolPathOf(jobId);
    await mkdir(join(tmpdir(), 'xero-sync-backfill'), { recursive: true });
    const hmac = startSignature(secret, signature.timestamp);
    const meter = new SignedNdjsonMeter(hmac);
    try {
      await pipeline(body, meter, createWriteStream(spool));
      assertSignature(hmac.digest('hex'), signature);
    } catch (err) {
      await unlink(spool).catch(() => undefined);
      throw err;
    }
    // The total is known from the upload, before anything is published, so progress can be shown as a fraction.
    const job = await this.jobs.create({
      jobId,
      storeId,
      source: 'ndjson',
      entities: [],
      requestedBy,
      total: meter.lines,
    });
    void this.runner.execute(jobId, spool);
    return job;
  }
}
