import type { StoreSettings } from '@xero-sync/persistence';
import { BreakerStateName } from '../breaker/org-breakers';
import { DeliveryPriority } from '../limiter/org-rate-budget';
import type { CallClass } from '../client/xero-call.types';
import { XeroConnectionService } from '../tokens/xero-connection.service';
import { CallNotStartedError, XeroError } from '../xero.errors';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_BYTES, XeroModuleOptions } from '../xero.options';
import { BatchWriter, XeroTransport } from './batch-writer';
import { contactStage } from './contact-stage';
import { creditNoteStage } from './credit-note-stage';
import { settlementStage } from './credit-note-settlement';
import { DeliveryItem, DeliveryResult } from './delivery.types';
import { invoiceStage } from './invoice-stage';
import { ItemOutcomes, STOP_CODES } from './item-outcomes';
import { itemStage } from './item-stage';
import { LinkLedger, LinkStore } from './link-ledger';
import { paymentStage } from './payment-stage';
import { StageContext, StageLogger } from './stage-context';

/** One document kind's step of a run; stages see only the context and the writer, never the run. */
export type Stage = (ctx: StageContext, writer: BatchWriter) => Promise<void>;

/**
 * Dependency order: contacts and items before invoices, invoices before payments, payments before credit notes
 * (a memo settles against what was paid), credit notes before their allocation or refund.
 */
export const STAGES: readonly Stage[] = [
  contactStage,
  itemStage,
  invoiceStage,
  paymentStage,
  creditNoteStage,
  settlementStage,
];

/** What decides whether a run may call the org at all (the delivery service's connections and client). */
export interface OrgGate {
  connections: Pick<XeroConnectionService, 'tenantStatus' | 'shortCode'>;
  breakerState(tenantId: string): BreakerStateName;
}

export interface RunParts {
  settings: StoreSettings;
  items: DeliveryItem[];
  priority: DeliveryPriority;
  callClass?: CallClass;
  xero: XeroTransport;
  links: LinkStore;
  /** Dry-run: links are read like delivery, never written. */
  readOnly?: boolean;
  options: XeroModuleOptions;
  logger: StageLogger;
  signal: AbortSignal;
}

/**
 * One delivery of a store's items: runs the stages in order, flushing staged links after each; a stop code
 * (rate budget, breaker, connection) or the deadline ends it, and what was not reached is answered 'deferred'.
 */
export class DeliveryRun {
  readonly outcomes: ItemOutcomes;
  private readonly ctx: StageContext;
  private readonly writer: BatchWriter;
  private readonly tenantId?: string;
  private readonly items: DeliveryItem[];

  constructor(parts: RunParts) {
    this.items = parts.items;
    const { settings, options } = parts;
    this.tenantId = settings.xeroTenantId;
    const tenantId = settings.xeroTenantId ?? '';
    this.outcomes = new ItemOutcomes(parts.items);
    const ledger = new LinkLedger(parts.links, settings.storeId, tenantId, parts.readOnly);
    this.ctx = new StageContext(settings.storeId, tenantId, settings.mapping, this.outcomes, ledger, parts.logger);
    this.writer = new BatchWriter(parts.xero, this.outcomes, ledger, {
      storeId: settings.storeId,
      priority: parts.priority,
      callClass: parts.callClass,
      signal: parts.signal,
      batchSize: Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE),
      maxBytes: options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES,
    });
    parts.signal.addEventListener(
      'abort',
      () =>
        this.outcomes.stop(
          new XeroError('UNAVAILABLE', 'the delivery ran out of time; the rest will be tried again', {
            retryAfterMs: 0,
          }),
          true,
        ),
      { once: true },
    );
  }

  results(): DeliveryResult[] {
    return this.outcomes.results();
  }

  /** Checks the org (bound, connected, breaker closed), then runs the stages. */
  async execute(gate: OrgGate): Promise<void> {
    const tenantId = this.tenantId;
    if (!tenantId) {
      this.outcomes.stop(new XeroError('NOT_CONNECTED', `store ${this.ctx.storeId} is not bound to a Xero org`));
      return;
    }
    const status = await gate.connections.tenantStatus(tenantId);
    if (status !== 'connected') {
      const disconnected = status === 'disconnected';
      this.outcomes.stop(
        new XeroError(
          disconnected ? 'DISCONNECTED' : 'NOT_CONNECTED',
          disconnected
            ? 'the Xero org is disconnected; work waits until it is reconnected'
            : 'the Xero org is not connected',
        ),
      );
      return;
    }
    if (gate.breakerState(tenantId) === 'open') {
      this.outcomes.stop(new XeroError('CIRCUIT_OPEN', 'Xero looks unavailable for this org; calls are paused'));
      return;
    }
    this.outcomes.shortCode = await gate.connections.shortCode(tenantId);
    await this.runStages();
  }

  /** The stages alone (the dry-run's entry: it calls nothing, so no org check). */
  async runStages(): Promise<void> {
    try {
      // The run's own records' links in one read, not one per stage (each stage starts by reading its items').
      await this.ctx.links.readAhead(this.items.map((i) => this.ctx.links.key(i.entity, i.entityId)));
      for (const stage of STAGES) {
        await stage(this.ctx, this.writer);
        await this.ctx.links.flush();
      }
      // A batch a stage kept back for a later one that had nothing to add (e.g. payments, no refunds).
      await this.writer.flushKept();
    } catch (err) {
      if (err instanceof XeroError && STOP_CODES.has(err.code)) this.outcomes.stop(err);
      else if (!(err instanceof CallNotStartedError)) throw err;
    } finally {
      await this.ctx.links.flush();
    }
  }
}
