import { Injectable, Logger } from '@nestjs/common';
import { stat, unlink } from 'node:fs/promises';
import { EntityChangeEvent } from '@xero-sync/contracts';
import { BrokerUnavailableError } from '@xero-sync/messaging';
import { BackfillItemError, BackfillJobRecord, MAX_BACKFILL_ERRORS } from '@xero-sync/persistence';
import { normalizeIncomingEvent } from '../webhooks/dto/incoming-event.dto';
import { PublishEntityChangeUseCase } from '../webhooks/publish-entity-change.usecase';
import { BACKFILL_RETRY, BackfillTally, backoffMs, PROGRESS_SAVE_MS, sleep } from './backfill-progress';
import { ClaimBackfillJobUseCase, ClaimedBackfillJob } from './claim-backfill-job.usecase';
import { readNdjsonLines } from './ndjson-spool';
import { SpoolQuota, SpoolReservation } from './spool-quota';

/** Events per publish call, and publish calls in flight at once (the publisher group-commits them). */
const CHUNK_EVENTS = 1000;
const CHUNK_MAX_LINES = 2000;
const CHUNKS_IN_FLIGHT = 8;

interface Chunk {
  events: EntityChangeEvent[];
  failed: number;
  errors: BackfillItemError[];
  firstLine: number;
  lastLine: number;
}

interface InFlight {
  chunk: Chunk;
  acked: Promise<void>;
}

type PassOutcome = 'done' | 'cancelled';

/**
 * Publishes a verified, spooled NDJSON upload with origin "backfill": each line an envelope or `{entity,
 * payload}`. Invalid lines are counted as failed with their line number and field errors; valid lines are
 * published in chunks with a few chunks in flight. Memory holds only those chunks. When Kafka becomes
 * unavailable the run waits and resumes after the last acknowledged line (the cursor); duplicates that this
 * may cause are harmless downstream (eventIds). Never throws: the outcome is written to the job.
 */
@Injectable()
export class RunNdjsonBackfillUseCase {
  private readonly logger = new Logger(RunNdjsonBackfillUseCase.name);
  private readonly running = new Set<string>();

  constructor(
    private readonly claim: ClaimBackfillJobUseCase,
    private readonly publish: PublishEntityChangeUseCase,
    private readonly quota: SpoolQuota,
  ) {}

  isRunning(jobId: string): boolean {
    return this.running.has(jobId);
  }

  /**
   * Runs the job from its spool, then deletes the spool and releases `reservation` (the upload's claim on its
   * store's spool bytes). Without one (a job resumed after its process died) the spool's bytes are reserved again
   * once the job is claimed.
   */
  async execute(jobId: string, spoolPath: string, reservation?: SpoolReservation): Promise<void> {
    if (this.running.has(jobId)) {
      await reservation?.release();
      return;
    }
    this.running.add(jobId);
    let held = reservation;
    try {
      const claimed = await this.claim.execute(jobId);
      if (!claimed) return;
      held ??= await this.quota.hold(claimed.job.storeId, jobId, (await stat(spoolPath)).size);
      await this.runClaimed(claimed, spoolPath);
      await unlink(spoolPath).catch(() => undefined);
    } catch (err) {
      this.logger.error(`backfill ${jobId} stopped: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.running.delete(jobId);
      await held?.release();
    }
  }

  private async runClaimed(claimed: ClaimedBackfillJob, spoolPath: string): Promise<void> {
    const job = claimed.job;
    const tally = new BackfillTally(job);
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await this.pass(claimed, spoolPath, tally);
        await claimed.finish(outcome === 'cancelled' ? 'cancelled' : 'succeeded', tally.snapshot());
        return;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (!(err instanceof BrokerUnavailableError) || attempt + 1 >= BACKFILL_RETRY.attempts) {
          await claimed.finish('failed', tally.snapshot(), message);
          return;
        }
        this.logger.warn(`backfill ${job.jobId}: ${message}; resuming after line ${this.cursorLine(tally)}`);
        if (!(await claimed.saveProgress(tally.snapshot()))) {
          await claimed.finish('cancelled', tally.snapshot());
          return;
        }
        await sleep(backoffMs(attempt));
      }
    }
  }

  private cursorLine(tally: BackfillTally): number {
    return tally.cursor && 'line' in tally.cursor ? tally.cursor.line : 0;
  }

  /** One read of the spool from the cursor to the end. Throws BrokerUnavailableError after settling what was acked. */
  private async pass(claimed: ClaimedBackfillJob, spoolPath: string, tally: BackfillTally): Promise<PassOutcome> {
    const job: BackfillJobRecord = claimed.job;
    const startAfter = this.cursorLine(tally);
    const ctx = { storeId: job.storeId, origin: 'backfill' as const, forceOrigin: true, now: new Date().toISOString() };
    const inFlight: InFlight[] = [];
    let lastSave = Date.now();
    let cancelled = false;

    // Counts a chunk only once Kafka acknowledged it (and every earlier one: they settle in order).
    const settleOldest = async (): Promise<void> => {
      const { chunk, acked } = inFlight.shift()!;
      await acked;
      tally.settle({
        total: 0,
        published: chunk.events.length,
        failed: chunk.failed,
        errors: chunk.errors,
        cursor: { line: chunk.lastLine },
      });
      if (Date.now() - lastSave >= PROGRESS_SAVE_MS) {
        lastSave = Date.now();
        if (!(await claimed.saveProgress(tally.snapshot()))) cancelled = true;
      }
    };
    const dispatch = (chunk: Chunk) => {
      const acked = this.publish.execute(chunk.events, job.jobId);
      // Awaited in order by settleOldest; this only keeps a rejection from being reported as unhandled first.
      acked.catch(() => undefined);
      inFlight.push({ chunk, acked });
    };

    let chunk: Chunk = { events: [], failed: 0, errors: [], firstLine: startAfter + 1, lastLine: startAfter };
    let lineNo = 0;
    try {
      for await (const line of readNdjsonLines(spoolPath)) {
        lineNo++;
        if (lineNo <= startAfter) continue;
        chunk.lastLine = lineNo;
        if (line.length === 0 || !/[^\r]/.test(line)) continue;
        this.parseLine(line, lineNo, ctx, chunk);
        if (chunk.events.length >= CHUNK_EVENTS || lineNo - chunk.firstLine >= CHUNK_MAX_LINES) {
          dispatch(chunk);
          chunk = { events: [], failed: 0, errors: [], firstLine: lineNo + 1, lastLine: lineNo };
          while (inFlight.length >= CHUNKS_IN_FLIGHT) await settleOldest();
          if (cancelled) break;
        }
      }
      if (!cancelled && chunk.lastLine > startAfter) dispatch(chunk);
      while (inFlight.length > 0) await settleOldest();
    } catch (err) {
      // Let the other publishes finish so none is left racing the retry; settled ones already counted.
      await Promise.allSettled(inFlight.map((f) => f.acked));
      throw err;
    }
    return cancelled ? 'cancelled' : 'done';
  }

  private parseLine(
    line: string,
    lineNo: number,
    ctx: Parameters<typeof normalizeIncomingEvent>[1],
    chunk: Chunk,
  ): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      chunk.failed++;
      if (chunk.errors.length < MAX_BACKFILL_ERRORS) {
        chunk.errors.push({ line: lineNo, path: '(root)', message: `not JSON: ${(err as Error).message}` });
      }
      return;
    }
    const result = normalizeIncomingEvent(json, ctx);
    if (result.ok) {
      chunk.events.push(result.value);
      return;
    }
    chunk.failed++;
    for (const e of result.errors) {
      if (chunk.errors.length < MAX_BACKFILL_ERRORS)
        chunk.errors.push({ line: lineNo, path: e.path, message: e.message });
    }
  }
}
