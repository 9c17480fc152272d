import { useEffect, useRef, useState } from 'react';
import type { ConnectionStatus } from '../live/connection.js';

/** A short badge for the header. */
export function ConnectionBadge({ status }: { status: ConnectionStatus }) {
  const [label, tone] =
    status.state === 'open'
      ? ['Live', 'ok']
      : status.state === 'disconnected'
        ? ['Disconnected', 'bad']
        : status.state === 'connecting'
          ? status.attempt > 0
            ? ['Reconnecting…', 'bad']
            : ['Connecting…', 'wait']
          : ['Offline', 'bad'];
  return (
    <span className={`badge connection ${tone}`} data-state={status.state}>
      <span className="dot" aria-hidden="true" />
      {label}
    </span>
  );
}

function useSecondsUntil(at: number | undefined): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === undefined) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [at]);
  return at === undefined ? 0 : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Says plainly when the live channel is down, why, and when it tries again;
 * it recovers by itself, "Retry now" only skips the wait.
 */
export function ConnectionBanner({ status, onRetry }: { status: ConnectionStatus; onRetry(): void }) {
  const retryAt = status.state === 'disconnected' ? status.retryAt : undefined;
  const seconds = useSecondsUntil(retryAt);
  // While a retry is under way the banner stays, with the reason of the loss.
  const reason = useRef('');
  if (status.state === 'disconnected') reason.current = status.reason;
  const retrying = status.state === 'connecting' && status.attempt > 0;
  if (status.state !== 'disconnected' && !retrying) return null;
  return (
    <div className="banner disconnected" role="alert">
      <p>
        <strong>Disconnected from the control API</strong> — {reason.current}. Live updates are paused;{' '}
        {retrying || seconds === 0 ? 'reconnecting…' : `reconnecting in ${seconds} s…`}
      </p>
      <button type="button" onClick={onRetry} disabled={retrying}>
        Retry now
      </button>
    </div>
  );
}
