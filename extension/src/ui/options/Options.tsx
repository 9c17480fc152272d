import { useEffect, useState, type FormEvent } from 'react';
import browser from 'webextension-polyfill';
import { neededPermissions } from '../../shared/origins.js';
import { DEFAULT_SETTINGS, SettingsSchema, settingsOrDefaults, taggedOrigins, type Settings } from '../../shared/settings.js';
import { STORAGE_KEYS } from '../../shared/storage-keys.js';

interface Form {
  proxyOrigins: string;
  controlUrl: string;
  forwardHosts: string;
  forwardProxy: string;
  batchSize: string;
  flushIntervalMs: string;
}

const toForm = (settings: Settings): Form => ({
  proxyOrigins: settings.proxyOrigins.join('\n'),
  controlUrl: settings.controlUrl,
  forwardHosts: settings.forwardHosts.join('\n'),
  forwardProxy: settings.forwardProxy,
  batchSize: String(settings.batchSize),
  flushIntervalMs: String(settings.flushIntervalMs),
});

/** Reads the form; numbers that are not numbers stay strings so the schema names them. */
function fromForm(form: Form): unknown {
  const number = (text: string): number | string => (/^\s*\d+\s*$/.test(text) ? Number(text) : text);
  return {
    proxyOrigins: form.proxyOrigins.split(/[\s,]+/).filter((line) => line !== ''),
    controlUrl: form.controlUrl,
    forwardHosts: form.forwardHosts.split(/[\s,]+/).filter((line) => line !== ''),
    forwardProxy: form.forwardProxy,
    batchSize: number(form.batchSize),
    flushIntervalMs: number(form.flushIntervalMs),
  };
}

/** The options page: proxy origins and the control API URL (and event batching). */
export function Options() {
  const [form, setForm] = useState<Form>(toForm(DEFAULT_SETTINGS));
  const [errors, setErrors] = useState<string[]>([]);
  const [status, setStatus] = useState('');

  useEffect(() => {
    browser.storage.local.get(STORAGE_KEYS.settings).then(
      (stored) => setForm(toForm(settingsOrDefaults(stored[STORAGE_KEYS.settings]))),
      () => undefined,
    );
  }, []);

  const save = (event: FormEvent): void => {
    event.preventDefault();
    setStatus('');
    const parsed = SettingsSchema.safeParse(fromForm(form));
    if (!parsed.success) {
      setErrors(parsed.error.issues.map((issue) => `${fieldName(issue.path)}: ${issue.message}`));
      return;
    }
    setErrors([]);
    const settings = parsed.data;
    // Requested straight from the click (a user gesture); origins granted already are not asked again.
    browser.permissions
      .request({ origins: neededPermissions(taggedOrigins(settings), settings.controlUrl) })
      .then(async (granted) => {
        if (!granted) {
          setErrors(['downspin needs access to these origins to add the session header and reach the control API. Nothing was saved.']);
          return;
        }
        await browser.storage.local.set({ [STORAGE_KEYS.settings]: settings });
        setForm(toForm(settings));
        setStatus('Saved.');
      })
      .catch((error: unknown) => setErrors([`Could not save: ${error instanceof Error ? error.message : String(error)}`]));
  };

  const field = (key: keyof Form) => ({
    value: form[key],
    onChange: (e: { currentTarget: { value: string } }) => {
      const value = e.currentTarget.value;
      setForm((current) => ({ ...current, [key]: value }));
    },
  });

  return (
    <main className="options">
      <h1>downspin options</h1>
      <form onSubmit={save} noValidate>
        <label className="field">
          <span>Proxy origins</span>
          <textarea data-testid="proxy-origins" rows={3} spellCheck={false} {...field('proxyOrigins')} />
          <small>One per line, e.g. http://localhost:8080. Your session header goes to these origins only.</small>
        </label>
        <label className="field">
          <span>Control API URL</span>
          <input type="url" data-testid="control-url" spellCheck={false} {...field('controlUrl')} />
          <small>Where the command channel (/ws/client) and /events are, e.g. http://localhost:8081.</small>
        </label>
        <h2>Route these hosts through downspin</h2>
        <label className="field">
          <span>Hosts</span>
          <textarea data-testid="forward-hosts" rows={3} spellCheck={false} placeholder="api.staging.example.com" {...field('forwardHosts')} />
          <small>
            One per line. With your consent, the browser sends these hosts (and only these) through the downspin proxy, which must
            intercept them (<code>--intercept</code>), and their requests carry your session. The browser must trust downspin&apos;s
            CA (<code>downspin ca</code>).
          </small>
        </label>
        <label className="field">
          <span>Proxy address</span>
          <input data-testid="forward-proxy" spellCheck={false} {...field('forwardProxy')} />
          <small>The downspin proxy&apos;s host:port, e.g. 127.0.0.1:8080.</small>
        </label>
        <h2>Page events (only when switched on in the popup)</h2>
        <label className="field">
          <span>Batch size</span>
          <input type="number" min={1} max={100} data-testid="batch-size" {...field('batchSize')} />
        </label>
        <label className="field">
          <span>Flush interval (ms)</span>
          <input type="number" min={250} max={60000} data-testid="flush-interval" {...field('flushIntervalMs')} />
        </label>
        {errors.length > 0 && (
          <ul className="errors" data-testid="errors" role="alert">
            {errors.map((error) => (
              <li key={error}>{error}</li>
            ))}
          </ul>
        )}
        <div className="actions">
          <button type="submit" data-testid="save">
            Save
          </button>
          <span data-testid="status" role="status">
            {status}
          </span>
        </div>
      </form>
    </main>
  );
}

function fieldName(path: PropertyKey[]): string {
  const names: Record<string, string> = {
    proxyOrigins: 'Proxy origins',
    controlUrl: 'Control API URL',
    forwardHosts: 'Hosts',
    forwardProxy: 'Proxy address',
    batchSize: 'Batch size',
    flushIntervalMs: 'Flush interval',
  };
  const [first, index] = path;
  const name = names[String(first)] ?? String(first);
  return typeof index === 'number' ? `${name} (line ${index + 1})` : name;
}
