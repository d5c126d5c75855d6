import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Sealed before keys had ids: `v1.<iv>.<tag>.<ciphertext>`; still read, by trying each key. */
const LEGACY = 'v1';
const VERSION = 'v2';

interface Key {
  id: string;
  bytes: Buffer;
}

function keyOf(text: string): Key {
  const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (bytes.length !== 32) throw new Error('SecretBox key must be 32 bytes');
  // An id derived from the key itself: nothing to configure, and it reveals nothing usable about the key.
  const id = createHash('sha256').update('xero-sync key id').update(bytes).digest('base64url').slice(0, 8);
  return { id, bytes };
}

/**
 * AES-256-GCM encryption for secrets at rest (Xero tokens, store webhook secrets, Magento tokens) under a keyring:
 * the current key seals, earlier keys only open. Output: `v2.<key id>.<iv>.<tag>.<ciphertext>` in base64url, so
 * each sealed value names its key and a rotation can find what is still under an old one; values sealed before
 * key ids (`v1.…`) are opened with whichever configured key fits. `aad` binds a ciphertext to its owner (e.g. the
 * org id) so one record's secret cannot be swapped into another's.
 */
export class SecretBox {
  private readonly current: Key;
  private readonly keys: Map<string, Key>;

  /** @param key the key that seals; @param oldKeys keys still readable until a rotation has re-sealed their values */
  constructor(key: string, oldKeys: readonly string[] = []) {
    this.current = keyOf(key);
    this.keys = new Map([this.current, ...oldKeys.map(keyOf)].map((k) => [k.id, k]));
  }

  /** The id of the key that seals (what `keyIdOf` gives for a value sealed now). */
  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: string, aad = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    cipher.setAAD(Buffer.from(aad));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.current.id, iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /** @throws Error when the ciphertext was tampered with, sealed under a key not in the ring, or with another aad. */
  decrypt(sealed: string, aad = ''): string {
    const parts = sealed.split('.');
    if (parts[0] === VERSION && parts.length === 5) {
      const key = this.keys.get(parts[1]);
      if (!key) throw new Error(`sealed under key ${parts[1]}, which is not configured`);
      return open(key, parts[2], parts[3], parts[4], aad);
    }
    if (parts[0] !== LEGACY || parts.length !== 4) throw new Error('not a sealed secret');
    let failure: unknown;
    for (const key of this.keys.values()) {
      try {
        return open(key, parts[1], parts[2], parts[3], aad);
      } catch (err) {
        failure = err;
      }
    }
    throw failure instanceof Error ? failure : new Error('not a sealed secret');
  }

  /**
   * The value sealed again under the current key, or null when it already is (a rotation's step).
   * @throws Error as decrypt does
   */
  reseal(sealed: string, aad = ''): string | null {
    if (keyIdOf(sealed) === this.current.id) return null;
    return this.encrypt(this.decrypt(sealed, aad), aad);
  }
}

/** The key id a value was sealed under, or `legacy` for values sealed before key ids. */
export function keyIdOf(sealed: string): string {
  const parts = sealed.split('.');
  return parts[0] === VERSION ? parts[1] : 'legacy';
}

function open(key: Key, iv: string, tag: string, data: string, aad: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
