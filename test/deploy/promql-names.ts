import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '@xero-sync/testing';

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression reads: identifiers that are neither functions nor aggregations (followed by
 * `(`), keywords, label names (inside `{}` or a `by (...)` list), durations, numbers nor strings.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = stripped.slice(m.index + m[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(m[0].toLowerCase())) continue;
    // Digits of a number like 1e3 are matched from the `e`: skip identifiers glued to a digit before them.
    if (m.index > 0 && /[0-9.]/.test(stripped[m.index - 1])) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** Every PromQL expression of the provisioned Grafana dashboards. */
export function dashboardQueries(): string[] {
  const file = join(repoRoot, 'ops/grafana/dashboards/xero-sync-fleet.json');
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}

/** The alert and recording rules' expressions, and the names the recording rules define. */
export function ruleQueries(): { exprs: string[]; recorded: string[] } {
  const file = join(repoRoot, 'ops/prometheus/alerts.rules.yml');
  const rules = parse(readFileSync(file, 'utf8')) as { groups: { rules: { record?: string; expr: string }[] }[] };
  const all = rules.groups.flatMap((g) => g.rules);
  return { exprs: all.map((r) => r.expr), recorded: all.flatMap((r) => (r.record ? [r.record] : [])) };
}

/**
 * The sample names a Prometheus text exposition declares: every `# TYPE` family, with `_bucket`, `_sum` and
 * `_count` for histograms and summaries (`_created` is not exported by prom-client).
 */
export function exposedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m;
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}
