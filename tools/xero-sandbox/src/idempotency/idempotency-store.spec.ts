import { SandboxClock } from '../clock';
import { IdempotencyStore } from './idempotency-store';

const answer = { status: 200, headers: {}, body: '{"ok":1}' };

describe('IdempotencyStore', () => {
  it('replays the first answer for the same fingerprint and refuses a different one', async () => {
    const store = new IdempotencyStore(new SandboxClock(1), 360_000);
    const first = store.claim('t', 'k', 'PUT /Invoices#abc');
    expect(first.kind).toBe('new');
    const early = store.claim('t', 'k', 'PUT /Invoices#abc');
    if (first.kind === 'new') first.complete(answer);
    expect(early.kind).toBe('replay');
    if (early.kind === 'replay') await expect(early.response).resolves.toEqual(answer);
    expect(store.claim('t', 'k', 'PUT /Invoices#other').kind).toBe('conflict');
    expect(store.claim('other-tenant', 'k', 'PUT /Invoices#other').kind).toBe('new');
  });

  it('forgets keys after the window', () => {
    const clock = new SandboxClock(1);
    const store = new IdempotencyStore(clock, 360_000);
    const c = store.claim('t', 'k', 'f');
    if (c.kind === 'new') c.complete(answer);
    clock.advance(359_000);
    expect(store.claim('t', 'k', 'g').kind).toBe('conflict');
    clock.advance(1_000);
    expect(store.claim('t', 'k', 'g').kind).toBe('new');
  });

  it('an abandoned first attempt frees the key', () => {
    const store = new IdempotencyStore(new SandboxClock(1), 360_000);
    const c = store.claim('t', 'k', 'f');
    if (c.kind === 'new') c.abandon();
    expect(store.claim('t', 'k', 'f').kind).toBe('new');
  });
});
