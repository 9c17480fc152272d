/**
 * A walk over a Map in insertion order that resumes where it stopped, and
 * starts again from the oldest entry after the newest.
 *
 * Why not a fresh `for…of` each time: V8 leaves a hole for each deleted
 * entry until it next compacts the Map, and every fresh walk from the front
 * steps over all of them. With a full session table and a client that keeps
 * no cookie (a new session per request, the oldest evicted for it), each
 * eviction walked tens of thousands of holes: 1 µs grew to 70+ µs, and the
 * proxy's throughput halved within a minute (#16). A Map iterator lives on
 * across deletes, inserts and rehashes (the spec says so), so a cursor passes
 * each slot once per round.
 */
export class MapCursor<K, V> {
  private iterator: MapIterator<[K, V]>;

  constructor(private readonly map: Map<K, V>) {
    this.iterator = map.entries();
  }

  /** The next entry; undefined when the map is empty. */
  next(): [K, V] | undefined {
    let step = this.iterator.next();
    if (step.done === true) {
      this.iterator = this.map.entries();
      step = this.iterator.next();
      if (step.done === true) return undefined;
    }
    return step.value;
  }
}
