import type { RecordedCall } from '@xero-sync/persistence';

/** How long the first call of a batch waits for others before the batch is written. */
export const STATS_GATHER_MS = 250;

/**
 * Counts a process's Xero calls into request_stats a batch at a time: calls that finish while a write is gathering
 * or running go into the next write, one command for every org, and one $inc per org and day however many calls
 * it made (a delivery's calls follow each other within the gather window). One write at a time, as the schema
 * requires. A process killed mid-window loses at most that window's counts, never a call or a record: the counts
 * feed the daily report, while the day budget follows Xero's own remaining-quota headers.
 */
export class CallStatsWriter {
  private pending: RecordedCall[] = [];
  private running?: Promise<void>;
  private wakeGather?: () => void;

  constructor(
    private readonly write: (calls: RecordedCall[]) => Promise<void>,
    private readonly gatherMs = STATS_GATHER_MS,
  ) {}

  add(call: RecordedCall): void {
    this.pending.push(call);
    this.kick();
  }

  /** Writes what is waiting now and resolves once every call added so far is written (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.running) {
      this.wakeGather?.();
      await this.running;
    }
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      // A call added after the last batch was taken, before this drain ended: its own drain.
      if (this.pending.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.gatherMs);
      timer.unref?.();
      this.wakeGather = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeGather = undefined;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      // A failed write loses these counts only (the daily report shows fewer calls); deliveries never wait on it.
      await this.write(batch).catch(() => undefined);
    }
  }
}
