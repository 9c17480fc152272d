import { explainScenario, ScenarioRefSchema, type HistoryEntry } from '@downspin/protocol';

/** A stored shaping command in words: a scenario by name and version, a downspin by its latency, else the kind and its body. */
export function describeHistoryEntry({ kind, body }: Pick<HistoryEntry, 'kind' | 'body'>): string {
  if (kind === 'scenario') {
    const ref = ScenarioRefSchema.safeParse(body);
    if (ref.success) return `applied ${explainScenario(ref.data)}`;
  }
  if (kind === 'downspin' && typeof body === 'object' && body !== null) {
    const latency = (body as { latency_ms?: unknown }).latency_ms;
    return typeof latency === 'number' ? `downspin: latency ${latency} ms` : 'downspin (default latency)';
  }
  const isEmpty = body === null || body === undefined || (typeof body === 'object' && Object.keys(body).length === 0);
  return isEmpty ? kind : `${kind}: ${JSON.stringify(body)}`;
}
