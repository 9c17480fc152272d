import type { ScenarioShaping } from '@downspin/protocol';
import { axisOf } from './scenario-form.js';

/** A timeline's steps on a time axis: one band per step, from its time to the next step's. Nothing for a profile. */
export function TimelineAxis({ shaping, label }: { shaping: ScenarioShaping; label: string }) {
  const steps = axisOf(shaping);
  if (steps.length === 0) return null;
  return (
    <figure className="timeline-axis">
      <ol aria-label={label}>
        {steps.map((step, i) => (
          <li key={i} style={{ left: `${step.leftPercent}%`, width: `${step.widthPercent}%` }} title={step.words} data-step={i + 1}>
            <span className="timeline-at">+{(step.atMs / 1000).toLocaleString(undefined, { maximumFractionDigits: 3 })} s</span>
            <span className="timeline-words">{step.words}</span>
          </li>
        ))}
      </ol>
    </figure>
  );
}
