export interface GroupCommitOptions {
  /** Most items one batch handles; more waiting form the next batches. */
  maxBatch: number;
  /**
   * How long the first item of an idle key waits for the others arriving with it before its batch starts (0: the
   * items handed over in the same turn of the event loop).
   */
  gatherMs: number;
  /**
   * Batches of one key handled at once while a backlog lasts (default 1): a further batch starts only when a full
   * batch is waiting, so grouping stays as it is below that.
   */
  concurrency?: number;
}

interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

interface Lane<T, R> {
  waiting: Waiting<T, R>[];
  /** Batches being handled. */
  running: number;
  gathering?: NodeJS.Timeout | NodeJS.Immediate;
}

/**
 * Group commit per key: items submitted under a key while a batch of that key is being handled are handled
 * together in its next batch, one batch per key at a time (up to `concurrency` while full batches wait). A lone item
 * on an idle key starts at once (after `gatherMs`), so grouping adds no wait when there is nothing to group; under
 * load one batch's fixed work (claims, reads, a Xero call, writes) is shared by everything that arrived during the
 * previous one. Used for the syncer's intake and Immediately deliveries and for libs/xero's call counts, budget slot
 * releases and connection look-ups. `submit` resolves with
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
    if (!lane) this.lanes.set(key, (lane = { waiting: [], running: 0 }));
    const result = new Promise<R>((resolve, reject) => lane.waiting.push({ item, resolve, reject }));
    this.schedule(key, lane);
    return result;
  }

  /** Items waiting under `key` and whether a batch of it runs (for tests and metrics). */
  load(key: string): { waiting: number; running: number } {
    const lane = this.lanes.get(key);
    return { waiting: lane?.waiting.length ?? 0, running: lane?.running ?? 0 };
  }

  private schedule(key: string, lane: Lane<T, R>): void {
    if (lane.running > 0) {
      // Another batch alongside the running ones only for a full batch waiting.
      if (lane.running < (this.opts.concurrency ?? 1) && lane.waiting.length >= this.opts.maxBatch)
        void this.drain(key, lane);
      return;
    }
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
    lane.running += 1;
    try {
      // The last batch running takes whatever waits; one alongside it goes on only while full batches wait.
      while (lane.waiting.length > 0 && (lane.running === 1 || lane.waiting.length >= this.opts.maxBatch)) {
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
      lane.running -= 1;
      if (lane.running === 0 && lane.waiting.length === 0 && !lane.gathering) this.lanes.delete(key);
    }
  }
}
