import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { ENTITIES } from '@xero-sync/contracts';
import { BackfillJobRecord, BackfillJobRepository } from '@xero-sync/persistence';
import { actorOf, CurrentPrincipal } from '../auth/current-principal';
import { Principal, RequireRole } from '../auth/roles';
import { StoresFrom } from '../auth/store-scope';
import { PublishCommandUseCase } from '../commands/publish-command.usecase';
import { AdminError } from '../http/admin.errors';
import { ListPage } from '../http/list-query.dto';
import { StoreExistsQueries } from '../stores/store-exists.queries';
import { BackfillJobStores } from './backfill-job-stores.queries';
import { BackfillQueryDto, JobIdParam, StartBackfillDto } from './backfills.dto';

/** A job with its progress as a percentage (null while the total is not known yet). */
export type BackfillJobView = Omit<BackfillJobRecord, 'cursor'> & { percent: number | null };

function view(job: BackfillJobRecord): BackfillJobView {
  const { cursor: _cursor, ...rest } = job;
  const done = job.published + job.failed;
  const percent =
    job.status === 'succeeded' ? 100 : job.total > 0 ? Math.min(100, Math.floor((done / job.total) * 100)) : null;
  return { ...rest, percent };
}

/** "Add All Data To Queue": ingest pulls the store's history from its Magento REST API into the pipeline. */
@ApiTags('backfill')
@RequireRole('viewer')
@Controller('backfills')
export class BackfillsController {
  constructor(
    private readonly jobs: BackfillJobRepository,
    private readonly storeExists: StoreExistsQueries,
    private readonly commands: PublishCommandUseCase,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Start a backfill of a store (all or chosen entity types); ingest runs it' })
  async start(@Body() dto: StartBackfillDto, @CurrentPrincipal() who: Principal): Promise<BackfillJobView> {
    const store = await this.storeExists.require(dto.storeId);
    if (!store.magentoBaseUrl || !store.hasMagentoToken) {
      throw new AdminError(
        'UNPROCESSABLE',
        'the store has no Magento REST base URL and token to pull its history from',
        [
          {
            field: 'storeId',
            reason: 'set magentoBaseUrl and magentoToken on the store first (or upload NDJSON to ingest)',
          },
        ],
      );
    }
    const entities = dto.entities ?? [...ENTITIES];
    const actor = actorOf(who);
    const job = await this.jobs.create({
      jobId: randomUUID(),
      storeId: dto.storeId,
      source: 'magento',
      entities,
      requestedBy: actor,
    });
    await this.commands.execute({ type: 'backfill.start', storeId: dto.storeId, jobId: job.jobId, entities }, actor);
    return view(job);
  }

  @Get()
  @ApiOperation({ summary: 'Backfill jobs of a store, newest first, with progress' })
  async list(@Query() query: BackfillQueryDto): Promise<ListPage<BackfillJobView>> {
    const all = await this.jobs.listByStore(query.storeId, 1000);
    const start = (query.page - 1) * query.pageSize;
    return {
      items: all.slice(start, start + query.pageSize).map(view),
      total: all.length,
      page: query.page,
      pageSize: query.pageSize,
    };
  }

  @Get(':jobId')
  @StoresFrom(BackfillJobStores)
  @ApiOperation({ summary: 'One backfill job with its progress' })
  async show(@Param() params: JobIdParam): Promise<BackfillJobView> {
    const job = await this.jobs.findById(params.jobId);
    if (!job) throw new AdminError('NOT_FOUND', `no backfill job ${params.jobId}`);
    return view(job);
  }

  @Post(':jobId/cancel')
  @StoresFrom(BackfillJobStores)
  @HttpCode(202)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Cancel a backfill (queued: at once; running: at its next progress save)' })
  async cancel(@Param() params: JobIdParam, @CurrentPrincipal() who: Principal): Promise<BackfillJobView> {
    const job = await this.jobs.requestCancel(params.jobId);
    if (!job) throw new AdminError('NOT_FOUND', `no backfill job ${params.jobId}`);
    await this.commands.execute({ type: 'backfill.cancel', storeId: job.storeId, jobId: job.jobId }, actorOf(who));
    return view(job);
  }
}
