import parsePrometheusTextFormat, { type PrometheusFamily, type PrometheusSample } from 'parse-prometheus-text-format';

export type Families = Map<string, PrometheusFamily> & { text: string };

/** Parses Prometheus text (throws on a line that is not valid exposition format). */
export function parseMetrics(text: string): Families {
  return Object.assign(new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family] as const)), { text });
}

function matching(families: Families, name: string, labels: Record<string, string>): PrometheusSample[] {
  const family = families.get(name);
  if (family === undefined) return [];
  return family.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
}

/** The sum of the samples of `name` whose labels include `labels` (0 when none). */
export function value(families: Families, name: string, labels: Record<string, string> = {}): number {
  return matching(families, name, labels).reduce((sum, m) => sum + Number(m.value ?? m.count ?? 0), 0);
}

/**
 * The observation count of a histogram's series whose labels include
 * `labels`, read from the `_count` lines (the parser keeps only the buckets
 * of labelled histograms).
 */
export function histogramCount(families: Families, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of families.text.split('\n')) {
    const match = new RegExp(`^${name}_count(?:\\{(.*)\\})? (\\S+)$`).exec(line);
    if (match === null) continue;
    const sent = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => sent[k] === v)) total += Number(match[2]);
  }
  return total;
}
