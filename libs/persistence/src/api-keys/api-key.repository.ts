import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { DuplicateKeyError, isDuplicateKeyError } from '../persistence.errors';
import { pickFields } from '../pick-fields';
import { ApiKey, ApiKeyRole, ApiKeyStores } from './api-key.schema';

/** What a key grants and to whom, as its creator gave it. */
interface ApiKeyGrant {
  prefix: string;
  name: string;
  role: ApiKeyRole;
  stores: ApiKeyStores;
  expiresAt?: Date;
  createdBy: string;
}

export interface ApiKeyRecord extends ApiKeyGrant {
  id: string;
  createdAt: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

export interface NewApiKey extends ApiKeyGrant {
  keyHash: string;
  /** Set when the key is stored already revoked (a retired bootstrap key). */
  revokedAt?: Date;
}

type Lean = ApiKey & { _id: { toString(): string }; createdAt: Date };

/** Keys stored before scopes existed carry no `stores`: they saw every store and still do. */
function storesOf(stored: string[] | undefined): ApiKeyStores {
  return !stored || stored.length === 0 || stored.includes('*') ? '*' : [...stored];
}

/** What a key record shows: everything but the hash. */
const RECORD_FIELDS = [
  'prefix',
  'name',
  'role',
  'expiresAt',
  'createdBy',
  'createdAt',
  'lastUsedAt',
  'revokedAt',
] as const;

function toRecord(doc: Lean): ApiKeyRecord {
  return { id: doc._id.toString(), ...pickFields(doc, RECORD_FIELDS), stores: storesOf(doc.stores) };
}

/** Admin-api keys, looked up by hash; the hash itself never leaves this repository. */
@Injectable()
export class ApiKeyRepository {
  constructor(@InjectModel(ApiKey.name) private readonly model: Model<ApiKey>) {}

  /** Stores a key; throws DuplicateKeyError when a key with this hash exists (active or revoked). */
  async insert(key: NewApiKey): Promise<ApiKeyRecord> {
    try {
      const created = await this.model.create({ ...key, stores: key.stores === '*' ? ['*'] : key.stores });
      return toRecord(created.toObject() as unknown as Lean);
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new DuplicateKeyError('api_keys', { keyHash: '(hash)' });
      throw err;
    }
  }

  /** The active key with this hash (not revoked, not expired at `now`), or null. */
  async findActiveByHash(keyHash: string, now = new Date()): Promise<ApiKeyRecord | null> {
    const doc = await this.model
      .findOne({ keyHash: String(keyHash), revokedAt: { $exists: false } })
      .lean<Lean>()
      .exec();
    if (!doc || (doc.expiresAt && doc.expiresAt.getTime() <= now.getTime())) return null;
    return toRecord(doc);
  }

  /** Whether any key, active or revoked, was stored with this hash (a retired bootstrap key is such a record). */
  async existsWithHash(keyHash: string): Promise<boolean> {
    return (await this.model.countDocuments({ keyHash: String(keyHash) }).exec()) > 0;
  }

  /** Active, unexpired admin keys that see every store (the bootstrap key may be retired only if one exists). */
  async countActiveAllStoreAdmins(now = new Date()): Promise<number> {
    const docs = await this.model
      .find({ role: 'admin', revokedAt: { $exists: false } })
      .lean<Lean[]>()
      .exec();
    return docs.filter((d) => storesOf(d.stores) === '*' && !(d.expiresAt && d.expiresAt.getTime() <= now.getTime()))
      .length;
  }

  /** Records use at most once a minute per key, so authentication does not write on every request. */
  async touchLastUsed(id: string, now = new Date()): Promise<void> {
    await this.model
      .updateOne(
        {
          _id: id,
          $or: [{ lastUsedAt: { $exists: false } }, { lastUsedAt: { $lt: new Date(now.getTime() - 60_000) } }],
        },
        { $set: { lastUsedAt: now } },
      )
      .exec();
  }

  async listAll(): Promise<ApiKeyRecord[]> {
    const docs = await this.model.find().sort({ createdAt: -1 }).lean<Lean[]>().exec();
    return docs.map(toRecord);
  }

  /** Marks a key revoked; true if an active key was revoked. */
  async revoke(id: string, now = new Date()): Promise<boolean> {
    const res = await this.model
      .updateOne({ _id: id, revokedAt: { $exists: false } }, { $set: { revokedAt: now } })
      .exec();
    return res.modifiedCount === 1;
  }
}
