/**
 * Runs `attempt` until it succeeds, waiting out errors kafkajs marks retriable (a broker that has just restarted
 * and is loading its coordinators, a topic created a moment ago that its metadata does not list yet) with
 * exponential backoff (250 ms doubling, at most 5 s), for up to `patienceMs`. Other errors, and a retriable one
 * after the patience ran out, are thrown.
 */
export async function waitOutRetriable<T>(
  attempt: () => Promise<T>,
  patienceMs: number,
  onRetry?: (err: Error) => void,
): Promise<T> {
  const until = Date.now() + patienceMs;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if ((err as { retriable?: boolean }).retriable !== true || Date.now() > until) throw err;
      onRetry?.(err as Error);
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** n)));
    }
  }
}
