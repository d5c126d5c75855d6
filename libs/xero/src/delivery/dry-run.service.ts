import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { StoreSettingsRepository, XeroLinkRepository } from '@xero-sync/persistence';
import { roundTo } from '../mapping/money';
import { MappedTotals } from '../mapping/xero-documents';
import { XERO_OPTIONS, XeroModuleOptions } from '../xero.options';
import { DeliveryRun } from './delivery-run';
import { DeliveryItem, DeliveryResult } from './delivery.types';
import { DryRunRequest, RecordingXero } from './recording-xero';

export { DryRunRequest } from './recording-xero';

export interface DryRunPreview {
  /** The requests delivery would send for this record alone, in order. */
  requests: DryRunRequest[];
  /** Calls this item would cost on its own (in a batch they are shared). */
  calls: number;
  totals: MappedTotals;
  /** Why delivery would refuse it before calling Xero (e.g. an unmapped tax rate). */
  errors: string[];
  /** What delivery would answer: e.g. 'waiting' with what it waits for, 'unchanged', or the action it takes. */
  result: Pick<DeliveryResult, 'status' | 'action' | 'message'>;
}

const ZERO: MappedTotals = { subTotal: 0, totalTax: 0, total: 0, storeTotal: 0, roundingAdjustment: 0 };

/**
 * For any entity: the exact Xero requests delivery would send, the calls it would cost alone and the totals Xero
 * would compute. It runs delivery's own stages against the record's links with a Xero that records instead of
 * sending: no Xero call at all (not even the lookups delivery makes after a lost answer: those are listed and
 * answered "not found"), no link written, no org connection needed. Documents it would create are answered with
 * placeholder ids (`<InvoiceID of …>`), so the requests that follow them show where each id goes.
 */
@Injectable()
export class DryRunService {
  private readonly logger = new Logger(DryRunService.name);

  constructor(
    private readonly settings: StoreSettingsRepository,
    private readonly links: XeroLinkRepository,
    @Optional() @Inject(XERO_OPTIONS) private readonly options: XeroModuleOptions = {},
  ) {}

  async preview(storeId: string, item: DeliveryItem): Promise<DryRunPreview> {
    const xero = new RecordingXero();
    const run = new DeliveryRun({
      settings: await this.settings.get(storeId),
      items: [item],
      priority: 'interactive',
      xero,
      links: this.links,
      readOnly: true,
      options: this.options,
      logger: this.logger,
      signal: new AbortController().signal,
    });
    await run.runStages();
    const [result] = run.results();
    return {
      requests: xero.requests,
      calls: xero.requests.length,
      totals: run.outcomes.totalsOf(item) ?? paymentTotals(item) ?? ZERO,
      errors: result.status === 'failed' ? [result.message] : [],
      result: { status: result.status, action: result.action, message: result.message },
    };
  }
}

/** A store invoice's payment: Xero records its amount as is. */
function paymentTotals(item: DeliveryItem): MappedTotals | undefined {
  if (item.entity !== 'invoice') return undefined;
  const total = roundTo((item as DeliveryItem<'invoice'>).payload.grand_total, 2);
  return { ...ZERO, total, storeTotal: total };
}
