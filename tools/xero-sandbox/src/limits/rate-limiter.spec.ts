import { SandboxClock } from '../clock';
import { RateLimiter, retryAfterSeconds } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows 60 calls a minute per tenant, then names the minute window, and does not count rejections', () => {
    const clock = new SandboxClock(1);
    const rl = new RateLimiter(clock);
    for (let i = 0; i < 60; i++) {
      const r = rl.acquire('t1', 'standard');
      expect(r.ok).toBe(true);
      if (r.ok) r.release();
    }
    const denied = rl.acquire('t1', 'standard');
    expect(denied).toMatchObject({ ok: false, problem: 'minute' });
    expect(rl.remaining('t1', 'standard')).toEqual({ day: 4940, minute: 0, appMinute: 9940 });
    // another tenant has its own minute
    expect(rl.acquire('t2', 'standard').ok).toBe(true);
    // after the minute passes, the window opens again
    clock.advance(60_000);
    expect(rl.acquire('t1', 'standard').ok).toBe(true);
    expect(rl.remaining('t1', 'standard').day).toBe(4939);
  });

  it('limits in-flight calls to 5 per tenant', () => {
    const rl = new RateLimiter(new SandboxClock(1));
    const held = Array.from({ length: 5 }, () => rl.acquire('t', 'standard'));
    expect(held.every((h) => h.ok)).toBe(true);
    expect(rl.acquire('t', 'standard')).toMatchObject({ ok: false, problem: 'concurrent' });
    const first = held[0];
    if (first.ok) first.release();
    expect(rl.acquire('t', 'standard').ok).toBe(true);
  });

  it('starter tier has 1,000 calls a day', () => {
    const clock = new SandboxClock(1);
    const rl = new RateLimiter(clock);
    for (let i = 0; i < 1000; i++) {
      if (i % 60 === 0) clock.advance(60_000);
      const r = rl.acquire('t', 'starter');
      if (r.ok) r.release();
      else throw new Error(`denied at ${i}`);
    }
    clock.advance(60_000);
    expect(rl.acquire('t', 'starter')).toMatchObject({ ok: false, problem: 'day' });
  });

  it('caps the app at 10,000 calls a minute across organisations', () => {
    const rl = new RateLimiter(new SandboxClock(1));
    let served = 0;
    for (let t = 0; t < 170; t++) {
      for (let i = 0; i < 60; i++) {
        const r = rl.acquire(`tenant-${t}`, 'standard');
        if (!r.ok) {
          expect(r.problem).toBe('appminute');
          expect(served).toBe(10_000);
          return;
        }
        r.release();
        served++;
      }
    }
    throw new Error('app limit never reached');
  });

  it('Retry-After is whole real seconds, at least 1, scaled', () => {
    expect(retryAfterSeconds(new SandboxClock(1), 30_500)).toBe(31);
    expect(retryAfterSeconds(new SandboxClock(600), 60_000)).toBe(1);
    expect(retryAfterSeconds(new SandboxClock(60), 0)).toBe(1);
  });
});
