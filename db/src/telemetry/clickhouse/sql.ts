/*
 * The only ways a value enters SQL text here. ClickHouse 18.16 has no
 * server-side query parameters, so values are validated first (ints, hex
 * hashes, batch ids) and then still escaped. Row data never enters SQL: it is
 * sent as a RowBinary body.
 */

/** A ClickHouse string literal: backslash and quote escaped, control bytes spelled out. */
export function quote(value: string): string {
  let out = "'";
  for (const char of value) {
    switch (char) {
      case '\\':
        out += '\\\\';
        break;
      case "'":
        out += "\\'";
        break;
      case '\0':
        out += '\\0';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default:
        out += char;
    }
  }
  return `${out}'`;
}

/** A non-negative integer literal; anything else is a bug upstream, so it throws. */
export function int(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`not a non-negative integer: ${value}`);
  return String(value);
}

/** An identifier from a fixed list or config (database name), backquoted. */
export function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) throw new TypeError(`not a plain identifier: ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

/**
 * Rows of `[from, to)` epoch ms, optionally of one session. The tables'
 * partitions and keys derive from `ts` arithmetically, so this prunes by day
 * and hour with no time zone involved.
 */
export function whereRange(range: { from: number; to: number; session?: string | undefined }): string {
  const parts = [`ts >= ${int(range.from)}`, `ts < ${int(range.to)}`];
  if (range.session !== undefined) parts.push(`session_hash = ${quote(range.session)}`);
  return parts.join(' AND ');
}

/** A DateTime constant in UTC (never the server's zone, which 18.16 would apply to key ranges). */
export function utcDateTime(epochMs: number): string {
  return `toDateTime(${int(Math.floor(epochMs / 1000))}, 'UTC')`;
}

/** The error rule (same as rows.ts isError and the rollup view). */
export const IS_ERROR = "(status >= 500 OR status = 0 OR error != '')";
