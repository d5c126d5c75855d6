import { SecretBox } from './secret-box';
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
    parts[3] = Buffer.from('x').toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'org-1')).toThrow();
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
