export { ENTITIES, EntityName, topics, entityOfTopic, EVENT_HEADERS } from './topics';
export { FieldError, ParseResult, parseWith } from './parse-result';
export { customerSchema, MagentoCustomer } from './entities/customer.contract';
export { productSchema, MagentoProduct, productTaxClassId } from './entities/product.contract';
export {
  orderSchema,
  orderItemSchema,
  MagentoOrder,
  MagentoOrderItem,
  ORDER_STATES,
  isGuestOrder,
} from './entities/order.contract';
export { invoiceSchema, documentItemSchema, MagentoInvoice, MagentoDocumentItem } from './entities/invoice.contract';
export { creditMemoPrerequisite, creditMemoSchema, MagentoCreditMemo } from './entities/creditmemo.contract';
export { ENTITY_PREREQUISITES, ENTITY_RANK, prerequisitesOf, StorePrerequisite } from './prerequisites';
export {
  ORIGINS,
  EventOrigin,
  EntityPayloads,
  payloadSchemas,
  entityIdOf,
  entityChangeEventSchema,
  EntityChangeEvent,
  parseEntityChangeEvent,
  decodeEntityChangeEvent,
} from './entity-change.contract';
export { commandSchema, XeroSyncCommand, CommandType, parseCommand } from './commands.contract';
export { buildJsonSchemas } from './json-schemas';
