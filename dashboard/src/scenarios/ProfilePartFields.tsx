import { PRESET_DEFINITIONS, PRESET_NAMES, type PresetName } from '@downspin/protocol';
import { useId } from 'react';
import type { ProfilePart } from './scenario-form.js';

/** A preset, or a profile as JSON: the scenario's own, or one timeline step's. */
export function ProfilePartFields({ part, onChange, label }: { part: ProfilePart; onChange(part: ProfilePart): void; label: string }) {
  const id = useId();
  return (
    <div className="profile-part">
      <div className="field">
        <label htmlFor={`${id}-source`}>{label} from</label>
        <select id={`${id}-source`} value={part.source} onChange={(e) => onChange({ ...part, source: e.target.value as ProfilePart['source'] })}>
          <option value="preset">a preset</option>
          <option value="json">a profile (JSON)</option>
        </select>
      </div>
      {part.source === 'preset' ? (
        <div className="field">
          <label htmlFor={`${id}-preset`}>{label} preset</label>
          <select id={`${id}-preset`} value={part.preset} onChange={(e) => onChange({ ...part, preset: e.target.value as PresetName })}>
            {PRESET_NAMES.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
          <p className="hint">{PRESET_DEFINITIONS[part.preset].description}</p>
        </div>
      ) : (
        <div className="field">
          <label htmlFor={`${id}-json`}>{label} profile (JSON)</label>
          <textarea id={`${id}-json`} rows={4} className="mono" spellCheck={false} value={part.json} onChange={(e) => onChange({ ...part, json: e.target.value })} />
        </div>
      )}
    </div>
  );
}
