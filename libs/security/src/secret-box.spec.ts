import { keyIdOf, SecretBox } from './secret-box';
import { safeEqual, stableStringify } from './index';

describe('SecretBox', () => {
  const box = new SecretBox('11'.repeat(32));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.encrypt('refresh-token-value', 'org-1');
    expect(sealed).not.toContain('refresh-token-value');
    expect(box.decrypt(sealed, 'org-1')).toBe('refresh-token-value');
  });

  it('refuses a ciphertext bound to another owner, another key, or tampered', () => {
    const sealed = box.encrypt('secret', 'org-1');
    expect(() => box.decrypt(sealed, 'org-2')).toThrow();
    expect(() => new SecretBox('22'.repeat(32)).decrypt(sealed, 'org-1')).toThrow();
    const parts = sealed.split('.');
    parts[4] = Buffer.from('x').toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'org-1')).toThrow();
  });

  it('names its key in each value, opens values of older keys and of the time before key ids, and reseals them', () => {
    const k1 = '11'.repeat(32);
    const k2 = Buffer.alloc(32, 2).toString('base64');
    const sealed1 = new SecretBox(k1).encrypt('token', 'org-1');
    const ring = new SecretBox(k2, [k1]);
    expect(keyIdOf(sealed1)).toBe(new SecretBox(k1).currentKeyId);
    expect(ring.decrypt(sealed1, 'org-1')).toBe('token');
    const resealed = ring.reseal(sealed1, 'org-1')!;
    expect(keyIdOf(resealed)).toBe(ring.currentKeyId);
    expect(ring.reseal(resealed, 'org-1')).toBeNull();
    expect(new SecretBox(k2).decrypt(resealed, 'org-1')).toBe('token');
    expect(() => new SecretBox(k2).decrypt(sealed1, 'org-1')).toThrow(/not configured/);
    // A value sealed before key ids existed (v1.<iv>.<tag>.<data>) with key 1.
    const [, , iv, tag, data] = sealed1.split('.');
    const legacy = ['v1', iv, tag, data].join('.');
    expect(keyIdOf(legacy)).toBe('legacy');
    expect(ring.decrypt(legacy, 'org-1')).toBe('token');
    expect(keyIdOf(ring.reseal(legacy, 'org-1')!)).toBe(ring.currentKeyId);
    expect(() => new SecretBox(k2).decrypt(legacy, 'org-1')).toThrow();
  });

  it('uses a fresh IV each time', () => {
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });
});

describe('hash helpers', () => {
  it('compares in constant time and sorts keys for stable hashing', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(stableStringify({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } })).toBe(
      '{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}',
    );
  });
});
