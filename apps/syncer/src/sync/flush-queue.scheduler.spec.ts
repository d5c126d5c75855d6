import { dueScanReuseMs } from './flush-queue.scheduler';

describe('dueScanReuseMs (how long a due-store scan is reused)', () => {
  it('reuses a cheap scan for 2 s or a tick, whichever is longer', () => {
    expect(dueScanReuseMs(5, 500)).toBe(2000);
    expect(dueScanReuseMs(5, 3000)).toBe(3000);
  });

  it('paces a costly scan by its own duration, 20 times it, and never waits more than a minute', () => {
    expect(dueScanReuseMs(400, 500)).toBe(8000);
    expect(dueScanReuseMs(1500, 500)).toBe(30_000);
    expect(dueScanReuseMs(10_000, 500)).toBe(60_000);
  });
});
