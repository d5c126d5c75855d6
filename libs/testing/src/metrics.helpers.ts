import { httpRequestDuration } from '@xero-sync/observability';

/** How many requests this process has recorded in xero_sync_http_request_duration_seconds for one label set. */
export async function requestsRecorded(app: string, route: string, status: number): Promise<number> {
  const { values } = await httpRequestDuration.get();
  const count = values.find(
    (v) =>
      v.metricName === 'xero_sync_http_request_duration_seconds_count' &&
      v.labels.app === app &&
      v.labels.route === route &&
      v.labels.status === String(status),
  );
  return count?.value ?? 0;
}
