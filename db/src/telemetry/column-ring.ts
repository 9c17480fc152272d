import type { ColumnType } from '@downspin/protocol';
import { cleanAs, type Column } from './columns.js';
import type { Ring } from './ring-buffer.js';
import { OBJECT_BYTES, SLOT_BYTES, stringBytes } from './row-bytes.js';

const FIRST_CAPACITY = 1024;

/**
 * The memory store's request rows: cleaned values kept as columns, oldest
 * first, in a ring that grows by doubling up to `limit` rows and then lets
 * its oldest row go for each new one. A Float64Array per numeric field, an
 * array per string field.
 *
 * Why columns: 100,000 rows kept as objects sit in the old generation with
 * a boxed number per duration and timestamp, and every full mark-and-sweep
 * of the proxy sharing the process walks them. Measured (#16: one loop making
 * a request's garbage and a row, 15,000 a second, the ring full, two builds
 * side by side on the two cores, 4 pairs): 0.8 µs less per row than objects,
 * GC 1.9 against 2.7 µs. (Rows waiting for their batch are a different case,
 * held as objects: see RowHold.)
 *
 * Every value is cleaned as it is stored (cleanAs, the sanitiser's rules),
 * so every value fits its column: a table with a Nullable column is refused.
 */
export class ColumnRing<Row extends object> implements Ring {
  private readonly columns: ReadonlyArray<Column<Row>>;
  private readonly fields: readonly string[];
  private readonly types: readonly ColumnType[];
  private readonly limits: readonly number[];
  private readonly numeric: readonly boolean[];
  /** Every field, in column order, with a value of its kind: rows made from it all share one hidden class. */
  private readonly template: Record<string, unknown> = {};
  private numbers: Float64Array[];
  private strings: string[][];
  /** Each slot's row's estimated bytes. */
  private weights: Float64Array;
  /**
   * Per string column, the last row's value as it came and as it was kept.
   * The host header and a repeated path arrive as a new string with every
   * request: a row whose value equals the last one's (by content, a few ns)
   * keeps the same string, cleaned once, and no copy of its own.
   */
  private readonly lastRaw: unknown[];
  private readonly last: string[];
  private capacity: number;
  /** The oldest row's slot. */
  private start = 0;
  private length = 0;
  /** Rows ever kept: the newest row's number plus one (see `first`). */
  private kept = 0;
  /** The kept rows' estimated bytes, summed. */
  bytes = 0;
  /** Makes a view: an object whose fields read the columns at its `slot` (see `scan`). */
  private readonly View: new () => Row & { slot: number };

  constructor(
    columns: ReadonlyArray<Column<Row>>,
    readonly limit = Number.POSITIVE_INFINITY,
  ) {
    if (!(limit >= 1)) throw new RangeError('limit must be at least 1');
    const nullable = columns.find((column) => column.type.startsWith('Nullable'));
    if (nullable !== undefined) throw new TypeError(`a ColumnRing keeps no Nullable column (${nullable.field}): a cleaned value must fit its column`);
    this.columns = columns;
    this.fields = columns.map((column) => column.field);
    this.types = columns.map((column) => column.type);
    this.limits = columns.map((column) => column.limit ?? Number.MAX_SAFE_INTEGER);
    this.numeric = columns.map((column) => column.type !== 'String');
    // Not 0: a field first seen holding a small integer would change representation at the first fraction.
    for (let c = 0; c < this.fields.length; c++) this.template[this.fields[c]!] = this.numeric[c] ? 0.5 : '';
    this.capacity = Math.min(FIRST_CAPACITY, limit);
    this.numbers = this.numeric.map((numeric) => new Float64Array(numeric ? this.capacity : 0));
    this.strings = this.numeric.map((numeric) => new Array<string>(numeric ? 0 : this.capacity));
    this.weights = new Float64Array(this.capacity);
    this.lastRaw = this.numeric.map(() => '');
    this.last = this.numeric.map(() => '');
    this.View = this.viewClass();
  }

  get size(): number {
    return this.length;
  }

  /**
   * The oldest kept row's number. Rows are numbered as they are kept and keep
   * their number for life, so a reader that lets other work run between
   * parts of a scan goes on from a number: rows let go meanwhile are skipped.
   */
  get first(): number {
    return this.kept - this.length;
  }

  /** One past the newest kept row's number. */
  get end(): number {
    return this.kept;
  }

  /**
   * Keeps the row's values cleaned as the sanitiser cleans them (cut, clamped,
   * never NaN), weighed as `estimateRowBytes` weighs the clean row: one pass
   * over the row, where sanitising a copy, weighing it and copying its values
   * in took three (each field read by name, ~15 ns a read). True when that
   * let the oldest row go.
   */
  keep(row: Row): boolean {
    if (this.length === this.capacity && this.capacity < this.limit) this.resize(Math.min(this.capacity * 2, this.limit));
    let slot: number;
    let pushedOut = false;
    if (this.length === this.capacity) {
      // Full: the oldest row's slot takes the new row (writing every column lets go of the old values).
      slot = this.start;
      this.start = (this.start + 1) % this.capacity;
      this.bytes -= this.weights[slot]!;
      pushedOut = true;
    } else slot = (this.start + this.length++) % this.capacity;
    const { columns, fields, types, limits, numeric, numbers, strings } = this;
    const values = row as Record<string, unknown>;
    let bytes = OBJECT_BYTES;
    for (let c = 0; c < fields.length; c++) {
      const value = values[fields[c]!];
      bytes += SLOT_BYTES;
      if (numeric[c]) numbers[c]![slot] = cleanAs(columns[c]!, types[c]!, limits[c]!, value) as number;
      else {
        // Equal to the previous row's (host, session, method, kinds: most are): its cleaned string, kept once.
        if (value !== this.lastRaw[c]) {
          this.lastRaw[c] = value;
          this.last[c] = cleanAs(columns[c]!, types[c]!, limits[c]!, value) as string;
        }
        strings[c]![slot] = this.last[c]!;
        bytes += stringBytes(this.last[c]!);
      }
    }
    this.weights[slot] = bytes;
    this.bytes += bytes;
    this.kept++;
    return pushedOut;
  }

  shift(): boolean {
    if (this.length === 0) return false;
    const slot = this.start;
    // Let go of the strings (a path is the row's own).
    for (let c = 0; c < this.numeric.length; c++) if (!this.numeric[c]) this.strings[c]![slot] = '';
    this.bytes -= this.weights[slot]!;
    this.start = (slot + 1) % this.capacity;
    this.length--;
    return true;
  }

  /**
   * The rows, oldest first (newest first with `newestFirst`), through one
   * view moved from row to row: its fields read the columns where it stands,
   * so a reader pays only for the fields it reads (the memory store's
   * aggregations read three or four of eighteen), and no object is made per
   * row. A view is valid until the next step, and a scan while the ring
   * does not change; `copy` makes a row to keep. With `from` and `to`, only
   * the rows numbered [from, to) that are still kept.
   */
  *scan(newestFirst = false, from = this.first, to = this.end): IterableIterator<Row> {
    const view = new this.View();
    const { first, start, capacity } = this;
    const lo = Math.max(from, first);
    const hi = Math.min(to, this.kept);
    // A view's slot: the row's place after the oldest's, around the ring.
    for (let i = 0; i < hi - lo; i++) {
      view.slot = (start + (newestFirst ? hi - 1 - i : lo + i) - first) % capacity;
      yield view;
    }
  }

  /** A row object of its own from a view `scan` yielded. */
  copy(view: Row): Row {
    return this.rowAt((view as Row & { slot: number }).slot);
  }

  /** Oldest first, each a row object of its own. */
  *[Symbol.iterator](): IterableIterator<Row> {
    for (const view of this.scan()) yield this.copy(view);
  }

  /** A class whose prototype has a getter per field reading this ring's column at the instance's slot. */
  private viewClass(): new () => Row & { slot: number } {
    class View {
      slot = 0;
    }
    // Read through the ring at each call: a resize replaces the columns.
    const numberAt = (c: number, slot: number): number => this.numbers[c]![slot]!;
    const stringAt = (c: number, slot: number): string => this.strings[c]![slot]!;
    this.fields.forEach((field, c) => {
      Object.defineProperty(View.prototype, field, {
        enumerable: true,
        get: this.numeric[c]
          ? function (this: View): number {
              return numberAt(c, this.slot);
            }
          : function (this: View): string {
              return stringAt(c, this.slot);
            },
      });
    });
    return View as unknown as new () => Row & { slot: number };
  }

  private rowAt(slot: number): Row {
    // A copy of the template has the row's final shape at once: setting its fields adds none.
    const row: Record<string, unknown> = { ...this.template };
    const { fields, numeric, numbers, strings } = this;
    for (let c = 0; c < fields.length; c++) row[fields[c]!] = numeric[c] ? numbers[c]![slot] : strings[c]![slot];
    return row as Row;
  }

  /** New columns of `capacity` slots with the rows moved to the front, oldest first. */
  private resize(capacity: number): void {
    const { start, length, capacity: was } = this;
    // The rows in order are [start, was) then, when they wrap, [0, start + length - was).
    const first = Math.min(length, was - start);
    const grow = (column: Float64Array): Float64Array => {
      const into = new Float64Array(capacity);
      into.set(column.subarray(start, start + first), 0);
      into.set(column.subarray(0, length - first), first);
      return into;
    };
    const move = (column: string[]): string[] => {
      // Holey, not filled: only kept slots are ever read, and filling 100,000 slots one by one took ms.
      const grown = new Array<string>(capacity);
      for (let i = 0; i < length; i++) grown[i] = column[(start + i) % was]!;
      return grown;
    };
    this.numbers = this.numbers.map((column) => (column.length === 0 ? column : grow(column)));
    this.strings = this.strings.map((column) => (column.length === 0 ? column : move(column)));
    this.weights = grow(this.weights);
    this.capacity = capacity;
    this.start = 0;
  }
}
