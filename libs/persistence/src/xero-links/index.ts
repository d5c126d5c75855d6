export { XeroLink } from './xero-link.schema';
export { XeroLinkKey, XeroLinkRecord, XeroLinkRepository, XeroLinkUpdate, xeroLinkId } from './xero-link.repository';
export { XeroLinkModule } from './xero-link.module';
