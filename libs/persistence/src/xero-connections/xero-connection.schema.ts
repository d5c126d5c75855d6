import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ScalarFields } from '../scalar-fields';

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

/** The grant: its scopes, the sealed access token and when it expires. */
const ACCESS_FIELDS = { scopes: String, accessTokenSealed: String, accessTokenExpiresAt: Date };

/** The sealed refresh token and when it was issued: it expires 60 days after that if unused. */
const REFRESH_FIELDS = { refreshTokenSealed: String, refreshTokenIssuedAt: Date };

/** The refresh token before the last rotation and when it was rotated, kept for Xero's 30-minute grace window. */
const PREVIOUS_REFRESH_FIELDS = { previousRefreshTokenSealed: String, previousRefreshTokenRotatedAt: Date };

/** Custom connections only: their own client credentials (secret sealed). */
const CLIENT_FIELDS = { clientId: String, clientSecretSealed: String };

/** OAuth consent in progress: hashed state, hash of the admin request binding, sealed PKCE verifier, its expiry. */
const CONSENT_FIELDS = { stateHash: String, bindingHash: String, codeVerifierSealed: String, authorizeExpiresAt: Date };

/** Why and when the connection was disconnected, and its last token refresh. */
const HISTORY_FIELDS = { disconnectedReason: String, disconnectedAt: Date, lastRefreshAt: Date };

/**
 * A Xero token set (one consent, or one custom connection) and the orgs it reaches. Secrets are sealed with
 * SecretBox bound to the connection id. Refresh is single-flight across instances through
 * the token-leases collection.
 */
@Schema({ collection: 'xero_connections', timestamps: true, versionKey: false })
export class XeroConnection extends ScalarFields({
  optional: {
    ...ACCESS_FIELDS,
    ...REFRESH_FIELDS,
    ...PREVIOUS_REFRESH_FIELDS,
    ...CLIENT_FIELDS,
    ...CONSENT_FIELDS,
    ...HISTORY_FIELDS,
  },
}) {
  @Prop({ required: true }) _id!: string;
  @Prop({ type: String, required: true }) kind!: XeroConnectionKind;
  @Prop({ type: String, required: true }) status!: XeroConnectionStatus;
  @Prop({ type: [XeroTenantRefSchema], default: [] }) tenants!: XeroTenantRef[];
}

export const XeroConnectionSchema = SchemaFactory.createForClass(XeroConnection);
XeroConnectionSchema.index({ 'tenants.tenantId': 1 });
XeroConnectionSchema.index({ stateHash: 1 });
