/**
 * `node dist/scripts/kafka-acls.js` (docker-compose's one-shot kafka-acls service): creates the apps' ACLs
 * (appAcls, libs/messaging) for the principals docker-compose gives them, authenticated as KAFKA_SASL_* (a super
 * user). Waits up to a minute for the brokers; exits non-zero if the ACLs could not be set, so the apps, which
 * start only after it succeeded, never run on a cluster without them.
 */
import { loadConfig } from '@xero-sync/config';
import { applyAppAcls, createKafka, DEFAULT_APP_PRINCIPALS, kafkaCredentialsOf } from '@xero-sync/messaging';

const PATIENCE_MS = 60_000;

async function main(): Promise<number> {
  const config = loadConfig({ require: ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] });
  const kafka = createKafka({
    clientId: 'xero-sync-acls',
    brokers: config.KAFKA_BROKERS,
    sasl: kafkaCredentialsOf(config),
  });
  const until = Date.now() + PATIENCE_MS;
  for (;;) {
    try {
      const count = await applyAppAcls(
        kafka,
        DEFAULT_APP_PRINCIPALS,
        config.KAFKA_TOPIC_PREFIX,
        config.KAFKA_GROUP_PREFIX,
      );
      process.stdout.write(
        `kafka-acls: ${count} ACL entries set for ${Object.values(DEFAULT_APP_PRINCIPALS).join(', ')}\n`,
      );
      return 0;
    } catch (err) {
      if (Date.now() > until) {
        process.stderr.write(`kafka-acls: ${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`kafka-acls: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
