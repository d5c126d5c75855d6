import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * `waiting`: the record could not go yet because another record must reach Xero first (a dependency wait, retried
 * on its own; it becomes an `error` only after the store's wait horizon).
 */
export const SYNC_LOG_STATUSES = ['success', 'error', 'waiting'] as const;
export type SyncLogStatus = (typeof SYNC_LOG_STATUSES)[number];
/**
 * How the attempt was triggered: a live event (Immediately), a queue flush (Cron Job / fallback), a command, intake
 * (a rejected message), or an operator's replay of a store's events.
 */
export const SYNC_LOG_MODES = ['immediate', 'cron', 'manual', 'intake', 'replay'] as const;
export type SyncLogMode = (typeof SYNC_LOG_MODES)[number];

/**
 * The merchant's "View Log": one row per sync attempt of one record (or one rejected message), with Xero's
 * own message on errors and the "View On Xero" link on success. Append-only.
 */
@Schema({ collection: 'sync_log', versionKey: false, timestamps: { createdAt: true, updatedAt: false } })
export class SyncLog {
  @Prop({ required: true }) storeId!: string;
  @Prop() tenantId?: string;
  @Prop({ required: true }) entity!: string;
  @Prop({ required: true }) entityId!: string;
  /** create | update | void | delete | payment | allocate | refund | none | queue | reject */
  @Prop({ required: true }) action!: string;
  @Prop({ type: String, required: true }) status!: SyncLogStatus;
  /** 'OK' on success, otherwise Xero's error text (or the reason a message was rejected). */
  @Prop({ required: true }) message!: string;
  @Prop() errorCode?: string;
  @Prop() xeroId?: string;
  @Prop() xeroUrl?: string;
  @Prop({ required: true, default: 0 }) durationMs!: number;
  @Prop({ required: true, default: 0 }) calls!: number;
  @Prop({ type: String, required: true }) mode!: SyncLogMode;
  @Prop() correlationId?: string;
  @Prop() eventId?: string;
  @Prop({ required: true, default: 1 }) attempt!: number;
  /** For `waiting` (and retryable errors): when the record is tried again at the latest. */
  @Prop() nextAttemptAt?: Date;
  @Prop() syncerId?: string;
  createdAt!: Date;
}

export const SyncLogSchema = SchemaFactory.createForClass(SyncLog);
SyncLogSchema.index({ storeId: 1, createdAt: -1 });
SyncLogSchema.index({ tenantId: 1, createdAt: -1 });
SyncLogSchema.index({ storeId: 1, entity: 1, entityId: 1, createdAt: -1 });
SyncLogSchema.index({ correlationId: 1 });
SyncLogSchema.index({ createdAt: -1 });
