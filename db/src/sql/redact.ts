/**
 * What a log may say about one SQL parameter: its type and size, never its
 * value. Parameters carry session ids, reasons and whole activity batches;
 * a failed query must not copy them into the logs.
 */
function describeParam(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return `<text, ${value.length} chars>`;
  if (Buffer.isBuffer(value)) return `<bytes, ${value.length}>`;
  if (Array.isArray(value)) return `<array, ${value.length} items>`;
  return `<${typeof value}>`;
}

/**
 * Takes parameter values out of a query error, so whoever logs it (pino
 * serialises every own property) logs none: the `params` PGlite attaches
 * become their descriptions, and `where` (PostgreSQL's context, which for a
 * bad JSON parameter quotes the data around the fault and the parameter
 * itself) keeps only its kind, e.g. "JSON data". Returns the same error.
 */
export function redactParams(error: unknown): unknown {
  if (error === null || typeof error !== 'object') return error;
  const fields = error as { params?: unknown; where?: unknown };
  if ('params' in fields) {
    const params = fields.params;
    fields.params = Array.isArray(params) ? params.map(describeParam) : describeParam(params);
  }
  if (typeof fields.where === 'string') fields.where = `${fields.where.split(/[:\n]/, 1)[0]} (redacted)`;
  return error;
}
