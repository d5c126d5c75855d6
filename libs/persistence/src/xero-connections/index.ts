export { XeroConnection, XeroConnectionKind, XeroConnectionStatus, XeroTenantRef } from './xero-connection.schema';
export { XeroConnectionRecord, XeroConnectionRepository, XeroTokenFields } from './xero-connection.repository';
export { XeroConnectionModule } from './xero-connection.module';
