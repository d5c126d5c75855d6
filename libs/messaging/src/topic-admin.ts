import { Kafka } from 'kafkajs';
import { waitOutRetriable } from './retriable';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
}

/**
 * Creates the topics that do not exist yet (idempotent; safe when several instances start at once) and waits
 * for their leaders. Existing topics are left as they are.
 */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[], patienceMs = 60_000): Promise<void> {
  // A broker that has just (re)started answers retriable errors for a while ("coordinator is loading", "does
  // not host this topic-partition"); an app starting then must wait for it, not crash.
  await waitOutRetriable(() => ensureTopicsOnce(kafka, specs), patienceMs);
}

async function ensureTopicsOnce(kafka: Kafka, specs: TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({ topic: s.topic, numPartitions: s.numPartitions, replicationFactor: -1 })),
      });
    } catch (err) {
      // Another instance may have created them between listTopics and createTopics.
      const now = new Set(await admin.listTopics());
      if (missing.some((s) => !now.has(s.topic))) throw err;
    }
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics (tests only clean up after themselves with this). */
export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 10000 });
  } finally {
    await admin.disconnect();
  }
}
