import { NOTIFY_TYPES, type NotifyType } from '@downspin/protocol';
import { useId, useState, type FormEvent } from 'react';
import { Dialog } from './Dialog.js';
import { DialogFooter } from './DialogFooter.js';
import { useDialogAction } from './useDialogAction.js';

interface Props {
  hash: string;
  send(message: string, type: NotifyType): Promise<void>;
  onClose(): void;
}

/** Notify: a message box shown in the user's page by the extension. */
export function NotifyDialog({ hash, send, onClose }: Props) {
  const [message, setMessage] = useState('');
  const [type, setType] = useState<NotifyType>('info');
  const { error, working, run } = useDialogAction(onClose);
  const id = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    await run(() => send(message, type));
  }

  return (
    <Dialog title={`Notify session ${hash}`} onClose={onClose}>
      {() => (
        <form onSubmit={(e) => void submit(e)} noValidate>
          <p className="muted">The extension shows this as a toast in the user's page.</p>
          <label htmlFor={`${id}-message`}>Message</label>
          <textarea
            id={`${id}-message`}
            rows={3}
            maxLength={500}
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            data-autofocus
            aria-invalid={error !== null}
            aria-describedby={error ? `${id}-error` : undefined}
          />
          <label htmlFor={`${id}-type`}>Type</label>
          <select id={`${id}-type`} value={type} onChange={(e) => setType(e.target.value as NotifyType)}>
            {NOTIFY_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <DialogFooter
            error={error}
            errorId={`${id}-error`}
            working={working}
            submit={{ label: 'Send message', workingLabel: 'Sending…', tone: 'primary' }}
            onCancel={onClose}
          />
        </form>
      )}
    </Dialog>
  );
}
