import { dashboardQueries, exposedNames, metricNames, ruleQueries } from './promql-names';

describe('metric names of PromQL expressions', () => {
  it('reads metric names, not functions, keywords, labels, durations or strings', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, mode) (rate(xero_sync_delivery_duration_seconds_bucket{mode="cron"}[5m])))',
      ),
    ).toEqual(['xero_sync_delivery_duration_seconds_bucket']);
    expect(
      metricNames(
        'time() - max by (store) (a_ts) > 3 * max by (store) (b_interval) and on (store) max by (store) (c) > 0',
      ).sort(),
    ).toEqual(['a_ts', 'b_interval', 'c']);
    expect(metricNames('predict_linear(min by (org) (budget)[1h:1m], 86400 - time() % 86400) <= 1e3')).toEqual([
      'budget',
    ]);
    expect(metricNames('xero_sync:consumer_lag:topic > 0 and delta(xero_sync:consumer_lag:topic[5m]) > 0')).toEqual([
      'xero_sync:consumer_lag:topic',
    ]);
  });

  it('finds queries in the dashboard and the rules', () => {
    expect(dashboardQueries().length).toBeGreaterThanOrEqual(15);
    expect(ruleQueries().recorded).toEqual(['xero_sync:consumer_lag:topic']);
    expect(ruleQueries().exprs.length).toBeGreaterThanOrEqual(8);
  });

  it('lists the sample names of an exposition, histogram series included', () => {
    const names = exposedNames('# HELP a x\n# TYPE a counter\n# HELP h y\n# TYPE h histogram\nh_bucket{le="1"} 0\n');
    expect([...names].sort()).toEqual(['a', 'h', 'h_bucket', 'h_count', 'h_sum']);
  });
});
