import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export type XeroConnectionKind = 'oauth' | 'custom';
/** authorizing = consent started (state + PKCE verifier held); connected; disconnected = needs a new consent. */
export type XeroConnectionStatus = 'authorizing' | 'connected' | 'disconnected';

/** One Xero organisation reachable through this connection's token set. */
@Schema({ _id: false, versionKey: false })
export class XeroTenantRef {
  @Prop({ required: true }) tenantId!: string;
  @Prop() tenantName?: string;
  @Prop() tenantType?: string;
  /** Xero's connection id (DELETE /connections/{id} disconnects this tenant). */
  @Prop() xeroConnectionId?: string;
  /** Organisation short code, used by "View On Xero" deep links. */
  @Prop() shortCode?: string;
}
const XeroTenantRefSchema = SchemaFactory.createForClass(XeroTenantRef);

/**
 * A Xero token set (one consent, or one custom connection) and the orgs it reaches. Secrets are sealed with
 * SecretBox bound to the connection id. Refresh is single-flight across instances through
 * the token-leases collection.
 */
@Schema({ collection: 'xero_connections', timestamps: true, versionKey: false })
export class XeroConnection {
  @Prop({ required: true }) _id!: string;
  @Prop({ type: String, required: true }) kind!: XeroConnectionKind;
  @Prop({ type: String, required: true }) status!: XeroConnectionStatus;
  @Prop({ type: [XeroTenantRefSchema], default: [] }) tenants!: XeroTenantRef[];
  @Prop() scopes?: string;
  @Prop() accessTokenSealed?: string;
  @Prop() accessTokenExpiresAt?: Date;
  @Prop() refreshTokenSealed?: string;
  /** When the current refresh token was issued: it expires 60 days after that if unused. */
  @Prop() refreshTokenIssuedAt?: Date;
  /** The refresh token before the last rotation, kept for Xero's 30-minute grace window. */
  @Prop() previousRefreshTokenSealed?: string;
  @Prop() previousRefreshTokenRotatedAt?: Date;
  /** Custom connections only: their own client credentials (secret sealed). */
  @Prop() clientId?: string;
  @Prop() clientSecretSealed?: string;
  /** OAuth consent in progress: hashed state, hash of the admin request binding, sealed PKCE verifier. */
  @Prop() stateHash?: string;
  @Prop() bindingHash?: string;
  @Prop() codeVerifierSealed?: string;
  @Prop() authorizeExpiresAt?: Date;
  @Prop() disconnectedReason?: string;
  @Prop() disconnectedAt?: Date;
  @Prop() lastRefreshAt?: Date;
}

export const XeroConnectionSchema = SchemaFactory.createForClass(XeroConnection);
XeroConnectionSchema.index({ 'tenants.tenantId': 1 });
XeroConnectionSchema.index({ stateHash: 1 });
