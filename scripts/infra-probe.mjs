// Readiness probe used by scripts/infra.sh: exits 0 only when the server really answers a protocol call,
// not merely when its port accepts TCP connections.
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';

const target = process.argv[2];
const timer = setTimeout(() => process.exit(1), 8000);

async function probeKafka() {
  const admin = new Kafka({
    clientId: 'infra-probe',
    brokers: ['127.0.0.1:9092'],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  await admin.connect();
  await admin.listTopics();
  await admin.disconnect();
}

async function probeMongo() {
  const conn = await mongoose
    .createConnection('mongodb://127.0.0.1:27017/infra-probe', { serverSelectionTimeoutMS: 3000 })
    .asPromise();
  await conn.db.admin().ping();
  await conn.close();
}

try {
  if (target === 'kafka') await probeKafka();
  else if (target === 'mongo') await probeMongo();
  else throw new Error(`unknown probe target ${target}`);
  clearTimeout(timer);
  process.exit(0);
} catch (err) {
  console.error(String(err?.message ?? err));
  process.exit(1);
}
