import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/roles';
import { AdminError } from '../http/admin.errors';
import { StoreIdParam } from '../http/common.dto';
import { StoreExistsQueries } from '../stores/store-exists.queries';
import { ReconcileStoreUseCase, ReconciliationReport } from './reconcile-store.usecase';
import { PeriodQueryDto } from './reconciliation.dto';

@ApiTags('reconciliation')
@RequireRole('viewer')
@Controller('stores/:storeId/reconciliation')
export class ReconciliationController {
  constructor(
    private readonly stores: StoreExistsQueries,
    private readonly reconcile: ReconcileStoreUseCase,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Store totals against Xero documents by currency and tax rate for a period, with every missing, doubled or differing document',
  })
  async report(@Param() params: StoreIdParam, @Query() query: PeriodQueryDto): Promise<ReconciliationReport> {
    if (query.from > query.to)
      throw new AdminError('UNPROCESSABLE', 'from is after to', [{ field: 'from', reason: 'must not be after to' }]);
    if (Date.parse(query.to) - Date.parse(query.from) > 366 * 86_400_000) {
      throw new AdminError('UNPROCESSABLE', 'at most one year per report', [
        { field: 'to', reason: 'period longer than 366 days' },
      ]);
    }
    await this.stores.require(params.storeId);
    return this.reconcile.execute(params.storeId, query.from, query.to);
  }
}
