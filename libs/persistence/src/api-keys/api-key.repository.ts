import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { pickFields } from '../pick-fields';
import { ApiKey, ApiKeyRole } from './api-key.schema';

export interface ApiKeyRecord {
  id: string;
  prefix: string;
  name: string;
  role: ApiKeyRole;
  createdBy: string;
  createdAt: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

export interface NewApiKey {
  keyHash: string;
  prefix: string;
  name: string;
  role: ApiKeyRole;
  createdBy: string;
}

type Lean = ApiKey & { _id: { toString(): string }; createdAt: Date };

/** What a key record shows: everything but the hash. */
const RECORD_FIELDS = ['prefix', 'name', 'role', 'createdBy', 'createdAt', 'lastUsedAt', 'revokedAt'] as const;

function toRecord(doc: Lean): ApiKeyRecord {
  return { id: doc._id.toString(), ...pickFields(doc, RECORD_FIELDS) };
}

/** Admin-api keys, looked up by hash; the hash itself never leaves this repository. */
@Injectable()
export class ApiKeyRepository {
  constructor(@InjectModel(ApiKey.name) private readonly model: Model<ApiKey>) {}

  async insert(key: NewApiKey): Promise<ApiKeyRecord> {
    const created = await this.model.create(key);
    return toRecord(created.toObject() as unknown as Lean);
  }

  /** The active (not revoked) key with this hash, or null. */
  async findActiveByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const doc = await this.model
      .findOne({ keyHash: String(keyHash), revokedAt: { $exists: false } })
      .lean<Lean>()
      .exec();
    return doc ? toRecord(doc) : null;
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
