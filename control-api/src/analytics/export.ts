import { REQUEST_ROW_COLUMNS, type RequestRow } from '@downspin/protocol';
import { stringify } from 'csv-stringify/sync';
import { toApiError } from './telemetry-errors.js';

/**
 * Columns of an export, in order: `time` (ISO 8601, UTC) first, then the
 * stored row's fields in the order of its column table (a column added there
 * is exported too).
 */
export const EXPORT_COLUMNS: readonly ['time', ...Array<keyof RequestRow>] = ['time', ...REQUEST_ROW_COLUMNS.map((column) => column.field)];

export type ExportRow = { time: string } & RequestRow;

export type ExportFormat = 'csv' | 'json';

/** Rows put into one chunk of the response: big enough to stream efficiently, small enough to bound memory. */
const ROWS_PER_CHUNK = 500;

function exportRow(row: RequestRow): ExportRow {
  const out = { time: new Date(row.ts).toISOString() } as ExportRow;
  // Fixed key order, whatever order the store built the row in.
  for (const column of EXPORT_COLUMNS) if (column !== 'time') (out as Record<string, unknown>)[column] = row[column];
  return out;
}

/**
 * RFC 4180 CSV (csv-stringify): CRLF line ends, a cell quoted when it holds a
 * comma, quote or line break, quotes doubled. `escape_formulas` prefixes `'`
 * to a text cell starting with = + - @ tab or CR (and their full-width forms),
 * so a spreadsheet opening the file never runs a path as a formula.
 */
function csvChunk(rows: readonly ExportRow[], header: boolean): string {
  return stringify(rows as unknown as Record<string, unknown>[], {
    header,
    columns: [...EXPORT_COLUMNS],
    record_delimiter: 'windows',
    // Setting record_delimiter turns this off by default: a bare LF or CR in a cell must still be quoted.
    quote_record_delimiter: true,
    escape_formulas: true,
  });
}

/** A streamed JSON array, one row per line: valid JSON as a whole, line by line for tools that read it that way. */
function jsonChunk(rows: readonly ExportRow[], first: boolean): string {
  let out = '';
  for (let i = 0; i < rows.length; i++) out += `${first && i === 0 ? '[\n' : ',\n'}${JSON.stringify(rows[i])}`;
  return out;
}

/**
 * Streams request rows as CSV or a JSON array: a chunk is formatted only
 * when the client is ready for it (pull), so memory stays bounded however
 * long the range. The first row is read before answering, so a store that is
 * down is a 503 JSON error, not a broken download; a failure after that
 * aborts the response (a client sees a truncated transfer, never a clean
 * end). A client that goes away stops the store's query.
 */
export async function exportStream(rows: AsyncIterable<RequestRow>, format: ExportFormat): Promise<ReadableStream<Uint8Array>> {
  const iterator = rows[Symbol.asyncIterator]();
  let next: IteratorResult<RequestRow>;
  try {
    next = await iterator.next();
  } catch (error) {
    throw toApiError(error);
  }
  const encoder = new TextEncoder();
  let started = false;
  let done = false;

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (done) return;
        const batch: ExportRow[] = [];
        try {
          while (!next.done && batch.length < ROWS_PER_CHUNK) {
            batch.push(exportRow(next.value));
            next = await iterator.next();
          }
        } catch (error) {
          done = true;
          controller.error(error);
          return;
        }
        let text = '';
        if (format === 'csv') {
          // The header goes out even for an empty export, so the file always says what its columns are.
          if (batch.length > 0 || !started) text = csvChunk(batch, !started);
        } else {
          text = batch.length > 0 ? jsonChunk(batch, !started) : '';
          if (next.done) text += started || batch.length > 0 ? '\n]\n' : '[]\n';
        }
        started = true;
        if (text !== '') controller.enqueue(encoder.encode(text));
        if (next.done) {
          done = true;
          controller.close();
        }
      },
      async cancel() {
        done = true;
        await iterator.return?.();
      },
    },
    // One chunk ahead at most.
    { highWaterMark: 1 },
  );
}

/** `downspin-requests-20261125T100000Z-20261126T100000Z.csv` */
export function exportFilename(range: { from: number; to: number }, format: ExportFormat): string {
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `downspin-requests-${stamp(range.from)}-${stamp(range.to)}.${format}`;
}
