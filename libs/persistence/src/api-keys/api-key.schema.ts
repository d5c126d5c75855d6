import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export type ApiKeyRole = 'viewer' | 'operator' | 'admin';
export const API_KEY_ROLES: readonly ApiKeyRole[] = ['viewer', 'operator', 'admin'];

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
  @Prop() lastUsedAt?: Date;
  @Prop() revokedAt?: Date;
}

export const ApiKeySchema = SchemaFactory.createForClass(ApiKey);
ApiKeySchema.index({ keyHash: 1 }, { unique: true });
