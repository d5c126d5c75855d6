/**
 * Headers of a dead-lettered record (the syncer adds them, so the DLQ topic alone explains it) and of a requeued one
 * (ingest republishes a dead letter to its source topic on a `dlq.requeue` command).
 */
export const DLQ_HEADERS = {
  reason: 'x-dlq-reason',
  sourceTopic: 'x-dlq-source-topic',
  sourcePartition: 'x-dlq-source-partition',
  sourceOffset: 'x-dlq-source-offset',
  requeuedFrom: 'x-dlq-requeued-from',
} as const;
