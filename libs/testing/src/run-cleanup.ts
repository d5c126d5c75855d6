import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { deleteTopics } from '@xero-sync/messaging';

/** Drops the database `uri` names (a test's or the demo's), waiting at most `timeoutMs` for the server. */
export async function dropDatabase(uri: string, timeoutMs = 10_000): Promise<void> {
  const conn = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: timeoutMs }).asPromise();
  try {
    await conn.dropDatabase();
  } finally {
    await conn.close();
  }
}

/** Deletes every topic whose name starts with `prefix` (a run's own topics); returns how many there were. */
export async function deleteTopicsWithPrefix(brokers: string[], prefix: string): Promise<number> {
  if (!prefix) throw new Error('refusing to delete topics without a prefix');
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  await admin.connect();
  let mine: string[];
  try {
    mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  } finally {
    await admin.disconnect();
  }
  if (mine.length > 0) await deleteTopics(kafka, mine);
  return mine.length;
}

/**
 * Deletes every consumer group whose id starts with `prefix` (a run's own groups, once its apps have stopped: Kafka
 * refuses to delete a group that still has members); returns how many there were.
 */
export async function deleteGroupsWithPrefix(brokers: string[], prefix: string): Promise<number> {
  if (!prefix) throw new Error('refusing to delete consumer groups without a prefix');
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  await admin.connect();
  try {
    const mine = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    if (mine.length > 0) await admin.deleteGroups(mine);
    return mine.length;
  } finally {
    await admin.disconnect();
  }
}
