import type { Scenario } from '@downspin/protocol';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../api/problem.js';
import { useDashboard } from '../app/context.js';

/** The stored scenarios, read when mounted and again on `reload()`; `error` in words when the API could not answer. */
export function useScenarios() {
  const { client } = useDashboard();
  const [scenarios, setScenarios] = useState<Scenario[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      setScenarios(await client.scenarios());
      setError(null);
    } catch (problem) {
      setError(describeError(problem));
    }
  }, [client]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { scenarios, error, reload };
}
