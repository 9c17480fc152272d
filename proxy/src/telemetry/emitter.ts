import type { RequestRow, TelemetryTally, WsRow } from '@downspin/protocol';
import type { RowPreparer } from '@downspin/protocol';
import type { TelemetrySink } from './sink.js';
import { normalizeRoute } from './route.js';

/** Paths whose route is remembered, and the longest path that is. */
const ROUTE_CACHE = 4096;
const ROUTE_CACHE_PATH = 256;
/** Hosts remembered (an app has a few; past this many the cache starts afresh), and the longest host that is. */
const HOST_CACHE = 256;
const HOST_CACHE_LENGTH = 255;

/** A path as first seen, and its route. */
interface Known {
  path: string;
  route: string;
}

/**
 * The same text in a string of its own. A path cut from the request target
 * (`/items/7` of `/items/7?q=…`) is, in V8, a view that keeps the whole
 * target alive: a row holding it held a query string of up to 16 KiB that
 * the stores' byte bounds do not see (20,000 such rows from 8 KiB targets
 * held 157 MiB while the memory store counted 12.6). Joining makes a new flat
 * string; slicing that again keeps only it.
 */
function ownCopy(text: string): string {
  return (' ' + text).slice(1);
}

/**
 * What `make` makes of a text, remembered for the next equal text: up to
 * `limit` texts of at most `longest` characters (past `limit` it starts
 * afresh). `make` gets the text's own copy, and the copy is the key: a
 * request's string would keep its whole target alive (ownCopy).
 */
function remembered<T>(limit: number, longest: number, make: (own: string) => T): (text: string) => T {
  const seen = new Map<string, T>();
  return (text) => {
    let known = seen.get(text);
    if (known === undefined) {
      const own = ownCopy(text);
      known = make(own);
      if (text.length > longest) return known;
      if (seen.size >= limit) seen.clear();
      seen.set(own, known);
    }
    return known;
  };
}

export interface TelemetryEmitterOptions {
  sink: TelemetrySink | undefined;
  countryOf: (ip: string) => string;
}

/**
 * The proxy's end of telemetry: hands each row to the sink (THE queue, with
 * its one bound and drop counter) and tells the sink how to fill what is
 * computed off the request path: the route from the path and the country
 * from the client IP, done when the sink batches the rows, not per request.
 */
export class TelemetryEmitter {
  private readonly sink: TelemetrySink | undefined;

  constructor(options: TelemetryEmitterOptions) {
    this.sink = options.sink;
    const { countryOf } = options;
    // An app's paths repeat: a lookup costs a fifth of normalising again (split, four
    // regexps a segment, join). Bounded: past ROUTE_CACHE paths it starts afresh, so
    // a client sending a new path each time costs one Map of short paths at most.
    const knownPath = remembered(ROUTE_CACHE, ROUTE_CACHE_PATH, (path): Known => ({ path, route: normalizeRoute(path) }));
    const knownHost = remembered(HOST_CACHE, HOST_CACHE_LENGTH, (host) => host);
    const prepare: RowPreparer = (_kind, rows, sources, from, to) => {
      for (let i = from; i < to; i++) {
        const row = rows[i]!;
        const known = knownPath(row.path);
        // The remembered strings, not this request's: a row that waits for its batch (5 s for
        // ClickHouse) or stays in the memory store then points at no string of its own.
        row.path = known.path;
        row.route = known.route;
        row.host = knownHost(row.host);
        row.country = countryOf(sources[i]!);
      }
    };
    this.sink?.prepareWith(prepare);
  }

  /** False without a sink: callers can skip building rows. */
  get enabled(): boolean {
    return this.sink !== undefined;
  }

  /** `row.route` and `row.country` are filled later, off the request path. */
  request(row: RequestRow, ip: string): void {
    this.sink?.request(row, ip);
  }

  webSocket(row: WsRow, ip: string): void {
    this.sink?.webSocket(row, ip);
  }

  /** The queue's tallies, all from the one queue in the sink. */
  tally(): TelemetryTally {
    const sink = this.sink?.stats() ?? {};
    return {
      queued: sink.queued ?? 0,
      written: sink.written ?? 0,
      spilled: sink.spilled ?? 0,
      replayed: sink.replayed ?? 0,
      dropped: sink.dropped ?? 0,
    };
  }
}
