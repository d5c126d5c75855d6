import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
  type AclEntry,
  type Kafka,
} from 'kafkajs';
import { ENTITIES, topics } from '@xero-sync/contracts';

/** The Kafka principal (SCRAM user name) each app authenticates as. */
export interface AppPrincipals {
  ingest: string;
  adminApi: string;
  syncer: string;
}

/** The principals docker-compose.yml gives the apps (the SCRAM users its kafka-storage service creates). */
export const DEFAULT_APP_PRINCIPALS: AppPrincipals = { ingest: 'ingest', adminApi: 'admin-api', syncer: 'syncer' };

type Op = keyof typeof AclOperationTypes;

function allow(
  principal: string,
  resourceType: 'TOPIC' | 'GROUP' | 'CLUSTER',
  resourceName: string,
  operations: Op[],
  pattern: 'LITERAL' | 'PREFIXED' = 'LITERAL',
): AclEntry[] {
  return operations.map((op) => ({
    resourceType: AclResourceTypes[resourceType],
    resourceName,
    resourcePatternType: ResourcePatternTypes[pattern],
    principal: `User:${principal}`,
    host: '*',
    operation: AclOperationTypes[op],
    permissionType: AclPermissionTypes.ALLOW,
  }));
}

/**
 * The ACLs of a secured cluster (with `allow.everyone.if.no.acl.found=false`, what is not listed is refused):
 * only ingest writes the entity topics, only admin-api writes commands, the syncer reads both and writes the
 * dead letters. Every app may create and describe the system topics (whichever starts first creates them all) and
 * use its own consumer groups. Literal topic names: the dead-letter topic shares the entity topics' `store.` prefix.
 * Direct store producers (docs/ingest.md) need Write on the entity topics under principals of their own.
 */
export function appAcls(principals: AppPrincipals, topicPrefix = '', groupPrefix = 'xero-sync'): AclEntry[] {
  const entityTopics = ENTITIES.map((e) => topics.entityChanged(e, topicPrefix));
  const commands = topics.commands(topicPrefix);
  const dlq = topics.deadLetters(topicPrefix);
  const all = [...entityTopics, commands, dlq];
  const { ingest, adminApi, syncer } = principals;
  return [
    ...[ingest, adminApi, syncer].flatMap((p) => all.flatMap((t) => allow(p, 'TOPIC', t, ['CREATE', 'DESCRIBE']))),
    ...entityTopics.flatMap((t) => allow(ingest, 'TOPIC', t, ['WRITE'])),
    ...allow(ingest, 'TOPIC', commands, ['READ']),
    ...allow(ingest, 'GROUP', `${groupPrefix}-ingest`, ['READ', 'DESCRIBE'], 'PREFIXED'),
    ...allow(adminApi, 'TOPIC', commands, ['WRITE']),
    ...[...entityTopics, commands].flatMap((t) => allow(syncer, 'TOPIC', t, ['READ'])),
    ...allow(syncer, 'TOPIC', dlq, ['WRITE']),
    ...allow(syncer, 'GROUP', `${groupPrefix}-syncer`, ['READ', 'DESCRIBE'], 'PREFIXED'),
  ];
}

/**
 * Creates the apps' ACLs (appAcls) on the cluster `kafka` reaches, as a principal that may (a super user). Kafka
 * keeps an ACL once however often it is created, so this is safe to run on every deployment. Resolves with the
 * number of ACL entries requested.
 */
export async function applyAppAcls(
  kafka: Kafka,
  principals: AppPrincipals,
  topicPrefix = '',
  groupPrefix = 'xero-sync',
): Promise<number> {
  const acl = appAcls(principals, topicPrefix, groupPrefix);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({ acl });
  } finally {
    await admin.disconnect();
  }
  return acl.length;
}
