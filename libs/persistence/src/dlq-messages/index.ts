export { DlqMessage, DlqMessageSchema, DlqMessageStatus } from './dlq-message.schema';
export { DlqMessageFilter, DlqMessageRecord, DlqMessageRepository, NewDlqMessage } from './dlq-message.repository';
export { DlqMessageModule } from './dlq-message.module';
