import { randomBytes } from 'node:crypto';
import type { RequestRow, RowPreparer, WsRow } from '@downspin/protocol';
import { RowHold } from './row-hold.js';
import type { SpilledBatch } from './spill.js';
import type { TelemetryBatch, TelemetryKind } from './types.js';

const KINDS = ['requests', 'websockets', 'client_events'] as const;

export type RowOf<K extends TelemetryKind> = Extract<TelemetryBatch, { kind: K }>['rows'][number];

/** A batch on its way to the store. */
export interface Queued extends SpilledBatch {
  fromDisk: boolean;
  /** Times the store refused it as invalid. */
  rejections: number;
}


/** Rows prepared, or taken out of a hold for a batch, per event-loop turn: a burst or a large batch never holds the loop for long. */
const PREPARE_CHUNK = 1000;

/** Unprepared rows that start a turn of preparing: a few hundred, so preparing never waits for a batch's worth. */
const HOLD_AFTER = 256;

interface Pending<Row> {
  /** Rows not yet prepared, newest last, and the source each was pushed with. */
  rows: Row[];
  sources: string[];
  /** Prepared rows, all older than `rows`. */
  hold: RowHold<Row>;
  /** The oldest rows, out of the hold and on their way into a batch, a chunk a turn. */
  cutting: Row[];
  /** Of the oldest rows, how many a flush asked to be cut (a partial batch at the end); full batches are cut anyway. */
  asked: number;
}

const pending = <Row>(hold: RowHold<Row>): Pending<Row> => ({ rows: [], sources: [], hold, cutting: [], asked: 0 });

const total = (into: Pending<unknown>): number => into.cutting.length + into.hold.length + into.rows.length;

/**
 * Rows waiting in memory: per kind until a batch is full (or cut early by
 * the flush timer), then as numbered batches in arrival order. A batch id is
 * made once, here, and kept for good. A pushed row is prepared (route,
 * country) and moved into its kind's hold a few hundred rows at a time, off
 * the push; a batch is taken out of the hold a chunk a turn.
 */
export class BatchQueue {
  private readonly pending: { [K in TelemetryKind]: Pending<RowOf<K>> } = {
    requests: pending(new RowHold<RequestRow>()),
    websockets: pending(new RowHold<WsRow>()),
    client_events: pending(new RowHold<RowOf<'client_events'>>()),
  };
  private pendingRows = 0;
  private ready: Queued[] = [];
  private readyRows = 0;
  private readonly idPrefix = randomBytes(6).toString('hex');
  private nextId = 0;
  private preparer: RowPreparer | undefined;
  private prepareScheduled = false;

  /** @param onFull called (once per turn) when batches were cut and wait to be sent */
  constructor(
    private readonly batchSize: number,
    private readonly onFull: () => void = () => undefined,
  ) {}

  /** Rows held, cut into batches or not. */
  get rows(): number {
    return this.pendingRows + this.readyRows;
  }

  get hasBatches(): boolean {
    return this.ready.length > 0;
  }

  prepareWith(preparer: RowPreparer): void {
    this.preparer = preparer;
  }

  /** One row (an array push: the proxy's hot path); `source` is what the preparer computes fields from. */
  push<K extends TelemetryKind>(kind: K, row: RowOf<K>, source: string): void {
    const into = this.pending[kind] as Pending<RowOf<K>>;
    const length = into.rows.push(row);
    into.sources.push(source);
    this.pendingRows++;
    // Off this call: the work is done on a later turn, a chunk at a time.
    if (length >= HOLD_AFTER || total(into) >= this.batchSize) this.schedule();
  }

  /** Adds up to `limit` of the rows (nothing to prepare); returns how many it took. */
  add<K extends TelemetryKind>(kind: K, rows: ReadonlyArray<RowOf<K>>, limit: number): number {
    const take = Math.min(limit, rows.length);
    const into = this.pending[kind] as Pending<RowOf<K>>;
    for (let i = 0; i < take; i++) {
      into.rows.push(rows[i]!);
      into.sources.push('');
    }
    this.pendingRows += take;
    if (total(into) >= this.batchSize) this.cut(kind, false);
    return take;
  }

  /**
   * Cuts every kind's waiting rows into batches, partial ones included, on
   * later turns a chunk at a time; `onFull` is called as batches are ready.
   */
  cutSoon(): void {
    for (const kind of KINDS) {
      const into = this.pending[kind];
      into.asked = total(into);
      if (into.asked > 0) this.schedule();
    }
  }

  /** Cuts every kind's waiting rows into batches, partial ones included, now. */
  cutAll(): void {
    for (const kind of KINDS) this.cut(kind, true);
  }

  shift(): Queued | undefined {
    const queued = this.ready.shift();
    if (queued !== undefined) this.readyRows -= queued.batch.rows.length;
    return queued;
  }

  /** Every row, as batches in order (for spilling or shutdown). */
  takeAll(): { batches: Queued[]; rows: number } {
    this.cutAll();
    const taken = { batches: this.ready, rows: this.readyRows };
    this.ready = [];
    this.readyRows = 0;
    return taken;
  }

  private schedule(): void {
    if (this.prepareScheduled) return;
    this.prepareScheduled = true;
    setImmediate(this.prepareSome);
  }

  /**
   * Per kind: prepares up to a chunk of new rows into the hold, and moves up
   * to a chunk of the oldest into the batch being cut when one is due (full,
   * or asked for); comes back on a later turn for the rest.
   */
  private readonly prepareSome = (): void => {
    this.prepareScheduled = false;
    let more = false;
    let cut = false;
    for (const kind of KINDS) {
      const into = this.pending[kind] as Pending<unknown>;
      this.prepare(kind, Math.min(into.rows.length, PREPARE_CHUNK));
      const due = Math.max(into.asked, Math.floor(total(into) / this.batchSize) * this.batchSize);
      if (due > 0) {
        // Rows a batch needs that are not prepared yet are prepared first (a flush can ask for them).
        const wanted = Math.min(due, this.batchSize) - into.cutting.length;
        this.prepare(kind, Math.min(into.rows.length, Math.max(0, wanted - into.hold.length), PREPARE_CHUNK));
        for (const row of into.hold.take(Math.min(wanted, PREPARE_CHUNK))) into.cutting.push(row);
        if (into.cutting.length >= Math.min(due, this.batchSize)) {
          into.asked = Math.max(0, into.asked - into.cutting.length);
          this.emit(kind, into.cutting);
          into.cutting = [];
          cut = true;
        }
      }
      if (into.rows.length >= HOLD_AFTER || into.asked > 0 || total(into) >= this.batchSize) more = true;
    }
    if (more) this.schedule();
    if (cut) this.onFull();
  };

  /** Prepares the oldest `count` unprepared rows and moves them into the hold. */
  private prepare(kind: TelemetryKind, count: number): void {
    if (count <= 0) return;
    const into = this.pending[kind];
    // Client events come whole from the control API, with nothing to compute.
    if (kind !== 'client_events') this.preparer?.(kind, into.rows as ReadonlyArray<RequestRow | WsRow>, into.sources, 0, count);
    (into.hold as RowHold<unknown>).hold(into.rows, 0, count);
    into.rows.splice(0, count);
    into.sources.splice(0, count);
  }

  /** Cuts a kind's full batches (and with `partial`, the rest) now. */
  private cut(kind: TelemetryKind, partial: boolean): void {
    const into = this.pending[kind];
    const all = total(into);
    const ready = partial ? all : Math.floor(all / this.batchSize) * this.batchSize;
    if (ready === 0) return;
    this.prepare(kind, Math.min(into.rows.length, ready - into.cutting.length - into.hold.length));
    let left = ready;
    while (left > 0) {
      const rows = into.cutting as unknown[];
      const n = Math.min(this.batchSize, left) - rows.length;
      for (const row of (into.hold as RowHold<unknown>).take(n)) rows.push(row);
      left -= rows.length;
      this.emit(kind, rows);
      into.cutting = [];
    }
    into.asked = Math.max(0, into.asked - ready);
  }

  /** Makes a batch of rows taken out of the kind's pending ones. A batch id is made here, once. */
  private emit(kind: TelemetryKind, rows: readonly unknown[]): void {
    const batch = { kind, id: `${this.idPrefix}-${(this.nextId++).toString(36)}`, rows } as TelemetryBatch;
    this.ready.push({ batch, mayExist: false, fromDisk: false, rejections: 0 });
    this.pendingRows -= rows.length;
    this.readyRows += rows.length;
  }
}
