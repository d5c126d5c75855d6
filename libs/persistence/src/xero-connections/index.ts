import { ModelDefinition } from '@nestjs/mongoose';
import { XeroConnection, XeroConnectionSchema } from './xero-connection.schema';

export { XeroConnection, XeroConnectionKind, XeroConnectionStatus, XeroTenantRef } from './xero-connection.schema';
export { XeroConnectionRecord, XeroConnectionRepository, XeroTokenFields } from './xero-connection.repository';
export const xeroConnectionModel: ModelDefinition = { name: XeroConnection.name, schema: XeroConnectionSchema };
