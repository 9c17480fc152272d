/** A phase as the user configures it. */
export interface PhaseSpec {
  name: PhaseName;
  /** Target requests per second (0: a pause). */
  rps: number;
  /** Whole seconds, so phases line up with the per-second report. */
  seconds: number;
}

export type PhaseName = 'base' | 'spike' | 'cooldown';

/** A phase placed on the run's timeline. */
export interface PlannedPhase extends PhaseSpec {
  startMs: number;
  endMs: number;
  /** Index of the phase's first request in the whole run. */
  firstIndex: number;
  /** Requests the phase schedules: ⌊rps × seconds⌋. */
  count: number;
}

// Guards ⌊⌋ against binary fractions (0.1 × 30 = 3.0000000000000004 is fine, 2.9999999 is not).
const EPSILON = 1e-9;

/**
 * When each request of an open-model run is due: request j of a phase is due
 * at `startMs + j × 1000 / rps`, whether or not earlier ones have answered.
 * Pure and clock-free: times are milliseconds since the run started.
 *
 * @example
 * const plan = new LoadPlan([{ name: 'base', rps: 10, seconds: 2 }]);
 * plan.dueBy(150) // 2: the requests due at 0 ms and 100 ms
 */
export class LoadPlan {
  readonly phases: readonly PlannedPhase[];
  readonly durationMs: number;
  readonly totalRequests: number;

  constructor(specs: readonly PhaseSpec[]) {
    const phases: PlannedPhase[] = [];
    let startMs = 0;
    let firstIndex = 0;
    for (const spec of specs) {
      const count = spec.rps > 0 ? Math.floor(spec.rps * spec.seconds + EPSILON) : 0;
      const endMs = startMs + spec.seconds * 1000;
      phases.push({ ...spec, startMs, endMs, firstIndex, count });
      startMs = endMs;
      firstIndex += count;
    }
    this.phases = phases;
    this.durationMs = startMs;
    this.totalRequests = firstIndex;
  }

  /** How many requests are due at or before `elapsedMs`. */
  dueBy(elapsedMs: number): number {
    let due = 0;
    for (const phase of this.phases) {
      if (elapsedMs < phase.startMs || phase.count === 0) continue;
      due += Math.min(phase.count, Math.floor(((elapsedMs - phase.startMs) * phase.rps) / 1000 + EPSILON) + 1);
    }
    return due;
  }

  /** When request `index` (0-based, whole run) is due; Infinity past the last one. */
  timeOf(index: number): number {
    const phase = this.phaseOfRequest(index);
    if (!phase) return Infinity;
    return phase.startMs + ((index - phase.firstIndex) * 1000) / phase.rps;
  }

  /** The phase that schedules request `index`. */
  phaseOfRequest(index: number): PlannedPhase | undefined {
    return this.phases.find((phase) => index >= phase.firstIndex && index < phase.firstIndex + phase.count);
  }

  /** The phase running at `elapsedMs` (undefined once every phase is over). */
  phaseAt(elapsedMs: number): PlannedPhase | undefined {
    return this.phases.find((phase) => elapsedMs >= phase.startMs && elapsedMs < phase.endMs);
  }
}
