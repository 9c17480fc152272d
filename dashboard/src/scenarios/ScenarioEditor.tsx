import type { Scenario, ScenarioPutBodyInput } from '@downspin/protocol';
import { useId, useState, type FormEvent } from 'react';
import { Dialog } from '../sessions/Dialog.js';
import { DialogFooter } from '../sessions/DialogFooter.js';
import { useDialogAction } from '../sessions/useDialogAction.js';
import { ProfilePartFields } from './ProfilePartFields.js';
import { EMPTY_SCENARIO_FORM, formOf, newStep, scenarioFromForm, type ScenarioForm, type StepForm } from './scenario-form.js';
import { TimelineAxis } from './TimelineAxis.js';

interface Props {
  /** The scenario to edit; a new one when absent. */
  scenario?: Scenario;
  save(name: string, body: ScenarioPutBodyInput): Promise<void>;
  onClose(): void;
}

/** Creates or edits a scenario: a profile, or timeline steps shown on a time axis as they are typed. */
export function ScenarioEditor({ scenario, save, onClose }: Props) {
  const [form, setForm] = useState<ScenarioForm>(() => (scenario ? formOf(scenario) : EMPTY_SCENARIO_FORM));
  const { error, setError, working, run } = useDialogAction(onClose);
  const id = useId();
  const preview = scenarioFromForm(form);
  const setStep = (index: number, step: StepForm) => setForm({ ...form, steps: form.steps.map((s, i) => (i === index ? step : s)) });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = scenarioFromForm(form);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    await run(() => save(result.name, result.body));
  }

  return (
    <Dialog title={scenario ? `Edit scenario ${scenario.name} (version ${scenario.version})` : 'New scenario'} onClose={onClose}>
      {() => (
        <form onSubmit={(e) => void submit(e)} noValidate className="profile-form scenario-form">
          <div className="field">
            <label htmlFor={`${id}-name`}>Name</label>
            <input id={`${id}-name`} value={form.name} readOnly={scenario !== undefined} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-description`}>Description</label>
            <input id={`${id}-description`} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
          </div>
          <fieldset className="segmented">
            <legend>Shapes with</legend>
            {(['profile', 'timeline'] as const).map((kind) => (
              <label key={kind} className={form.kind === kind ? 'checked' : undefined}>
                <input type="radio" name={`${id}-kind`} value={kind} checked={form.kind === kind} onChange={() => setForm({ ...form, kind })} />
                {kind === 'profile' ? 'A profile' : 'A timeline'}
              </label>
            ))}
          </fieldset>
          {form.kind === 'profile' ? (
            <ProfilePartFields label="Profile" part={form.profile} onChange={(profile) => setForm({ ...form, profile })} />
          ) : (
            <>
              <ol className="timeline-steps">
                {form.steps.map((step, i) => (
                  <li key={i}>
                    <div className="field">
                      <label htmlFor={`${id}-at-${i}`}>Step {i + 1} at (ms)</label>
                      <input id={`${id}-at-${i}`} inputMode="numeric" value={step.atMs} onChange={(e) => setStep(i, { ...step, atMs: e.target.value })} />
                    </div>
                    <ProfilePartFields label={`Step ${i + 1}`} part={step} onChange={(part) => setStep(i, { ...step, ...part })} />
                    <button type="button" className="quiet" disabled={form.steps.length === 1} onClick={() => setForm({ ...form, steps: form.steps.filter((_, j) => j !== i) })}>
                      Remove step {i + 1}
                    </button>
                  </li>
                ))}
              </ol>
              <button type="button" onClick={() => setForm({ ...form, steps: [...form.steps, newStep(lastAt(form.steps) + 5000)] })}>
                Add a step
              </button>
              {preview.ok && <TimelineAxis shaping={preview.shaping} label="Steps on a time axis" />}
            </>
          )}
          <DialogFooter error={error} working={working} submit={{ label: 'Save scenario', workingLabel: 'Saving…', tone: 'primary' }} onCancel={onClose} />
        </form>
      )}
    </Dialog>
  );
}

function lastAt(steps: readonly StepForm[]): number {
  const last = Number(steps[steps.length - 1]?.atMs);
  return Number.isFinite(last) ? last : 0;
}
