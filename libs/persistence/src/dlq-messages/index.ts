import { ModelDefinition } from '@nestjs/mongoose';
import { DlqMessage, DlqMessageSchema } from './dlq-message.schema';

export { DlqMessage, DlqMessageSchema, DlqMessageStatus } from './dlq-message.schema';
export { DlqMessageFilter, DlqMessageRecord, DlqMessageRepository, NewDlqMessage } from './dlq-message.repository';
export const dlqMessageModel: ModelDefinition = { name: DlqMessage.name, schema: DlqMessageSchema };
