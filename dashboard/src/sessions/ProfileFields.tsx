import { useId } from 'react';
import { DISTRIBUTIONS, type ProfileForm } from './profile-form.js';

interface FieldProps {
  label: string;
  name: keyof ProfileForm;
  form: ProfileForm;
  onChange(form: ProfileForm): void;
  unit?: string;
  placeholder?: string;
}

function Field({ label, name, form, onChange, unit, placeholder }: FieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {unit && <span className="unit"> ({unit})</span>}
      </label>
      <input
        id={id}
        type="text"
        inputMode={name === 'routes' ? 'text' : 'decimal'}
        value={form[name]}
        placeholder={placeholder}
        onChange={(e) => onChange({ ...form, [name]: e.target.value })}
      />
    </div>
  );
}

/** The custom profile's fields, grouped as the profile is (blank = not set). */
export function ProfileFields({ form, onChange }: { form: ProfileForm; onChange(form: ProfileForm): void }) {
  const distributionId = useId();
  const props = { form, onChange };
  return (
    <div className="profile-fields">
      <fieldset>
        <legend>Latency</legend>
        <Field label="Latency" name="latencyMs" unit="ms" placeholder="e.g. 400" {...props} />
        <Field label="Jitter" name="jitterMs" unit="ms" placeholder="e.g. 100" {...props} />
        <div className="field">
          <label htmlFor={distributionId}>Distribution</label>
          <select
            id={distributionId}
            value={form.distribution}
            onChange={(e) => onChange({ ...form, distribution: e.target.value as ProfileForm['distribution'] })}
          >
            {DISTRIBUTIONS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </div>
      </fieldset>
      <fieldset>
        <legend>Bandwidth</legend>
        <Field label="Download" name="downKbps" unit="kbit/s" placeholder="e.g. 750" {...props} />
        <Field label="Upload" name="upKbps" unit="kbit/s" placeholder="e.g. 250" {...props} />
      </fieldset>
      <fieldset>
        <legend>Rate limit</legend>
        <Field label="Requests per second" name="rps" placeholder="e.g. 5" {...props} />
        <Field label="Burst" name="burst" placeholder="e.g. 10" {...props} />
      </fieldset>
      <fieldset>
        <legend>Faults</legend>
        <Field label="Error rate" name="errorRatePercent" unit="%" placeholder="e.g. 10" {...props} />
        <Field label="Error status" name="status" placeholder="e.g. 503" {...props} />
        <Field label="Reset rate" name="resetRatePercent" unit="%" placeholder="e.g. 2" {...props} />
        <Field label="Timeout rate" name="timeoutRatePercent" unit="%" placeholder="e.g. 0" {...props} />
        <Field label="Fail first" name="failFirst" unit="requests" placeholder="e.g. 0" {...props} />
      </fieldset>
      <fieldset>
        <legend>Scope</legend>
        <Field label="Routes" name="routes" unit="globs, comma-separated" placeholder="e.g. /api/** or api.example.com/**" {...props} />
        <Field label="Seed" name="seed" placeholder="e.g. 42" {...props} />
      </fieldset>
    </div>
  );
}
