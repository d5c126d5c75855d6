import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiExtension, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { ZodType } from 'zod';
import { EntityName, entityIdOf, EntityPayloads, parseWith, payloadSchemas } from '@xero-sync/contracts';
import { PendingChangeRepository } from '@xero-sync/persistence';
import { DryRunPreview, DryRunService } from '@xero-sync/xero';
import { RequireRole } from '../auth/roles';
import { AdminError } from '../http/admin.errors';
import { StoreIdParam } from '../http/common.dto';
import { StoreExistsQueries } from '../stores/store-exists.queries';
import { DryRunDto } from './dry-run.dto';

/** Dry-run: what syncing one record would send to Xero, without calling Xero. */
@ApiTags('dry-run')
@RequireRole('viewer')
@Controller('stores/:storeId/dry-run')
export class DryRunController {
  constructor(
    private readonly stores: StoreExistsQueries,
    private readonly records: PendingChangeRepository,
    private readonly dryRun: DryRunService,
  ) {}

  @Post()
  @HttpCode(200)
  // A POST that changes nothing: viewers may call it (the access test reads this flag from the document).
  @ApiExtension('x-read-only', true)
  @ApiOperation({ summary: 'The exact Xero payloads, call cost and totals for one record (nothing is sent)' })
  async preview(@Param() params: StoreIdParam, @Body() dto: DryRunDto): Promise<DryRunPreview> {
    await this.stores.require(params.storeId);
    let payload: unknown = dto.payload;
    if (payload === undefined) {
      const known = await this.records.findByKey(params.storeId, dto.entity, dto.entityId);
      if (!known)
        throw new AdminError(
          'NOT_FOUND',
          `no ${dto.entity} ${dto.entityId} received from store ${params.storeId}; send its payload`,
        );
      payload = known.payload;
    }
    const schema: ZodType<EntityPayloads[EntityName]> = payloadSchemas[dto.entity] as ZodType<
      EntityPayloads[EntityName]
    >;
    const parsed = parseWith(schema, payload, 'payload');
    if (!parsed.ok) {
      throw new AdminError(
        'UNPROCESSABLE',
        `the payload is not a valid Magento ${dto.entity}`,
        parsed.errors.map((e) => ({ field: e.path, reason: e.message })),
      );
    }
    const value = parsed.value;
    const payloadId = entityIdOf(dto.entity, value);
    if (payloadId !== dto.entityId) {
      throw new AdminError('UNPROCESSABLE', 'entityId does not match the payload', [
        { field: 'entityId', reason: `the payload is ${dto.entity} ${payloadId}` },
      ]);
    }
    return this.dryRun.preview(params.storeId, {
      entity: dto.entity,
      entityId: dto.entityId,
      payload: value,
      eventId: randomUUID(),
    });
  }
}
