/** One accounting request whose body held a watched text: when it arrived (real time) and how it was answered. */
export interface WatchHit {
  /** Real wall-clock time the request reached the sandbox (ISO), before any rate limit or fault. */
  at: string;
  tenantId?: string;
  endpoint: string;
  status: number | 'dropped';
}

interface Watch {
  hits: WatchHit[];
  /** Set by the first answer that was not a 429: later requests with the text are not looked at. */
  done: boolean;
}

/**
 * Texts a test or benchmark wants to see arrive (`POST /__sandbox/watches`), e.g. one record's e-mail address:
 * for each, the arrival time and answer of the requests whose body contains it, up to and including the first
 * one that was not rate-limited. Lets a caller time when a given record reached "Xero" without the sandbox keeping
 * every request body. Only bodies are searched, only while some watch is still open.
 */
export class RequestWatches {
  private readonly watches = new Map<string, Watch>();
  private open = 0;

  add(text: string): void {
    if (this.watches.has(text)) return;
    this.watches.set(text, { hits: [], done: false });
    this.open++;
  }

  /** An answered request: noted under every open watch whose text its body contains. */
  seen(body: Buffer | undefined, hit: WatchHit): void {
    if (this.open === 0 || !body || body.length === 0) return;
    const text = body.toString('utf8');
    for (const [watched, w] of this.watches) {
      if (w.done || !text.includes(watched)) continue;
      w.hits.push(hit);
      if (hit.status !== 429) {
        w.done = true;
        this.open--;
      }
    }
  }

  view(): Array<{ text: string; hits: WatchHit[] }> {
    return [...this.watches].map(([text, w]) => ({ text, hits: [...w.hits] }));
  }

  clear(): void {
    this.watches.clear();
    this.open = 0;
  }
}
