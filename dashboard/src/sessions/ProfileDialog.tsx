import { PRESET_DEFINITIONS, PRESET_NAMES, type PresetName } from '@downspin/protocol';
import { useId, useState, type FormEvent } from 'react';
import { ScenarioPicker } from '../scenarios/ScenarioPicker.js';
import { Dialog } from './Dialog.js';
import { DialogFooter } from './DialogFooter.js';
import { ProfileFields } from './ProfileFields.js';
import { EMPTY_PROFILE_FORM, profileFromForm, profileFromJson, type ProfileForm } from './profile-form.js';
import { useDialogAction } from './useDialogAction.js';

type Source = 'preset' | 'scenario' | 'custom' | 'json';

interface Props {
  hash: string;
  /** Sends `{ preset }` or `{ profile }`; `label` names it in the outcome message. */
  apply(body: unknown, label: string): Promise<void>;
  /** Applies a stored scenario by name. */
  applyScenario(name: string): Promise<void>;
  onClose(): void;
}

const SOURCES: { id: Source; label: string }[] = [
  { id: 'preset', label: 'Preset' },
  { id: 'scenario', label: 'Scenario' },
  { id: 'custom', label: 'Custom' },
  { id: 'json', label: 'JSON' },
];

/** The profile picker: a preset, or a custom profile (fields or JSON) checked with the protocol's schema before it is sent. */
export function ProfileDialog({ hash, apply, applyScenario, onClose }: Props) {
  const [source, setSource] = useState<Source>('preset');
  const [preset, setPreset] = useState<PresetName>('slow-3g');
  const [scenario, setScenario] = useState('');
  const [form, setForm] = useState<ProfileForm>(EMPTY_PROFILE_FORM);
  const [json, setJson] = useState('{\n  "latency": { "ms": 400, "jitterMs": 100 }\n}');
  const { error, setError, working, run } = useDialogAction(onClose);
  const id = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (source === 'scenario') {
      if (scenario === '') setError('Choose a scenario.');
      else await run(() => applyScenario(scenario));
      return;
    }
    let body: unknown;
    let label: string;
    if (source === 'preset') {
      body = { preset };
      label = `the ${preset} preset`;
    } else {
      const result = source === 'custom' ? profileFromForm(form) : profileFromJson(json);
      if (!result.ok) {
        setError(result.error);
        return;
      }
      body = { profile: result.profile };
      label = 'a custom profile';
    }
    await run(() => apply(body, label));
  }

  return (
    <Dialog title={`Shaping profile for session ${hash}`} onClose={onClose}>
      {() => (
        <form onSubmit={(e) => void submit(e)} noValidate className="profile-form">
          <fieldset className="segmented">
            <legend>Profile from</legend>
            {SOURCES.map((s) => (
              <label key={s.id} className={source === s.id ? 'checked' : undefined}>
                <input type="radio" name={`${id}-source`} value={s.id} checked={source === s.id} onChange={() => setSource(s.id)} />
                {s.label}
              </label>
            ))}
          </fieldset>
          {source === 'preset' && (
            <div className="field">
              <label htmlFor={`${id}-preset`}>Preset</label>
              <select id={`${id}-preset`} value={preset} onChange={(e) => setPreset(e.target.value as PresetName)} aria-describedby={`${id}-preset-help`}>
                {PRESET_NAMES.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
              <p id={`${id}-preset-help`} className="hint">
                {PRESET_DEFINITIONS[preset].description}
              </p>
            </div>
          )}
          {source === 'scenario' && <ScenarioPicker name={scenario} onChange={setScenario} />}
          {source === 'custom' && <ProfileFields form={form} onChange={setForm} />}
          {source === 'json' && (
            <div className="field">
              <label htmlFor={`${id}-json`}>Profile (JSON, as in the README)</label>
              <textarea id={`${id}-json`} rows={8} className="mono" spellCheck={false} value={json} onChange={(e) => setJson(e.target.value)} />
            </div>
          )}
          <DialogFooter error={error} working={working} submit={{ label: source === 'scenario' ? 'Apply scenario' : 'Apply profile', workingLabel: 'Applying…', tone: 'primary' }} onCancel={onClose} />
        </form>
      )}
    </Dialog>
  );
}
