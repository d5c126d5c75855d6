import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type AclEntry } from 'kafkajs';
import { ENTITIES, topics } from '@xero-sync/contracts';

/** The Kafka principal (SCRAM user name) each app authenticates as. */
export interface AppPrincipals {
  ingest: string;
  adminApi: string;
  syncer: string;
}

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
