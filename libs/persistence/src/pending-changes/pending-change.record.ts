import { PendingChange, PendingChangeStatus } from './pending-change.schema';
import { RecordCopy } from './record-copy.schema';

// The queue item's shapes as the repository returns and takes them, and how a state becomes one update.

export interface PendingChangeRecord {
  id: string;
  storeId: string;
  entity: string;
  entityId: string;
  rank: number;
  eventId: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
  status: PendingChangeStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError?: string;
  waitingOn?: string;
  waitingFor?: string;
  waitingSince?: Date;
  correlationId?: string;
  leaseOwner?: string;
  leaseUntil?: Date;
  claimToken?: string;
  lastAttemptAt?: Date;
  syncedAt?: Date;
  xeroId?: string;
  createdAt?: Date;
  updatedAt?: Date;
}

/** The content of one event as the queue keeps it. */
export type NewPendingChange = Pick<
  PendingChangeRecord,
  'storeId' | 'entity' | 'entityId' | 'rank' | 'eventId' | 'occurredAt' | 'payload' | 'correlationId'
>;

/** Where an item stands after an attempt (or, for a fresh event, where it starts). */
export interface PendingChangeState {
  status: Exclude<PendingChangeStatus, 'processing'>;
  attempts?: number;
  nextAttemptAt?: Date;
  lastError?: string;
  waitingOn?: string;
  /** The `_id` of the record a waiting item waits for, when known. */
  waitingFor?: string;
  waitingSince?: Date;
  lastAttemptAt?: Date;
  syncedAt?: Date;
  xeroId?: string;
}

/**
 * What `saveLatest` did: `saved` (new or newer content stored), `duplicate` (this very event is already
 * stored: a redelivery), `stale` (the queue already holds newer content; an older event never overwrites it).
 */
export type SaveLatestOutcome = 'saved' | 'duplicate' | 'stale';

export interface ClaimedBatch {
  claimToken: string;
  items: PendingChangeRecord[];
}

export type Lean = PendingChange & { _id: { toString(): string } };

export function toRecord(doc: Lean): PendingChangeRecord {
  const { _id, payload, ...rest } = doc;
  return { id: _id.toString(), ...rest, payload: JSON.parse(payload) as Record<string, unknown> };
}

/** A `record_copies` document as written (lean, so timestamps are set here). */
export type CopyDoc = Omit<RecordCopy, 'createdAt' | 'updatedAt'> & { updatedAt: Date };

/** The copy of a record's content that a `synced` state leaves behind when the item leaves the queue. */
export function copyOf(
  content: Pick<
    PendingChange,
    'storeId' | 'entity' | 'entityId' | 'rank' | 'eventId' | 'occurredAt' | 'payload' | 'correlationId' | 'attempts'
  > & { _id: string; syncedAt?: Date; xeroId?: string },
  state: PendingChangeState,
  now = new Date(),
): CopyDoc {
  const copy: CopyDoc = {
    _id: content._id,
    storeId: content.storeId,
    entity: content.entity,
    entityId: content.entityId,
    rank: content.rank,
    eventId: content.eventId,
    occurredAt: content.occurredAt,
    payload: content.payload,
    attempts: state.attempts ?? content.attempts,
    updatedAt: now,
  };
  const optional = {
    correlationId: content.correlationId,
    lastAttemptAt: state.lastAttemptAt,
    syncedAt: state.syncedAt ?? content.syncedAt,
    xeroId: state.xeroId ?? content.xeroId,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(copy, { [key]: value });
  return copy;
}

/** A copy read back as the synced queue item it stands for. */
export function fromCopy(doc: RecordCopy & { createdAt?: Date; updatedAt?: Date }): PendingChangeRecord {
  const { _id, payload, ...rest } = doc;
  return {
    id: _id,
    ...rest,
    status: 'synced',
    nextAttemptAt: new Date(0),
    payload: JSON.parse(payload) as Record<string, unknown>,
  };
}

const STATE_FIELDS = [
  'lastError',
  'waitingOn',
  'waitingFor',
  'waitingSince',
  'lastAttemptAt',
  'syncedAt',
  'xeroId',
] as const;

/** $set/$unset for a state: optional fields not given are cleared, so no stale error survives a success. */
export function stateUpdate(state: PendingChangeState): { $set: Record<string, unknown>; $unset: Record<string, ''> } {
  const $set: Record<string, unknown> = { status: state.status };
  const $unset: Record<string, ''> = { leaseOwner: '', leaseUntil: '', claimToken: '' };
  if (state.attempts !== undefined) $set.attempts = state.attempts;
  $set.nextAttemptAt = state.nextAttemptAt ?? new Date(0);
  for (const key of STATE_FIELDS) {
    if (state[key] !== undefined) $set[key] = state[key];
    else if (key !== 'syncedAt' && key !== 'xeroId') $unset[key] = '';
  }
  return { $set, $unset };
}
