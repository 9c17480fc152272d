import type { TelemetryColumn } from '@downspin/protocol';

/**
 * Where a kind's prepared rows wait for their batch (up to a second for the
 * memory store, 5 s or 20,000 rows for ClickHouse). `take` hands the oldest
 * back as row objects, in the order they were held.
 */
export interface RowHold<Row> {
  readonly length: number;
  /** Holds rows[from, to); the caller lets go of them. */
  hold(rows: readonly Row[], from: number, to: number): void;
  /** The oldest `count` rows (at most `length`), no longer held. */
  take(count: number): Row[];
}

/** Holds the row objects themselves: for kinds that are few (WebSocket connections, client events). */
export class ObjectHold<Row> implements RowHold<Row> {
  private rows: Row[] = [];

  get length(): number {
    return this.rows.length;
  }

  hold(rows: readonly Row[], from: number, to: number): void {
    for (let i = from; i < to; i++) this.rows.push(rows[i]!);
  }

  take(count: number): Row[] {
    return this.rows.splice(0, count);
  }
}

const FIRST_CAPACITY = 1024;

/**
 * Holds rows as columns: a Float64Array per numeric field, an array per
 * string field. Why: a request row held as an object for a second or more
 * outlives two scavenges, is copied into the old generation (with a boxed
 * number per duration and timestamp) and dies there, where only a full
 * mark-and-sweep reclaims it. Measured (#16, 20 rounds, fresh processes,
 * 2 cores): rows built and dropped at once cost the proxy 0.4 % of its
 * requests/s, held as objects for a second 3-4 %; with this hold the
 * ClickHouse writer's proxy served 9 % more requests/s than with objects.
 * Here the object dies young and only its values stay: no object per held
 * row (its strings are shared, apart from the path).
 *
 * A row whose value does not fit its column (a number field that is not a
 * number, a string field that is not a string: rows handed in whole by a
 * caller, which the stores clean) is held as it is, so what `take` returns
 * is what was held, either way.
 */
export class ColumnHold<Row extends object> implements RowHold<Row> {
  private readonly fields: readonly string[];
  private readonly numeric: readonly boolean[];
  private readonly numbers: Float64Array[];
  private readonly strings: string[][];
  /** A row held whole (did not fit the columns), by slot; undefined for the rest. */
  private readonly whole: Array<Row | undefined> = [];
  /** Every field, in column order, with a value of its kind. */
  private readonly template: Record<string, unknown> = {};
  private capacity = FIRST_CAPACITY;
  /** Slots [head, end) are held. */
  private head = 0;
  private end = 0;

  constructor(columns: ReadonlyArray<Pick<TelemetryColumn, 'field' | 'type'>>) {
    this.fields = columns.map((column) => column.field);
    this.numeric = columns.map((column) => !column.type.includes('String'));
    this.numbers = columns.map((_, i) => new Float64Array(this.numeric[i] ? this.capacity : 0));
    this.strings = columns.map(() => []);
    // Not 0: a field first seen holding a small integer would change representation at the first fraction.
    for (let c = 0; c < this.fields.length; c++) this.template[this.fields[c]!] = this.numeric[c] ? 0.5 : '';
  }

  get length(): number {
    return this.end - this.head;
  }

  hold(rows: readonly Row[], from: number, to: number): void {
    if (this.end + (to - from) > this.capacity) this.makeRoom(to - from);
    const { fields, numeric, numbers, strings } = this;
    for (let r = from; r < to; r++) {
      const row = rows[r]! as Record<string, unknown>;
      const slot = this.end++;
      let fits = true;
      for (let c = 0; c < fields.length; c++) {
        const value = row[fields[c]!];
        if (numeric[c]) {
          if (typeof value === 'number') numbers[c]![slot] = value;
          else fits = false;
        } else if (typeof value === 'string') strings[c]![slot] = value;
        else {
          strings[c]![slot] = '';
          fits = false;
        }
      }
      this.whole[slot] = fits ? undefined : (row as Row);
    }
  }

  take(count: number): Row[] {
    const n = Math.min(count, this.length);
    const { fields, numeric, numbers, strings } = this;
    const rows = new Array<Row>(n);
    for (let i = 0; i < n; i++) {
      const slot = this.head + i;
      const whole = this.whole[slot];
      if (whole !== undefined) {
        rows[i] = whole;
        this.whole[slot] = undefined;
      } else {
        // A copy of the template has the row's final shape at once: setting its fields adds none.
        const row: Record<string, unknown> = { ...this.template };
        for (let c = 0; c < fields.length; c++) row[fields[c]!] = numeric[c] ? numbers[c]![slot] : strings[c]![slot];
        rows[i] = row as Row;
      }
      // Let go of the strings (a path is the row's own), keeping the arrays packed.
      for (let c = 0; c < fields.length; c++) if (!numeric[c]) strings[c]![slot] = '';
    }
    this.head += n;
    if (this.head === this.end) this.head = this.end = 0;
    return rows;
  }

  /** Moves the held slots to the front, growing the columns if that is not room enough. */
  private makeRoom(adding: number): void {
    const { head, end, numbers } = this;
    while (end - head + adding > this.capacity) this.capacity *= 2;
    for (let c = 0; c < numbers.length; c++) {
      if (!this.numeric[c]) continue;
      const column = numbers[c]!;
      if (column.length === this.capacity) column.copyWithin(0, head, end);
      else {
        const grown = new Float64Array(this.capacity);
        grown.set(column.subarray(head, end));
        numbers[c] = grown;
      }
    }
    for (const column of this.strings) column.splice(0, head);
    this.whole.splice(0, head);
    this.end = end - head;
    this.head = 0;
  }
}
