/**
 * Where a kind's prepared rows wait for their batch (up to 25 ms for the
 * memory store, 5 s or 20,000 rows for ClickHouse), as the row objects
 * themselves. `take` hands the oldest back, in the order they were held.
 *
 * Not as columns: #16 tried request rows held in a Float64Array per number
 * and an array per string. Each young string stored into a long-lived array
 * is a remembered slot every scavenge visits, and making rows again at the
 * cut reads every field by name. Measured (one loop making a request's
 * garbage and a row, 15,000 a second, 8 s, two builds side by side on the
 * two cores, 6 pairs): columns cost 1.3 µs more per row with the memory
 * store and 2.2 µs more behind a store with a 5 s flush, GC included.
 */
export class RowHold<Row> {
  private rows: Row[] = [];

  get length(): number {
    return this.rows.length;
  }

  /** Holds rows[from, to); the caller lets go of them. */
  hold(rows: readonly Row[], from: number, to: number): void {
    for (let i = from; i < to; i++) this.rows.push(rows[i]!);
  }

  /** The oldest `count` rows (at most `length`), no longer held. */
  take(count: number): Row[] {
    return this.rows.splice(0, count);
  }
}
