import { ModelDefinition } from '@nestjs/mongoose';
import { XeroLink, XeroLinkSchema } from './xero-link.schema';

export { XeroLink } from './xero-link.schema';
export { XeroLinkKey, XeroLinkRecord, XeroLinkRepository, XeroLinkUpdate, xeroLinkId } from './xero-link.repository';
export const xeroLinkModel: ModelDefinition = { name: XeroLink.name, schema: XeroLinkSchema };
