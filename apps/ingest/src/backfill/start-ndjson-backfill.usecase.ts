import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackfillJobRecord, BackfillJobRepository } from '@xero-sync/persistence';
import { IngestError } from '../ingest.errors';
import { StoreSecretsQueries } from '../stores/store-secrets.queries';
import { acceptedSecretsOfStore, readSignatureHeaders } from '../webhooks/store-signature.guard';
import { NdjsonUploadMeter } from './ndjson-spool';
import { assertUploadSignature, readDeclaredUpload } from './ndjson-upload';
import { RunNdjsonBackfillUseCase } from './run-ndjson-backfill.usecase';
import { SpoolQuota } from './spool-quota';

/** Where uploads wait (on local disk, not in memory) between verification and publishing. */
export function spoolPathOf(jobId: string): string {
  return join(spoolDir(), `${jobId}.ndjson`);
}

/** The directory every spool file lives in. */
export function spoolDir(): string {
  return join(tmpdir(), 'xero-sync-backfill');
}

/**
 * Accepts an NDJSON backfill upload, authenticated before a byte of its body is read: the store exists (404), the
 * signature headers are present and fresh (401), X-Content-SHA256 and X-Content-Length are well formed (400, 413)
 * and the signature covers `<timestamp>.<sha256>.<length>` (401), and the store is within its upload and spool
 * limits across the ingest fleet (429). Only then is the body streamed to a spool file (constant memory, the
 * socket's backpressure) while its SHA-256, length and lines are measured; a body that is not what was signed is
 * discarded (400) and nothing is published. Resolves with the queued job (publishing continues in the background).
 */
@Injectable()
export class StartNdjsonBackfillUseCase {
  constructor(
    private readonly secrets: StoreSecretsQueries,
    private readonly jobs: BackfillJobRepository,
    private readonly runner: RunNdjsonBackfillUseCase,
    private readonly quota: SpoolQuota,
  ) {}

  async execute(
    storeId: string,
    headers: IncomingHttpHeaders,
    body: Readable,
    requestedBy?: string,
  ): Promise<BackfillJobRecord> {
    const accepted = await acceptedSecretsOfStore(this.secrets, storeId);
    const signature = readSignatureHeaders(headers);
    const declared = readDeclaredUpload(headers);
    assertUploadSignature(accepted, signature, declared);
    const jobId = randomUUID();
    const reservation = await this.quota.reserve(storeId, jobId, declared.length);
    const spool = spoolPathOf(jobId);
    let job: BackfillJobRecord;
    try {
      await mkdir(spoolDir(), { recursive: true });
      const hash = createHash('sha256');
      const meter = new NdjsonUploadMeter(hash, declared.length);
      try {
        await pipeline(body, meter, createWriteStream(spool));
        assertBodyAsSigned(hash.digest('hex'), meter.bytes, declared.sha256Hex, declared.length);
      } catch (err) {
        await unlink(spool).catch(() => undefined);
        throw err;
      }
      // The total is known from the upload, before anything is published, so progress can be shown as a fraction.
      job = await this.jobs.create({
        jobId,
        storeId,
        source: 'ndjson',
        entities: [],
        requestedBy,
        total: meter.lines,
      });
    } catch (err) {
      await reservation.release();
      throw err;
    }
    await reservation.uploadDone();
    void this.runner.execute(jobId, spool, reservation);
    return job;
  }
}

function assertBodyAsSigned(sha256Hex: string, bytes: number, signedSha256: string, signedLength: number): void {
  if (bytes !== signedLength)
    throw new IngestError('BODY_MISMATCH', `body has ${bytes} bytes, X-Content-Length signed ${signedLength}`, [
      { path: 'header:X-Content-Length', message: 'does not match the body received; nothing was accepted' },
    ]);
  if (sha256Hex !== signedSha256)
    throw new IngestError('BODY_MISMATCH', 'the SHA-256 of the body differs from X-Content-SHA256', [
      { path: 'header:X-Content-SHA256', message: 'does not match the body received; nothing was accepted' },
    ]);
}
