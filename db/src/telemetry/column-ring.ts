import type { ColumnType } from '@downspin/protocol';
import { cleanAs, type Column } from './columns.js';
import type { Ring } from './ring-buffer.js';
import { OBJECT_BYTES, SLOT_BYTES, stringBytes } from './row-bytes.js';

const FIRST_CAPACITY = 1024;

/**
 * Rows kept as columns, oldest first, in a ring that grows by doubling up to
 * `limit` rows and then pushes out its oldest row for each new one: a
 * Float64Array per numeric field, an array per string field.
 *
 * Why columns: a row kept as an object for a second or more outlives two
 * scavenges, is copied into the old generation (with a boxed number per
 * duration and timestamp) and dies there, where only a full mark-and-sweep
 * reclaims it. Kept as columns, the object dies young and only its values
 * stay (its strings are shared, apart from the path). Both places a request
 * row waits use this ring: the writer's hold (until its batch) and the memory
 * store (the newest 100,000 rows). Measurements: #16, db/README.md.
 *
 * A row whose value does not fit its column (a number field that is not a
 * number, a string field that is not a string: rows handed in whole by a
 * caller, which the stores clean) is kept as it is, so what comes out is
 * what went in, either way.
 */
export class ColumnRing<Row extends object> implements Ring<Row> {
  private readonly columns: ReadonlyArray<Column<Row>>;
  private readonly fields: readonly string[];
  private readonly types: readonly ColumnType[];
  private readonly limits: readonly number[];
  /** No Nullable column: every cleaned value fits its column (see `keep`). */
  private readonly cleanFits: boolean;
  private readonly numeric: readonly boolean[];
  /** Every field, in column order, with a value of its kind: rows made from it all share one hidden class. */
  private readonly template: Record<string, unknown> = {};
  private numbers: Float64Array[];
  private strings: string[][];
  /** A row kept whole (did not fit the columns), by slot; undefined for the rest. */
  private whole: Array<Row | undefined>;
  /** Each slot's row's estimated bytes, as its `push` gave them. */
  private weights: Float64Array;
  /** Per string column, the value the last row put there. */
  private readonly last: string[];
  private capacity: number;
  /** The oldest row's slot. */
  private start = 0;
  private length = 0;
  /** Whether the last `nextSlot` took the oldest row's slot. */
  private pushedOut = false;
  /** The kept rows' estimated bytes, summed. */
  bytes = 0;

  constructor(
    columns: ReadonlyArray<Column<Row>>,
    readonly limit = Number.POSITIVE_INFINITY,
  ) {
    if (!(limit >= 1)) throw new RangeError('limit must be at least 1');
    this.columns = columns;
    this.fields = columns.map((column) => column.field);
    this.types = columns.map((column) => column.type);
    this.limits = columns.map((column) => column.limit ?? Number.MAX_SAFE_INTEGER);
    this.cleanFits = columns.every((column) => !column.type.startsWith('Nullable'));
    this.numeric = columns.map((column) => !column.type.includes('String'));
    // Not 0: a field first seen holding a small integer would change representation at the first fraction.
    for (let c = 0; c < this.fields.length; c++) this.template[this.fields[c]!] = this.numeric[c] ? 0.5 : '';
    this.capacity = Math.min(FIRST_CAPACITY, limit);
    this.numbers = this.numeric.map((numeric) => new Float64Array(numeric ? this.capacity : 0));
    this.strings = this.numeric.map((numeric) => filled<string>(numeric ? 0 : this.capacity, ''));
    this.whole = filled<Row | undefined>(this.capacity, undefined);
    this.weights = new Float64Array(this.capacity);
    this.last = this.numeric.map(() => '');
  }

  get size(): number {
    return this.length;
  }

  push(row: Row, bytes = 0): boolean {
    const slot = this.nextSlot();
    this.put(slot, row);
    this.weigh(slot, bytes);
    return this.pushedOut;
  }

  /**
   * Keeps the row's values cleaned as the sanitiser cleans them (cut, clamped,
   * never NaN), weighed as `estimateRowBytes` weighs the clean row: the
   * memory store's one pass over a row, where sanitising a copy, weighing it
   * and copying its values in took three (each field read by name, ~15 ns a
   * read). True when that pushed the oldest row out.
   */
  keep(row: Row): boolean {
    if (!this.cleanFits) throw new TypeError('keep() needs columns that are not Nullable: a cleaned value must fit its column');
    const slot = this.nextSlot();
    const { columns, fields, types, limits, numeric, numbers, strings } = this;
    const values = row as Record<string, unknown>;
    let bytes = OBJECT_BYTES;
    for (let c = 0; c < fields.length; c++) {
      const value = cleanAs(columns[c]!, types[c]!, limits[c]!, values[fields[c]!]);
      bytes += SLOT_BYTES;
      if (numeric[c]) numbers[c]![slot] = value as number;
      else {
        strings[c]![slot] = this.shared(c, value as string);
        bytes += stringBytes(value as string);
      }
    }
    this.whole[slot] = undefined;
    this.weigh(slot, bytes);
    return this.pushedOut;
  }

  /** The slot a new row goes in: a new one, or (full at the limit) the oldest row's. */
  private nextSlot(): number {
    if (this.length === this.capacity && this.capacity < this.limit) this.resize(Math.min(this.capacity * 2, this.limit));
    if (this.length === this.capacity) {
      // Full: the oldest row's slot takes the new row (writing every column lets go of the old values).
      const slot = this.start;
      this.start = (this.start + 1) % this.capacity;
      this.bytes -= this.weights[slot]!;
      this.pushedOut = true;
      return slot;
    }
    this.pushedOut = false;
    return (this.start + this.length++) % this.capacity;
  }

  private weigh(slot: number, bytes: number): void {
    this.weights[slot] = bytes;
    this.bytes += bytes;
  }

  shift(): boolean {
    if (this.length === 0) return false;
    this.release(this.start);
    this.bytes -= this.weights[this.start]!;
    this.start = (this.start + 1) % this.capacity;
    this.length--;
    return true;
  }

  /** The oldest `count` rows (at most `size`) as row objects, no longer kept. */
  take(count: number): Row[] {
    const n = Math.min(count, this.length);
    const rows = new Array<Row>(n);
    for (let i = 0; i < n; i++) {
      const slot = this.start;
      rows[i] = this.rowAt(slot);
      this.release(slot);
      this.bytes -= this.weights[slot]!;
      this.start = (slot + 1) % this.capacity;
    }
    this.length -= n;
    if (this.length === 0) this.start = 0;
    return rows;
  }

  /** Oldest first, each a row object of its own. */
  *[Symbol.iterator](): IterableIterator<Row> {
    for (let i = 0; i < this.length; i++) yield this.rowAt((this.start + i) % this.capacity);
  }

  /** Newest first, each a row object of its own. */
  *reversed(): IterableIterator<Row> {
    for (let i = this.length - 1; i >= 0; i--) yield this.rowAt((this.start + i) % this.capacity);
  }

  /**
   * Oldest first through one object refilled for each row (a row kept whole
   * comes as itself): for a reader that only reads fields as it goes (the
   * memory store's aggregations), without an object per row per query.
   */
  *scan(): IterableIterator<Row> {
    const view: Record<string, unknown> = { ...this.template };
    for (let i = 0; i < this.length; i++) {
      const slot = (this.start + i) % this.capacity;
      const whole = this.whole[slot];
      if (whole !== undefined) yield whole;
      else {
        this.fill(slot, view);
        yield view as Row;
      }
    }
  }

  private put(slot: number, row: Row): void {
    const { fields, numeric, numbers, strings } = this;
    const values = row as Record<string, unknown>;
    let fits = true;
    for (let c = 0; c < fields.length; c++) {
      const value = values[fields[c]!];
      if (numeric[c]) {
        if (typeof value === 'number') numbers[c]![slot] = value;
        else fits = false;
      } else if (typeof value === 'string') strings[c]![slot] = this.shared(c, value);
      else {
        strings[c]![slot] = '';
        fits = false;
      }
    }
    this.whole[slot] = fits ? undefined : row;
  }

  /**
   * The previous row's string when this one's is equal: the host header and a
   * repeated path arrive as a new string with every request, and a kept row
   * would otherwise keep its own copy, moved to the old generation and swept
   * there. Equal strings of different instances compare by content: a few ns.
   */
  private shared(c: number, value: string): string {
    const last = this.last[c]!;
    if (value === last) return last;
    this.last[c] = value;
    return value;
  }

  private rowAt(slot: number): Row {
    const whole = this.whole[slot];
    if (whole !== undefined) return whole;
    // A copy of the template has the row's final shape at once: setting its fields adds none.
    const row: Record<string, unknown> = { ...this.template };
    this.fill(slot, row);
    return row as Row;
  }

  private fill(slot: number, row: Record<string, unknown>): void {
    const { fields, numeric, numbers, strings } = this;
    for (let c = 0; c < fields.length; c++) row[fields[c]!] = numeric[c] ? numbers[c]![slot] : strings[c]![slot];
  }

  /** Lets go of a slot's strings (a path is the row's own) and of a row kept whole. */
  private release(slot: number): void {
    const { numeric, strings } = this;
    for (let c = 0; c < numeric.length; c++) if (!numeric[c]) strings[c]![slot] = '';
    this.whole[slot] = undefined;
  }

  /** New columns of `capacity` slots with the rows moved to the front, oldest first. */
  private resize(capacity: number): void {
    const { start, length, capacity: was } = this;
    const at = (i: number): number => (start + i) % was;
    const moved = <T>(column: { readonly [i: number]: T }, into: { [i: number]: T }): void => {
      for (let i = 0; i < length; i++) into[i] = column[at(i)]!;
    };
    this.numbers = this.numbers.map((column) => {
      if (column.length === 0) return column;
      const grown = new Float64Array(capacity);
      moved(column, grown);
      return grown;
    });
    this.strings = this.strings.map((column) => {
      if (column.length === 0) return column;
      const grown = filled(capacity, '');
      moved(column, grown);
      return grown;
    });
    const whole = filled<Row | undefined>(capacity, undefined);
    moved(this.whole, whole);
    this.whole = whole;
    const weights = new Float64Array(capacity);
    moved(this.weights, weights);
    this.weights = weights;
    this.capacity = capacity;
    this.start = 0;
  }
}

/** An array of `length` copies of `value`, packed (no holes: V8 keeps its fast element kind). */
function filled<T>(length: number, value: T): T[] {
  const array: T[] = [];
  for (let i = 0; i < length; i++) array.push(value);
  return array;
}
