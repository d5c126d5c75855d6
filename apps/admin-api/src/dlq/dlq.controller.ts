import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DlqMessageRecord, DlqMessageRepository } from '@xero-sync/persistence';
import { actorOf, CurrentPrincipal } from '../auth/current-principal';
import { Principal, RequireRole } from '../auth/roles';
import { ScopeFiltered, visibleStores } from '../auth/store-scope';
import { PublishCommandUseCase } from '../commands/publish-command.usecase';
import { AdminError } from '../http/admin.errors';
import { CommandAccepted } from '../http/common.dto';
import { ListPage } from '../http/list-query.dto';
import { DlqQueryDto, DlqRequeueDto } from './dlq.dto';

@ApiTags('dead letters')
@RequireRole('viewer')
@Controller('dlq')
export class DlqController {
  constructor(
    private readonly dlq: DlqMessageRepository,
    private readonly commands: PublishCommandUseCase,
  ) {}

  @Get()
  @ScopeFiltered()
  @ApiOperation({ summary: 'Dead-lettered messages with the reason and field errors, newest first' })
  async list(@Query() query: DlqQueryDto, @CurrentPrincipal() who: Principal): Promise<ListPage<DlqMessageRecord>> {
    const result = await this.dlq.search(
      { storeId: query.storeId, storeIds: visibleStores(who), status: query.status },
      { page: query.page, pageSize: query.pageSize },
    );
    return { items: result.items, total: result.total, page: query.page, pageSize: query.pageSize };
  }

  @Post('requeue')
  @HttpCode(202)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Requeue dead letters of a store (sends dlq.requeue; the syncer republishes them)' })
  async requeue(@Body() dto: DlqRequeueDto, @CurrentPrincipal() who: Principal): Promise<CommandAccepted> {
    const ids = [...new Set(dto.ids)];
    // A store-scoped key sees only this store's dead letters: any other one is "not found" to it, so its answer
    // does not reveal other stores (nor requeue letters without a store id, which only all-store keys may).
    const found = (await this.dlq.findByIds(ids)).filter((m) => who.stores === '*' || m.storeId === dto.storeId);
    const foundIds = new Set(found.map((m) => m.id));
    const problems = [
      ...ids.filter((id) => !foundIds.has(id)).map((id) => ({ field: 'ids', reason: `no dead letter ${id}` })),
      ...found
        .filter((m) => m.storeId !== undefined && m.storeId !== dto.storeId)
        .map((m) => ({ field: 'ids', reason: `dead letter ${m.id} belongs to store ${m.storeId}` })),
    ];
    if (problems.length > 0)
      throw new AdminError('UNPROCESSABLE', 'some dead letters cannot be requeued for this store', problems);
    const command = await this.commands.execute(
      { type: 'dlq.requeue', storeId: dto.storeId, dlqIds: ids },
      actorOf(who),
    );
    return { accepted: true, commandId: command.commandId, type: command.type, storeId: command.storeId };
  }
}
