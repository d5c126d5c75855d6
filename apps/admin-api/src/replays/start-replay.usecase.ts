import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ENTITIES, EntityName } from '@xero-sync/contracts';
import { ReplayJobRecord, ReplayJobRepository } from '@xero-sync/persistence';
import { PublishCommandUseCase } from '../commands/publish-command.usecase';
import { AdminError } from '../http/admin.errors';
import { StoreExistsQueries } from '../stores/store-exists.queries';

/**
 * Starts a replay of a store's events: records the job (`requested`) and asks the syncers with a `replay.start`
 * command; the syncer that takes it reads the store's events since `from` up to now and writes progress to the job.
 */
@Injectable()
export class StartReplayUseCase {
  constructor(
    private readonly replays: ReplayJobRepository,
    private readonly storeExists: StoreExistsQueries,
    private readonly commands: PublishCommandUseCase,
  ) {}

  async execute(
    storeId: string,
    request: { from: string; entities?: EntityName[] },
    actor: string,
    now = new Date(),
  ): Promise<ReplayJobRecord> {
    await this.storeExists.require(storeId);
    const from = new Date(request.from);
    if (from.getTime() >= now.getTime()) {
      throw new AdminError('UNPROCESSABLE', 'a replay starts in the past', [
        { field: 'from', reason: 'must be before now' },
      ]);
    }
    const entities = request.entities ?? [...ENTITIES];
    const job = await this.replays.create({ replayId: randomUUID(), storeId, from, entities, requestedBy: actor });
    await this.commands.execute(
      { type: 'replay.start', storeId, replayId: job.replayId, from: from.toISOString(), entities },
      actor,
    );
    return job;
  }
}
