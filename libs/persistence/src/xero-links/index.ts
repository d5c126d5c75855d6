export { XeroLink } from './xero-link.schema';
export {
  XeroLinkKey,
  XeroLinkPending,
  XeroLinkRecord,
  XeroLinkRepository,
  XeroLinkUpdate,
  XeroLinkWrite,
  xeroLinkId,
} from './xero-link.repository';
export { XeroLinkModule } from './xero-link.module';
