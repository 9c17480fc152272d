import { randomBytes } from 'node:crypto';
import type { SpilledBatch } from './spill.js';
import type { TelemetryBatch, TelemetryKind } from './types.js';

export type RowOf<K extends TelemetryKind> = Extract<TelemetryBatch, { kind: K }>['rows'][number];

/** A batch on its way to the store. */
export interface Queued extends SpilledBatch {
  fromDisk: boolean;
  /** Times the store refused it as invalid. */
  rejections: number;
}

/**
 * Rows waiting in memory: per kind until a batch is full (or cut early by
 * the flush timer), then as numbered batches in arrival order. A batch id is
 * made once, here, and kept for good.
 */
export class BatchQueue {
  private readonly pending: { [K in TelemetryKind]: Array<RowOf<K>> } = { requests: [], websockets: [], client_events: [] };
  private pendingRows = 0;
  private ready: Queued[] = [];
  private readyRows = 0;
  private readonly idPrefix = randomBytes(6).toString('hex');
  private nextId = 0;

  constructor(private readonly batchSize: number) {}

  /** Rows held, cut into batches or not. */
  get rows(): number {
    return this.pendingRows + this.readyRows;
  }

  get hasBatches(): boolean {
    return this.ready.length > 0;
  }

  /** Adds up to `limit` of the rows; returns how many it took. */
  add<K extends TelemetryKind>(kind: K, rows: ReadonlyArray<RowOf<K>>, limit: number): number {
    const take = Math.min(limit, rows.length);
    const into = this.pending[kind] as Array<RowOf<K>>;
    for (let i = 0; i < take; i++) into.push(rows[i]!);
    this.pendingRows += take;
    if (into.length >= this.batchSize) this.cut(kind, false);
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

  private cut(kind: TelemetryKind, partial: boolean): void {
    const rows = this.pending[kind];
    while (rows.length >= this.batchSize || (partial && rows.length > 0)) {
      const batchRows = rows.splice(0, this.batchSize);
      const batch = { kind, id: `${this.idPrefix}-${(this.nextId++).toString(36)}`, rows: batchRows } as TelemetryBatch;
      this.ready.push({ batch, mayExist: false, fromDisk: false, rejections: 0 });
      this.pendingRows -= batchRows.length;
      this.readyRows += batchRows.length;
    }
  }
}
