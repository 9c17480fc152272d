import { useId, useState, type FormEvent } from 'react';
import { Dialog } from './Dialog.js';
import { DialogFooter } from './DialogFooter.js';
import { useDialogAction } from './useDialogAction.js';

interface Props {
  hash: string;
  terminate(reason: string): Promise<void>;
  onClose(): void;
}

/** Terminate asks first: every further request of the session gets 403. */
export function TerminateDialog({ hash, terminate, onClose }: Props) {
  const [reason, setReason] = useState('');
  const { error, working, run } = useDialogAction(onClose);
  const id = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    await run(() => terminate(reason));
  }

  return (
    <Dialog title={`Terminate session ${hash}?`} onClose={onClose}>
      {() => (
        <form onSubmit={(e) => void submit(e)} noValidate>
          <p>
            Every further request from this session gets <strong>403</strong>, its open WebSockets close, and the extension tells the
            user.
          </p>
          <label htmlFor={`${id}-reason`}>Reason (optional, shown to the user)</label>
          <input
            id={`${id}-reason`}
            type="text"
            maxLength={500}
            placeholder="Session ended by an operator"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <DialogFooter
            error={error}
            working={working}
            submit={{ label: 'Terminate session', workingLabel: 'Terminating…', tone: 'danger' }}
            onCancel={onClose}
            cancelFirst
          />
        </form>
      )}
    </Dialog>
  );
}
