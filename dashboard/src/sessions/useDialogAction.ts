import { useState } from 'react';
import { describeError } from '../api/problem.js';

/**
 * What a command dialog does on submit: `run` sends the command, closes the
 * dialog once it went through, or shows the problem in words and lets the
 * user try again. `setError` is for problems found before sending.
 */
export function useDialogAction(onClose: () => void) {
  const [error, setError] = useState<string | null>(null);
  const [working, setWorking] = useState(false);

  async function run(command: () => Promise<void>): Promise<void> {
    setWorking(true);
    setError(null);
    try {
      await command();
      onClose();
    } catch (problem) {
      setError(describeError(problem));
      setWorking(false);
    }
  }

  return { error, setError, working, run };
}
