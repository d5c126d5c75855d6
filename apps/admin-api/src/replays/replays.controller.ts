import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReplayJobRecord, ReplayJobRepository } from '@xero-sync/persistence';
import { actorOf, CurrentPrincipal } from '../auth/current-principal';
import { Principal, RequireRole } from '../auth/roles';
import { AdminError } from '../http/admin.errors';
import { StoreIdParam } from '../http/common.dto';
import { ReplayParams, StartReplayDto } from './replays.dto';
import { StartReplayUseCase } from './start-replay.usecase';

/** A replay with its progress as a percentage of the messages in its range (null until the range is known). */
export type ReplayJobView = Omit<ReplayJobRecord, 'ranges'> & { percent: number | null };

function view(job: ReplayJobRecord): ReplayJobView {
  const { ranges: _ranges, ...rest } = job;
  const percent =
    job.status === 'succeeded'
      ? 100
      : job.total > 0
        ? Math.min(100, Math.floor((job.counts.read / job.total) * 100))
        : null;
  return { ...rest, percent };
}

/** Replay: re-run a store's events from a point in time through the syncer (after a bad deploy or a mapping fix). */
@ApiTags('replay')
@RequireRole('viewer')
@Controller('stores/:storeId/replays')
export class ReplaysController {
  constructor(
    private readonly replays: ReplayJobRepository,
    private readonly startReplay: StartReplayUseCase,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireRole('operator')
  @ApiOperation({
    summary: "Replay the store's events (all or chosen entity types) published since a time; a syncer runs it",
  })
  async start(
    @Param() params: StoreIdParam,
    @Body() dto: StartReplayDto,
    @CurrentPrincipal() who: Principal,
  ): Promise<ReplayJobView> {
    return view(await this.startReplay.execute(params.storeId, dto, actorOf(who)));
  }

  @Get()
  @ApiOperation({ summary: "The store's replays, newest first, with progress and summary" })
  async list(@Param() params: StoreIdParam): Promise<{ items: ReplayJobView[] }> {
    return { items: (await this.replays.listByStore(params.storeId)).map(view) };
  }

  @Get(':replayId')
  @ApiOperation({ summary: 'One replay: status, progress and summary (read, synced, unchanged, failed, …)' })
  async get(@Param() params: ReplayParams): Promise<ReplayJobView> {
    const job = await this.replays.find(params.replayId);
    if (!job || job.storeId !== params.storeId) throw new AdminError('NOT_FOUND', 'no such replay for this store');
    return view(job);
  }
}
