import { Controller, Get, HttpCode, HttpStatus, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BackfillJobRecord, BackfillJobRepository } from '@xero-sync/persistence';
import { IngestError } from '../ingest.errors';
import { StoreRateLimiter } from '../stores/store-rate.limiter';
import { StoreSignatureGuard } from '../webhooks/store-signature.guard';
import { StartNdjsonBackfillUseCase } from './start-ndjson-backfill.usecase';

/** A job as a store (or the CLI) sees it. */
export type BackfillJobView = Omit<BackfillJobRecord, 'cancelRequested'> & { statusUrl: string };

function view(job: BackfillJobRecord): BackfillJobView {
  const { cancelRequested: _cancelRequested, ...rest } = job;
  return { ...rest, statusUrl: `/v1/stores/${job.storeId}/backfill/${job.jobId}` };
}

/**
 * "Add All Data To Queue" from a file: the store streams NDJSON (one envelope or `{entity, payload}` per line),
 * signed over its timestamp, SHA-256 and length (docs/ingest.md). 202 with the job once the upload is verified;
 * progress via the signed GET.
 */
@Controller('v1/stores/:storeId/backfill')
export class BackfillController {
  constructor(
    private readonly start: StartNdjsonBackfillUseCase,
    private readonly jobs: BackfillJobRepository,
    private readonly limiter: StoreRateLimiter,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async upload(
    @Param('storeId') storeId: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BackfillJobView> {
    // The body is left unread (ingest-http.ts) and streamed from the raw request: an export can be gigabytes.
    try {
      await this.limiter.check(storeId);
      return view(await this.start.execute(storeId, req.headers, req.raw));
    } catch (err) {
      // Refused before (or while) the body was read: closing stops the client sending the rest of it.
      if (!req.raw.complete) void reply.header('Connection', 'close');
      throw err;
    }
  }

  /** Job progress; signed like a webhook with an empty body (`<timestamp>.`). */
  @Get(':jobId')
  @UseGuards(StoreSignatureGuard)
  async status(@Param('storeId') storeId: string, @Param('jobId') jobId: string): Promise<BackfillJobView> {
    await this.limiter.check(storeId);
    const job = await this.jobs.findById(jobId);
    if (!job || job.storeId !== storeId)
      throw new IngestError('JOB_NOT_FOUND', `backfill job "${jobId}" not found for this store`);
    return view(job);
  }
}
