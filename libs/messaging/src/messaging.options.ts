import type { EventPublisherOptions } from './event-publisher';

/** How an app uses Kafka: its client id, its publisher's tuning, and what a broker away at start-up means. */
export interface MessagingOptions {
  clientId: string;
  publisher?: EventPublisherOptions;
  /**
   * `required` (default): the app does not start until the topics exist (waiting out a broker that is still
   * coming up, up to 60 s). `best-effort`: a broker away at start-up is logged and the topics are created on
   * first use (`SystemTopics.ensure()`), for an app that has work to do without Kafka (admin-api's reads).
   */
  topicsAtStart?: 'required' | 'best-effort';
}
