interface Props {
  /** The problem of the last try, announced to screen readers. */
  error: string | null;
  /** Its element id, for a field's aria-describedby. */
  errorId?: string;
  /** A command is on its way: the submit button waits. */
  working: boolean;
  submit: { label: string; workingLabel: string; tone: 'primary' | 'danger' };
  onCancel(): void;
  /** Focus Cancel first (before a destructive submit). */
  cancelFirst?: boolean;
}

/** The end of a command dialog's form: the problem in words, then Cancel and the submit button. */
export function DialogFooter({ error, errorId, working, submit, onCancel, cancelFirst = false }: Props) {
  return (
    <>
      {error && (
        <p id={errorId} className="message error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel} data-autofocus={cancelFirst || undefined}>
          Cancel
        </button>
        <button type="submit" className={submit.tone} disabled={working}>
          {working ? submit.workingLabel : submit.label}
        </button>
      </div>
    </>
  );
}
