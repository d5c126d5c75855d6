import { XeroConnectionRecord, XeroTenantRef } from '@xero-sync/persistence';
import { XeroTenantConnection } from './xero-identity.client';

export const DAY_MS = 86_400_000;
/** Xero: an unused refresh token dies after 60 days; warn from day 45, keep-alive refreshes from day 30. */
const REFRESH_TOKEN_LIFETIME_DAYS = 60;
const REFRESH_WARN_DAYS = 45;

/** A connection as admin-api lists it: orgs and token health, never secrets. */
export interface XeroConnectionView {
  connectionId: string;
  kind: 'oauth' | 'custom';
  status: 'connected' | 'disconnected';
  tenants: { tenantId: string; tenantName?: string; shortCode?: string }[];
  scopes?: string;
  accessTokenExpiresAt?: Date;
  refreshTokenIssuedAt?: Date;
  refreshTokenExpiresAt?: Date;
  /** Set when re-consent is needed soon (refresh token near its 60-day end) or now (disconnected). */
  warning?: string;
  disconnectedReason?: string;
}

/** The secret-free view of a stored connection, with a warning when its refresh token nears its end. */
export function toConnectionView(c: XeroConnectionRecord, now = Date.now()): XeroConnectionView {
  const issued = c.refreshTokenIssuedAt;
  const expires = issued ? new Date(issued.getTime() + REFRESH_TOKEN_LIFETIME_DAYS * DAY_MS) : undefined;
  let warning: string | undefined;
  if (c.status === 'disconnected') warning = `disconnected: ${c.disconnectedReason ?? 'reconnect the org'}`;
  else if (issued && now - issued.getTime() > REFRESH_WARN_DAYS * DAY_MS) {
    const left = Math.max(0, Math.floor((expires!.getTime() - now) / DAY_MS));
    warning = `refresh token unused for ${Math.floor((now - issued.getTime()) / DAY_MS)} days; it expires in ${left} days unless refreshed`;
  }
  return {
    connectionId: c.id,
    kind: c.kind,
    status: c.status === 'connected' ? 'connected' : 'disconnected',
    tenants: c.tenants.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName, shortCode: t.shortCode })),
    scopes: c.scopes,
    accessTokenExpiresAt: c.accessTokenExpiresAt,
    refreshTokenIssuedAt: issued,
    refreshTokenExpiresAt: c.kind === 'oauth' ? expires : undefined,
    warning,
    disconnectedReason: c.disconnectedReason,
  };
}

/** Tenant refs as stored, from Xero's /connections answer. */
export function tenantRefs(tenants: XeroTenantConnection[]): XeroTenantRef[] {
  return tenants.map((t) => ({
    tenantId: t.tenantId,
    tenantName: t.tenantName,
    tenantType: t.tenantType,
    xeroConnectionId: t.id,
  }));
}
