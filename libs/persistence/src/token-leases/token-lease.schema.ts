import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * Refresh leases for Xero connections, one document per (connection, epoch). Taking a lease inserts the next
 * epoch; the unique _id makes exactly one of several racing instances win (FerretDB's conditional updates are
 * not compare-and-set, inserts on a unique key are).
 */
@Schema({ collection: 'xero_token_leases', versionKey: false })
export class TokenLease {
  @Prop({ required: true }) _id!: string;
  @Prop({ required: true }) connectionId!: string;
  @Prop({ required: true }) epoch!: number;
  @Prop({ required: true }) owner!: string;
  @Prop({ required: true }) leaseUntil!: Date;
}

export const TokenLeaseSchema = SchemaFactory.createForClass(TokenLease);
TokenLeaseSchema.index({ connectionId: 1, epoch: -1 });
