export {
  XeroError,
  XeroErrorCode,
  XERO_ERROR_CODES,
  isRetryableCode,
  classifyFailure,
  parseXeroNodeRejection,
  xeroMessagesOf,
} from './xero.errors';
export { XeroModule } from './xero.module';
export { XeroModuleOptions } from './xero.options';
export { XeroDeliveryService } from './delivery/xero-delivery.service';
export {
  DeliveryItem,
  DeliveryResult,
  DeliveryStatus,
  DeliveryAction,
  DeliveryOptions,
} from './delivery/delivery.types';
export { DryRunService, DryRunPreview, DryRunRequest } from './delivery/dry-run.service';
export { XeroConnectionService } from './tokens/xero-connection.service';
export { XeroConsentService, AuthorizationStart, GRANULAR_SCOPES, BROAD_SCOPES } from './tokens/xero-consent.service';
export { XeroConnectionView } from './tokens/connection-view';
export { XeroReadService } from './read/xero-read.service';
export { XeroHealth } from './read/xero-health';
export { XeroAccountingClient, CallClass } from './client/xero-accounting.client';
export { BreakerStateName } from './breaker/org-breakers';
export { DeliveryPriority, CallLane } from './limiter/org-rate-budget';
export { XERO_KIND_OF_ENTITY, xeroDeepLink, XeroDeepLinkKind, xeroDeepLinkOf } from './deep-link';
export { MappedTotals } from './mapping/xero-documents';
export { cents, fromCents, divRound, scaled } from './mapping/money';
export { saleTotal, invoiceNumberFor } from './mapping/invoice.mapper';
export { creditNoteNumberFor } from './mapping/credit-note.mapper';
export { storeDay } from './mapping/store-day';
export { appliedTaxesOf, AppliedRate, AppliedTaxes } from './mapping/applied-taxes';
export { paymentAccountFor, tenderPartsOf, TenderPart, TenderKind } from './mapping/payment.mapper';
