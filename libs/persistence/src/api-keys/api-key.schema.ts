import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** viewer < operator < admin; `metrics` stands apart and may read only the Prometheus scrape. */
export type ApiKeyRole = 'viewer' | 'operator' | 'admin' | 'metrics';
export const API_KEY_ROLES: readonly ApiKeyRole[] = ['viewer', 'operator', 'admin', 'metrics'];

/** The stores a key may see: every store (`'*'`) or the listed store ids. */
export type ApiKeyStores = '*' | string[];

/**
 * An admin-api key. Only the SHA-256 of the key is stored: the key itself is shown once when created, so a
 * leaked database does not leak working keys. `prefix` (the first characters) lets people tell keys apart.
 */
@Schema({ collection: 'api_keys', timestamps: true, versionKey: false })
export class ApiKey {
  @Prop({ required: true }) keyHash!: string;
  @Prop({ required: true }) prefix!: string;
  @Prop({ required: true }) name!: string;
  @Prop({ required: true, type: String }) role!: ApiKeyRole;
  @Prop({ required: true }) createdBy!: string;
  /** `['*']` for every store, else the store ids the key may see (an array either way, so queries stay simple). */
  @Prop({ type: [String], default: ['*'] }) stores!: string[];
  /** After this instant the key no longer authenticates. */
  @Prop() expiresAt?: Date;
  @Prop() lastUsedAt?: Date;
  @Prop() revokedAt?: Date;
}

export const ApiKeySchema = SchemaFactory.createForClass(ApiKey);
ApiKeySchema.index({ keyHash: 1 }, { unique: true });
