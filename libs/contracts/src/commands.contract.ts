import { z } from 'zod';
import { entityChangeEventSchema } from './entity-change.contract';
import { parseWith, ParseResult } from './parse-result';
import { ENTITIES } from './topics';

const base = {
  commandId: z.uuid(),
  storeId: z.string().min(1).max(64),
  requestedAt: z.iso.datetime({ offset: true }),
  requestedBy: z.string().max(128).optional(),
};

/**
 * Commands admin-api sends on `xero-sync.commands.v1` (key = store id). Syncers act on the sync commands and
 * `replay.start` (re-run the store's events of the chosen entity types published since `from`); ingest acts on
 * `backfill.start`/`backfill.cancel`.
 */
export const commandSchema = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('sync.record'),
    entity: z.enum(ENTITIES),
    entityId: z.string().min(1),
    /**
     * The record as the store's REST API answered it (origin `manual`), sent when the pipeline held no copy of
     * it: the syncer delivers it unless content arrived meanwhile, and keeps it as the record's latest.
     */
    event: entityChangeEventSchema.optional(),
  }),
  z.object({ ...base, type: z.literal('queue.flush') }),
  z.object({ ...base, type: z.literal('queue.retry-failed') }),
  z.object({ ...base, type: z.literal('dlq.requeue'), dlqIds: z.array(z.string().min(1)).min(1).max(1000) }),
  z.object({
    ...base,
    type: z.literal('backfill.start'),
    jobId: z.string().min(1),
    entities: z.array(z.enum(ENTITIES)).min(1),
  }),
  z.object({ ...base, type: z.literal('backfill.cancel'), jobId: z.string().min(1) }),
  z.object({
    ...base,
    type: z.literal('replay.start'),
    replayId: z.string().min(1).max(64),
    from: z.iso.datetime({ offset: true }),
    entities: z.array(z.enum(ENTITIES)).min(1),
  }),
]);
export type XeroSyncCommand = z.output<typeof commandSchema>;
export type CommandType = XeroSyncCommand['type'];

export function parseCommand(input: unknown): ParseResult<XeroSyncCommand> {
  return parseWith(commandSchema, input);
}
