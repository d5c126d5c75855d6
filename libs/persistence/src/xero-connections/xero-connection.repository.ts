import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { Reseal, ResealCount, resealFields } from '../reseal-fields';
import { XeroConnection, XeroConnectionKind, XeroConnectionStatus, XeroTenantRef } from './xero-connection.schema';

/** A connection as plain data; `id` is the connection id (the SecretBox aad of its sealed secrets). */
export interface XeroConnectionRecord {
  id: string;
  kind: XeroConnectionKind;
  status: XeroConnectionStatus;
  tenants: XeroTenantRef[];
  scopes?: string;
  accessTokenSealed?: string;
  accessTokenExpiresAt?: Date;
  refreshTokenSealed?: string;
  refreshTokenIssuedAt?: Date;
  previousRefreshTokenSealed?: string;
  previousRefreshTokenRotatedAt?: Date;
  clientId?: string;
  clientSecretSealed?: string;
  stateHash?: string;
  bindingHash?: string;
  codeVerifierSealed?: string;
  authorizeExpiresAt?: Date;
  disconnectedReason?: string;
  disconnectedAt?: Date;
  lastRefreshAt?: Date;
  createdAt?: Date;
  updatedAt?: Date;
}

/** Fields a token refresh or consent writes. */
export type XeroTokenFields = Pick<
  XeroConnectionRecord,
  | 'accessTokenSealed'
  | 'accessTokenExpiresAt'
  | 'refreshTokenSealed'
  | 'refreshTokenIssuedAt'
  | 'previousRefreshTokenSealed'
  | 'previousRefreshTokenRotatedAt'
  | 'lastRefreshAt'
  | 'scopes'
>;

type Lean = XeroConnection & { createdAt?: Date; updatedAt?: Date };

function toRecord(doc: Lean): XeroConnectionRecord {
  const { _id, tenants, ...rest } = doc;
  return { id: _id, tenants: (tenants ?? []).map((t) => ({ ...t })), ...rest };
}

/** Xero connections, their sealed tokens and the refresh lease. Returns plain objects. */
@Injectable()
export class XeroConnectionRepository {
  constructor(@InjectModel(XeroConnection.name) private readonly model: Model<XeroConnection>) {}

  /** Seals every connection's tokens and secrets again under the current key (`npm run keys:rotate`). */
  resealSecrets(reseal: Reseal): Promise<ResealCount> {
    return resealFields(
      this.model,
      [
        'accessTokenSealed',
        'refreshTokenSealed',
        'previousRefreshTokenSealed',
        'clientSecretSealed',
        'codeVerifierSealed',
      ],
      (doc) => String(doc._id),
      reseal,
    );
  }

  async create(record: Omit<XeroConnectionRecord, 'createdAt' | 'updatedAt'>): Promise<XeroConnectionRecord> {
    const { id, ...rest } = record;
    const created = await this.model.create({ _id: id, ...rest });
    return toRecord(created.toObject());
  }

  async findById(id: string): Promise<XeroConnectionRecord | null> {
    const doc = await this.model.findById(id).lean<Lean>().exec();
    return doc ? toRecord(doc) : null;
  }

  /** The newest connected (or else newest) connection that reaches a tenant. */
  async findByTenant(tenantId: string): Promise<XeroConnectionRecord | null> {
    return (await this.findByTenants([tenantId])).get(tenantId) ?? null;
  }

  /** `findByTenant` for several tenants in one read: each tenant found maps to its connection. */
  async findByTenants(tenantIds: string[]): Promise<Map<string, XeroConnectionRecord>> {
    const docs = await this.model
      .find({ 'tenants.tenantId': { $in: tenantIds }, status: { $ne: 'authorizing' } })
      .sort({ updatedAt: -1 })
      .lean<Lean[]>()
      .exec();
    const found = new Map<string, XeroConnectionRecord>();
    for (const tenantId of tenantIds) {
      const reaching = docs.filter((d) => d.tenants.some((t) => t.tenantId === tenantId));
      const doc = reaching.find((d) => d.status === 'connected') ?? reaching[0];
      if (doc) found.set(tenantId, toRecord(doc));
    }
    return found;
  }

  async findByStateHash(stateHash: string): Promise<XeroConnectionRecord | null> {
    const doc = await this.model.findOne({ stateHash, status: 'authorizing' }).lean<Lean>().exec();
    return doc ? toRecord(doc) : null;
  }

  async list(): Promise<XeroConnectionRecord[]> {
    const docs = await this.model
      .find({ status: { $ne: 'authorizing' } })
      .sort({ createdAt: 1 })
      .lean<Lean[]>()
      .exec();
    return docs.map(toRecord);
  }

  /** Completes a consent: the pending record becomes a connection with its tenants and tokens. */
  async completeAuthorization(id: string, tenants: XeroTenantRef[], tokens: XeroTokenFields): Promise<void> {
    await this.model
      .updateOne(
        { _id: id, status: 'authorizing' },
        {
          $set: { ...tokens, tenants, status: 'connected' },
          $unset: { stateHash: 1, bindingHash: 1, codeVerifierSealed: 1, authorizeExpiresAt: 1 },
        },
      )
      .exec();
  }

  /** A tenant reached through a new consent stops being served by older connections. */
  async detachTenantFromOthers(tenantId: string, keepId: string): Promise<void> {
    await this.model.updateMany({ _id: { $ne: keepId } }, { $pull: { tenants: { tenantId } } }).exec();
  }

  /** Records a tenant's short code (read-modify-write: FerretDB has no positional `$` update). */
  async setShortCode(id: string, tenantId: string, shortCode: string): Promise<void> {
    const doc = await this.model.findById(id).lean<Lean>().exec();
    if (!doc) return;
    const tenants = (doc.tenants ?? []).map((t) => (t.tenantId === tenantId ? { ...t, shortCode } : t));
    await this.model.updateOne({ _id: id }, { $set: { tenants } }).exec();
  }

  async saveTokens(id: string, tokens: XeroTokenFields): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: tokens }).exec();
  }

  async markDisconnected(id: string, reason: string, at = new Date()): Promise<void> {
    await this.model
      .updateOne(
        { _id: id },
        {
          $set: { status: 'disconnected', disconnectedReason: reason, disconnectedAt: at },
          $unset: { accessTokenSealed: 1 },
        },
      )
      .exec();
  }

  async deleteExpiredAuthorizations(now = new Date()): Promise<number> {
    const res = await this.model.deleteMany({ status: 'authorizing', authorizeExpiresAt: { $lt: now } }).exec();
    return res.deletedCount;
  }
}
