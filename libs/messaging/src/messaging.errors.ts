/** Kafka could not acknowledge in time; callers answer 503 + Retry-After, nothing was acknowledged. */
export class BrokerUnavailableError extends Error {
  readonly code = 'BROKER_UNAVAILABLE';
  constructor(cause?: unknown) {
    super(`Kafka is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'BrokerUnavailableError';
  }
}
