import { useId, useState, type FormEvent } from 'react';
import { ControlClient } from '../api/client.js';
import { describeError } from '../api/problem.js';

interface Props {
  /** Why the key is asked for again (e.g. it stopped working), shown above the form. */
  notice: string | null;
  onAccepted(key: string): void;
}

/** Asks for the admin key once and checks it against the API before keeping it. */
export function KeyForm({ notice, onAccepted }: Props) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = key.trim();
    if (trimmed === '') {
      setError('Paste the admin key first.');
      return;
    }
    setChecking(true);
    setError(null);
    try {
      await new ControlClient(trimmed).stats();
      onAccepted(trimmed);
    } catch (problem) {
      setError(describeError(problem));
      setChecking(false);
    }
  }

  return (
    <main className="key-page">
      <form className="key-card" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${inputId}-title`}>
        <h1 id={`${inputId}-title`} className="brand">
          <span className="brand-mark" aria-hidden="true" />
          downspin
        </h1>
        <p className="muted">Sign in to the dashboard with the control API's admin key.</p>
        {notice && (
          <p className="message warning" role="status">
            {notice}
          </p>
        )}
        <label htmlFor={inputId}>Admin key</label>
        <input
          id={inputId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-describedby={`${hintId}${error ? ` ${errorId}` : ''}`}
          aria-invalid={error !== null}
        />
        <p id={hintId} className="hint">
          <code>downspin start</code> prints it and keeps it in <code>.downspin/admin-key</code>. It is kept for this browser tab only.
        </p>
        {error && (
          <p id={errorId} className="message error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={checking}>
          {checking ? 'Checking…' : 'Open dashboard'}
        </button>
      </form>
    </main>
  );
}
