export interface GroupCommitOptions {
  /** Most items one batch handles; more waiting form the next batches. */
  maxBatch: number;
  /**
   * How long the first item of an idle key waits for the others arriving with it before its batch starts (0: the
   * items handed over in the same turn of the event loop).
   */
  gatherMs: number;
}

interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

interface Lane<T, R> {
  waiting: Waiting<T, R>[];
  running: boolean;
  gathering?: NodeJS.Timeout | NodeJS.Immediate;
}

/**
 * Group commit per key: items submitted under a key while a batch of that key is being handled are handled
 * together in its next batch, one batch per key at a time. A lone item on an idle key starts at once (after
 * `gatherMs`), so grouping adds no wait when there is nothing to group; under load one batch's fixed work (claims,
 * reads, a Xero call, writes) is shared by everything that arrived during the previous one. `submit` resolves with
 * the item's own result; a batch that throws rejects each of its items (each caller retries its own). A key with
 * nothing waiting or running takes no memory.
 */
export class KeyedGroupCommit<T, R> {
  private readonly lanes = new Map<string, Lane<T, R>>();

  constructor(
    private readonly handle: (key: string, items: T[]) => Promise<R[]>,
    private readonly opts: GroupCommitOptions,
  ) {}

  submit(key: string, item: T): Promise<R> {
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { waiting: [], running: false }));
    const result = new Promise<R>((resolve, reject) => lane.waiting.push({ item, resolve, reject }));
    this.schedule(key, lane);
    return result;
  }

  /** Items waiting under `key` and whether a batch of it runs (for tests and metrics). */
  load(key: string): { waiting: number; running: boolean } {
    const lane = this.lanes.get(key);
    return { waiting: lane?.waiting.length ?? 0, running: lane?.running ?? false };
  }

  private schedule(key: string, lane: Lane<T, R>): void {
    if (lane.running) return;
    if (lane.waiting.length >= this.opts.maxBatch) {
      this.stopGathering(lane);
      void this.drain(key, lane);
    } else if (!lane.gathering) {
      const start = () => {
        lane.gathering = undefined;
        void this.drain(key, lane);
      };
      lane.gathering = this.opts.gatherMs > 0 ? setTimeout(start, this.opts.gatherMs) : setImmediate(start);
    }
  }

  private stopGathering(lane: Lane<T, R>): void {
    if (!lane.gathering) return;
    clearTimeout(lane.gathering as NodeJS.Timeout);
    clearImmediate(lane.gathering as NodeJS.Immediate);
    lane.gathering = undefined;
  }

  private async drain(key: string, lane: Lane<T, R>): Promise<void> {
    if (lane.running) return;
    lane.running = true;
    try {
      while (lane.waiting.length > 0) {
        const batch = lane.waiting.splice(0, this.opts.maxBatch);
        try {
          const results = await this.handle(
            key,
            batch.map((w) => w.item),
          );
          batch.forEach((w, i) => w.resolve(results[i]));
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      lane.running = false;
      if (lane.waiting.length === 0 && !lane.gathering) this.lanes.delete(key);
    }
  }
}
