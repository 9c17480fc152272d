import { explainScenarioShaping } from '@downspin/protocol';
import { useId } from 'react';
import { TimelineAxis } from './TimelineAxis.js';
import { useScenarios } from './useScenarios.js';

/** Picks a stored scenario by name, showing what it shapes (a timeline on its time axis). */
export function ScenarioPicker({ name, onChange }: { name: string; onChange(name: string): void }) {
  const { scenarios, error } = useScenarios();
  const id = useId();
  if (error) return <p className="message error">The control API could not list the scenarios: {error}</p>;
  if (scenarios === null) return <p className="muted">Loading scenarios…</p>;
  if (scenarios.length === 0) return <p className="muted">No scenarios yet: make one under Scenarios.</p>;
  const chosen = scenarios.find((s) => s.name === name);
  return (
    <div className="field">
      <label htmlFor={`${id}-scenario`}>Scenario</label>
      <select id={`${id}-scenario`} value={chosen?.name ?? ''} onChange={(e) => onChange(e.target.value)}>
        <option value="" disabled>
          Choose a scenario
        </option>
        {scenarios.map((s) => (
          <option key={s.name} value={s.name}>
            {s.name} (v{s.version})
          </option>
        ))}
      </select>
      {chosen && (
        <>
          <p className="hint">{[chosen.description, explainScenarioShaping(chosen.shaping)].filter(Boolean).join(' — ')}</p>
          <TimelineAxis shaping={chosen.shaping} label={`Steps of ${chosen.name}`} />
        </>
      )}
    </div>
  );
}
