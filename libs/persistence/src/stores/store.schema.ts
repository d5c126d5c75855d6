import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * A store that sends changes to ingest. Secrets are stored sealed (SecretBox, AES-256-GCM, aad = storeId) so a
 * database dump reveals neither the webhook secret nor the Magento integration token.
 */
@Schema({ collection: 'stores', versionKey: false })
export class Store {
  @Prop({ required: true, unique: true }) storeId!: string;
  @Prop({ required: true }) name!: string;
  @Prop({ required: true }) webhookSecretSealed!: string;
  /** Magento 2 root URL (e.g. https://shop.example.com); the pull connector calls `<url>/rest/V1/…`. */
  @Prop() magentoBaseUrl?: string;
  @Prop() magentoTokenSealed?: string;
  @Prop({ required: true }) createdAt!: Date;
  @Prop({ required: true }) secretRotatedAt!: Date;
  /** The webhook secret the last rotation replaced (sealed like the current one) and what it is accepted for. */
  @Prop() previousSecretSealed?: string;
  /** Until when a signature with the previous secret counts: requests made, or events signed, up to this time. */
  @Prop() previousSecretUntil?: Date;
}

export const StoreSchema = SchemaFactory.createForClass(Store);
