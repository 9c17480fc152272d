import { randomBytes } from 'node:crypto';
import type { RequestRow, RowPreparer, WsRow } from '@downspin/protocol';
import type { SpilledBatch } from './spill.js';
import type { TelemetryBatch, TelemetryKind } from './types.js';

export type RowOf<K extends TelemetryKind> = Extract<TelemetryBatch, { kind: K }>['rows'][number];

/** A batch on its way to the store. */
export interface Queued extends SpilledBatch {
  fromDisk: boolean;
  /** Times the store refused it as invalid. */
  rejections: number;
}


/** Rows prepared per event-loop turn: a burst never holds the loop for long. */
const PREPARE_CHUNK = 1000;

interface Pending<Row> {
  rows: Row[];
  sources: string[];
  /** rows[0, prepared) have been prepared. */
  prepared: number;
}

const pending = <Row>(): Pending<Row> => ({ rows: [], sources: [], prepared: 0 });

/**
 * Rows waiting in memory: per kind until a batch is full (or cut early by
 * the flush timer), then as numbered batches in arrival order. A batch id is
 * made once, here, and kept for good.
 */
export class BatchQueue {
  private readonly pending: { [K in TelemetryKind]: Pending<RowOf<K>> } = {
    requests: pending(),
    websockets: pending(),
    client_events: pending(),
  };
  private pendingRows = 0;
  private ready: Queued[] = [];
  private readyRows = 0;
  private readonly idPrefix = randomBytes(6).toString('hex');
  private nextId = 0;
  private preparer: RowPreparer | undefined;
  private prepareScheduled = false;

  /** @param onFull called (once per turn) when a kind has a full batch waiting to be cut */
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
    if ((length >= this.batchSize || length - into.prepared >= PREPARE_CHUNK) && !this.prepareScheduled) {
      // Off this call: the work is done on a later turn, a chunk at a time.
      this.prepareScheduled = true;
      setImmediate(this.prepareSome);
    }
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
    if (into.rows.length >= this.batchSize) this.cut(kind, false);
    return take;
  }

  /** Cuts every kind's waiting rows into batches, partial ones included. */
  cutAll(): void {
    this.cut('requests', true);
    this.cut('websockets', true);
    this.cut('client_events', true);
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

  /** Prepares up to a chunk of each kind's rows, cuts full batches, and comes back for the rest on a later turn. */
  private readonly prepareSome = (): void => {
    this.prepareScheduled = false;
    let more = false;
    let full = false;
    for (const kind of ['requests', 'websockets', 'client_events'] as const) {
      const into = this.pending[kind];
      this.prepare(kind, Math.min(into.rows.length, into.prepared + PREPARE_CHUNK));
      if (into.prepared >= this.batchSize) {
        this.cut(kind, false);
        full = true;
      }
      if (into.rows.length - into.prepared >= PREPARE_CHUNK || into.rows.length >= this.batchSize) more = true;
    }
    if (more && !this.prepareScheduled) {
      this.prepareScheduled = true;
      setImmediate(this.prepareSome);
    }
    if (full) this.onFull();
  };

  private prepare(kind: TelemetryKind, to: number): void {
    const into = this.pending[kind];
    if (to <= into.prepared) return;
    // Client events come whole from the control API, with nothing to compute.
    if (kind !== 'client_events') this.preparer?.(kind, into.rows as ReadonlyArray<RequestRow | WsRow>, into.sources, into.prepared, to);
    into.prepared = to;
  }

  private cut(kind: TelemetryKind, partial: boolean): void {
    const into = this.pending[kind];
    const ready = partial ? into.rows.length : Math.floor(into.rows.length / this.batchSize) * this.batchSize;
    if (ready === 0) return;
    this.prepare(kind, ready);
    let start = 0;
    while (start < ready) {
      const batchRows = into.rows.slice(start, start + this.batchSize);
      start += batchRows.length;
      const batch = { kind, id: `${this.idPrefix}-${(this.nextId++).toString(36)}`, rows: batchRows } as TelemetryBatch;
      this.ready.push({ batch, mayExist: false, fromDisk: false, rejections: 0 });
      this.pendingRows -= batchRows.length;
      this.readyRows += batchRows.length;
    }
    into.rows.splice(0, ready);
    into.sources.splice(0, ready);
    into.prepared -= ready;
  }
}
