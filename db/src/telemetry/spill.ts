import { appendFile, mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { errorText } from './errors.js';
import type { TelemetryBatch } from './types.js';

/** A batch as kept on disk; `mayExist` survives so a retry stays idempotent after a restart. */
export interface SpilledBatch {
  batch: TelemetryBatch;
  mayExist: boolean;
}

interface Segment {
  seq: number;
  bytes: number;
  rows: number;
}

export interface SpillQueueOptions {
  /** Most bytes all segments together may hold; batches past it are dropped. */
  maxBytes: number;
  /** A segment is closed for appending past this size (and read whole when replayed). */
  segmentBytes: number;
  logger: Logger;
}

const SEGMENT_FILE = /^(\d{16})\.ndjson$/;
const name = (seq: number) => `${String(seq).padStart(16, '0')}.ndjson`;

/**
 * An append-only queue of batches on disk: NDJSON segment files, one batch
 * per line, replayed oldest first. Every operation runs in call order on
 * one promise chain, so appends and reads never interleave.
 *
 * Lines reach the OS with each append: a process crash loses nothing that
 * was appended; a machine crash may lose the last moments (no fsync).
 */
export class SpillQueue {
  private readonly segments: Segment[] = [];
  private appendTo: Segment | undefined;
  private nextSeq = 1;
  private chain: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private lockHeld = false;
  private fromPreviousRun = new Set<number>();

  constructor(
    readonly dir: string,
    private readonly options: SpillQueueOptions,
  ) {}

  /**
   * Takes the directory (a lock file keeps a second live process out) and
   * finds segments a previous process left: their batches are marked
   * `mayExist`, as that process may have been replaying them.
   * Returns false when another live process holds the directory.
   */
  async open(): Promise<boolean> {
    await mkdir(this.dir, { recursive: true });
    if (!(await this.lock())) return false;
    for (const file of (await readdir(this.dir)).sort()) {
      const match = SEGMENT_FILE.exec(file);
      if (match === null) continue;
      const seq = Number(match[1]);
      const bytes = (await stat(path.join(this.dir, file))).size;
      const rows = (await this.read(seq)).reduce((sum, item) => sum + item.batch.rows.length, 0);
      this.segments.push({ seq, bytes, rows });
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
    }
    this.fromPreviousRun = new Set(this.segments.map((s) => s.seq));
    return true;
  }

  /** Rows in segments not yet taken for replay. */
  get rows(): number {
    return this.segments.reduce((sum, s) => sum + s.rows, 0);
  }

  get bytes(): number {
    return this.segments.reduce((sum, s) => sum + s.bytes, 0);
  }

  /** True when nothing is on disk and no append is on its way there. */
  get isEmpty(): boolean {
    return this.segments.length === 0 && this.pending === 0;
  }

  /** Resolves once every operation called so far has finished. */
  idle(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  /** Appends batches in order; returns how many rows went to disk and how many were dropped (full or failing disk). */
  append(items: SpilledBatch[]): Promise<{ spilled: number; dropped: number }> {
    this.pending++;
    return this.enqueue(async () => {
      try {
        return await this.write(items);
      } finally {
        this.pending--;
      }
    });
  }

  /** Reads the oldest segment whole (closing it for appends); undefined when none. */
  takeOldest(): Promise<{ seq: number; items: SpilledBatch[] } | undefined> {
    return this.enqueue(async () => {
      const segment = this.segments.shift();
      if (segment === undefined) return undefined;
      if (this.appendTo === segment) this.appendTo = undefined;
      const items = await this.read(segment.seq);
      if (this.fromPreviousRun.has(segment.seq)) for (const item of items) item.mayExist = true;
      return { seq: segment.seq, items };
    });
  }

  /** Deletes a replayed segment. */
  remove(seq: number): Promise<void> {
    return this.enqueue(() => rm(path.join(this.dir, name(seq)), { force: true }));
  }

  async close(): Promise<void> {
    await this.idle();
    if (this.lockHeld) await rm(path.join(this.dir, 'lock'), { force: true });
    this.lockHeld = false;
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.chain.then(operation);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private async write(items: SpilledBatch[]): Promise<{ spilled: number; dropped: number }> {
    let spilled = 0;
    let dropped = 0;
    for (const item of items) {
      const line = `${JSON.stringify({ ...item.batch, mayExist: item.mayExist })}\n`;
      const bytes = Buffer.byteLength(line);
      const rows = item.batch.rows.length;
      if (this.bytes + bytes > this.options.maxBytes) {
        dropped += rows;
        continue;
      }
      if (this.appendTo === undefined || this.appendTo.bytes >= this.options.segmentBytes) {
        this.appendTo = { seq: this.nextSeq++, bytes: 0, rows: 0 };
        this.segments.push(this.appendTo);
      }
      try {
        await appendFile(path.join(this.dir, name(this.appendTo.seq)), line);
        this.appendTo.bytes += bytes;
        this.appendTo.rows += rows;
        spilled += rows;
      } catch (error) {
        this.options.logger.error({ err: errorText(error), dir: this.dir }, 'telemetry spill write failed; rows dropped');
        dropped += rows;
      }
    }
    return { spilled, dropped };
  }

  private async read(seq: number): Promise<SpilledBatch[]> {
    const text = await readFile(path.join(this.dir, name(seq)), 'utf8').catch(() => '');
    const items: SpilledBatch[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const { mayExist, ...batch } = JSON.parse(line) as TelemetryBatch & { mayExist?: boolean };
        if (!['requests', 'websockets', 'client_events'].includes(batch.kind) || !Array.isArray(batch.rows)) throw new Error('not a batch');
        items.push({ batch, mayExist: mayExist === true });
      } catch (error) {
        // A line cut short by a crash mid-append: its rows cannot be recovered.
        this.options.logger.error({ err: errorText(error), segment: name(seq) }, 'unreadable telemetry spill line skipped');
      }
    }
    return items;
  }

  /** A lock file naming our pid; a stale one (its process gone) is taken over. */
  private async lock(): Promise<boolean> {
    const file = path.join(this.dir, 'lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(file, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        this.lockHeld = true;
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number(await readFile(file, 'utf8').catch(() => ''));
        // Our own pid means another queue in this process has the directory.
        if (owner > 0 && (owner === process.pid || isAlive(owner))) return false;
        await rm(file, { force: true });
      }
    }
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
