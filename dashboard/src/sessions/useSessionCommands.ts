import { DEFAULT_DOWNSPIN_LATENCY_MS, type ApplyResponse, type NotifyType, type SessionView } from '@downspin/protocol';
import { useCallback, useState } from 'react';
import { useDashboard } from '../app/context.js';
import { describeApplied } from './outcome.js';

/**
 * The one-click commands of the grid. Each reports its outcome in words, and
 * hands the session the API answered with to `onApplied` so the row changes
 * at once. Dialog commands (notify, terminate, profile) reject with the
 * problem so their dialog can show it next to the fields.
 */
export function useSessionCommands(onApplied: (session: SessionView) => void) {
  const { client, notify, reportError } = useDashboard();
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());

  const mark = useCallback((hash: string, on: boolean) => {
    setBusy((all) => {
      const next = new Set(all);
      if (on) next.add(hash);
      else next.delete(hash);
      return next;
    });
  }, []);

  const apply = useCallback(
    async (hash: string, what: string, done: string, call: () => Promise<ApplyResponse>, rethrow = false) => {
      mark(hash, true);
      try {
        const result = await call();
        onApplied(result.session);
        const outcome = describeApplied(result.applied);
        notify(outcome.kind, `Session ${hash} ${done}: ${outcome.text}.`);
      } catch (error) {
        if (rethrow) throw error;
        reportError(`${what} session ${hash}`, error);
      } finally {
        mark(hash, false);
      }
    },
    [mark, notify, onApplied, reportError],
  );

  return {
    busy,
    upspin: (hash: string) => apply(hash, 'Upspin', 'is upspun (no added latency, no rate limit)', () => client.upspin(hash)),
    // The product's default latency, said here so the notice can name it.
    downspin: (hash: string) =>
      apply(hash, 'Downspin', `is downspun (+${DEFAULT_DOWNSPIN_LATENCY_MS / 1000} s per request)`, () => client.downspin(hash, DEFAULT_DOWNSPIN_LATENCY_MS)),
    terminate: (hash: string, reason: string) => apply(hash, 'Terminate', 'is terminated (403 from now on)', () => client.terminate(hash, reason), true),
    profile: (hash: string, body: unknown, label: string) => apply(hash, 'Apply a profile to', `now runs ${label}`, () => client.setProfile(hash, body), true),
    scenario: (hash: string, name: string) =>
      apply(hash, 'Apply a scenario to', `now runs scenario "${name}"`, () => client.applyScenario(hash, name), true),
    message: async (hash: string, text: string, type: NotifyType) => {
      await client.notify(hash, text, type);
      notify('success', `Message sent to session ${hash} (shown by the extension, if it is connected).`);
    },
  };
}
