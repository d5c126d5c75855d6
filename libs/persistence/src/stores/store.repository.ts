import { Inject, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { randomSecret, SecretBox } from '@xero-sync/security';
import { DuplicateKeyError, isDuplicateKeyError } from '../persistence.errors';
import { Reseal, ResealCount, resealFields } from '../reseal-fields';
import { pickFields } from '../pick-fields';
import { Store } from './store.schema';

/** A store without its secrets (safe to list and log). */
export interface StoreRecord {
  storeId: string;
  name: string;
  magentoBaseUrl?: string;
  hasMagentoToken: boolean;
  createdAt: Date;
  secretRotatedAt: Date;
  /** Until when signatures with the secret the last rotation replaced are accepted (absent before any rotation). */
  previousSecretUntil?: Date;
}

/**
 * A store's webhook secrets: the current one, which signs, and the one the last rotation replaced, which still
 * verifies what was signed until `until` (the store's requests during the grace the rotation gave, and the events
 * signed before it that still wait in Kafka or are replayed).
 */
export interface StoreWebhookSecrets {
  current: string;
  previous?: { secret: string; until: Date };
}

/** What a rotation returns: the new secret (shown once) and until when the replaced one is accepted. */
export interface RotatedSecret {
  webhookSecret: string;
  previousSecretUntil: Date;
}

export interface NewStore {
  storeId: string;
  name: string;
  magentoBaseUrl?: string;
  magentoToken?: string;
}

/** Base URL and bearer integration token for the Magento 2 REST pull connector. */
export interface MagentoCredentials {
  baseUrl: string;
  token: string;
}

type Lean = Store & { _id: unknown };

/** Reads and conditional writes a rotation tries before giving up (see rotateSecret). */
const ROTATION_ROUNDS = 5;

/** What a store record shows as stored; the sealed secrets are not among them. */
const RECORD_FIELDS = [
  'storeId',
  'name',
  'magentoBaseUrl',
  'createdAt',
  'secretRotatedAt',
  'previousSecretUntil',
] as const;

function toRecord(doc: Lean): StoreRecord {
  return { ...pickFields(doc, RECORD_FIELDS), hasMagentoToken: Boolean(doc.magentoTokenSealed) };
}

/**
 * Stores and their webhook secrets. Secrets are generated here, returned in clear exactly once (on create and
 * rotate) and otherwise only to the signature checks and the signing through `webhookSecretsOf` and
 * `webhookSecretOf`. Needs TOKEN_ENCRYPTION_KEY.
 */
@Injectable()
export class StoreRepository {
  private box: SecretBox | undefined;

  constructor(
    @InjectModel(Store.name) private readonly model: Model<Store>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Creates a store with a fresh webhook secret; throws DuplicateKeyError if the id is taken. */
  async create(store: NewStore, now = new Date()): Promise<{ store: StoreRecord; webhookSecret: string }> {
    const webhookSecret = randomSecret();
    try {
      const created = await this.model.create({
        storeId: store.storeId,
        name: store.name,
        webhookSecretSealed: this.secretBox().encrypt(webhookSecret, store.storeId),
        magentoBaseUrl: store.magentoBaseUrl,
        magentoTokenSealed: store.magentoToken
          ? this.secretBox().encrypt(store.magentoToken, store.storeId)
          : undefined,
        createdAt: now,
        secretRotatedAt: now,
      });
      return { store: toRecord(created.toObject()), webhookSecret };
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new DuplicateKeyError('stores', { storeId: store.storeId });
      throw err;
    }
  }

  async findById(storeId: string): Promise<StoreRecord | null> {
    const doc = await this.model.findOne({ storeId }).lean<Lean>().exec();
    return doc ? toRecord(doc) : null;
  }

  async list(): Promise<StoreRecord[]> {
    const docs = await this.model.find().sort({ storeId: 1 }).lean<Lean[]>().exec();
    return docs.map(toRecord);
  }

  /** The current decrypted webhook secret (the one that signs), or null for an unknown store. */
  async webhookSecretOf(storeId: string): Promise<string | null> {
    return (await this.webhookSecretsOf(storeId))?.current ?? null;
  }

  /** The decrypted webhook secrets that verify signatures (see StoreWebhookSecrets), or null for an unknown store. */
  async webhookSecretsOf(storeId: string): Promise<StoreWebhookSecrets | null> {
    const doc = await this.model
      .findOne({ storeId }, { webhookSecretSealed: 1, previousSecretSealed: 1, previousSecretUntil: 1 })
      .lean<Lean>()
      .exec();
    if (!doc) return null;
    const current = this.secretBox().decrypt(doc.webhookSecretSealed, storeId);
    if (!doc.previousSecretSealed || !doc.previousSecretUntil) return { current };
    const previous = {
      secret: this.secretBox().decrypt(doc.previousSecretSealed, storeId),
      until: doc.previousSecretUntil,
    };
    return { current, previous };
  }

  /**
   * Replaces the webhook secret. The replaced one stays accepted for what is signed up to `keepPreviousMs` from now
   * (0 when it leaked: only events it signed before now still verify), and replaces any earlier previous secret.
   * Returns the new secret (shown once), or null for an unknown store.
   */
  async rotateSecret(storeId: string, keepPreviousMs = 0, now = new Date()): Promise<RotatedSecret | null> {
    const webhookSecret = randomSecret();
    const webhookSecretSealed = this.secretBox().encrypt(webhookSecret, storeId);
    const previousSecretUntil = new Date(now.getTime() + keepPreviousMs);
    // Conditional on the secret read, so of two rotations at once neither loses the other's secret as "previous";
    // the one that lost reads again (a few rounds at most: each lost round is another writer's success).
    for (let round = 0; ; round++) {
      if (round === ROTATION_ROUNDS)
        throw new Error(`the webhook secret of store ${storeId} kept changing while being rotated; try again`);
      const doc = await this.model.findOne({ storeId }, { webhookSecretSealed: 1 }).lean<Lean>().exec();
      if (!doc) return null;
      const result = await this.model
        .updateOne(
          { storeId, webhookSecretSealed: doc.webhookSecretSealed },
          {
            $set: {
              webhookSecretSealed,
              secretRotatedAt: now,
              previousSecretSealed: doc.webhookSecretSealed,
              previousSecretUntil,
            },
          },
        )
        .exec();
      if (result.matchedCount > 0) return { webhookSecret, previousSecretUntil };
    }
  }

  /** Sets (or replaces) the Magento REST base URL and integration token used by the pull connector. */
  async setMagentoCredentials(storeId: string, credentials: MagentoCredentials): Promise<boolean> {
    const result = await this.model
      .updateOne(
        { storeId },
        {
          $set: {
            magentoBaseUrl: credentials.baseUrl,
            magentoTokenSealed: this.secretBox().encrypt(credentials.token, storeId),
          },
        },
      )
      .exec();
    return result.matchedCount > 0;
  }

  /** The decrypted Magento credentials, or null when the store has none configured (or does not exist). */
  async magentoCredentialsOf(storeId: string): Promise<MagentoCredentials | null> {
    const doc = await this.model.findOne({ storeId }).lean<Lean>().exec();
    if (!doc?.magentoBaseUrl || !doc.magentoTokenSealed) return null;
    return { baseUrl: doc.magentoBaseUrl, token: this.secretBox().decrypt(doc.magentoTokenSealed, storeId) };
  }

  /** Seals every store's webhook secret and Magento token again under the current key (`npm run keys:rotate`). */
  resealSecrets(reseal: Reseal): Promise<ResealCount> {
    return resealFields(
      this.model,
      ['webhookSecretSealed', 'previousSecretSealed', 'magentoTokenSealed'],
      (doc) => String(doc.storeId),
      reseal,
    );
  }

  private secretBox(): SecretBox {
    if (!this.config.TOKEN_ENCRYPTION_KEY)
      throw new Error('TOKEN_ENCRYPTION_KEY is required to read or write store secrets');
    this.box ??= new SecretBox(this.config.TOKEN_ENCRYPTION_KEY, this.config.TOKEN_ENCRYPTION_OLD_KEYS);
    return this.box;
  }
}
