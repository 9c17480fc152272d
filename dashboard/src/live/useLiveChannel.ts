import { useEffect, useReducer, useRef, useState } from 'react';
import type { ControlClient } from '../api/client.js';
import { LiveConnection, sameOriginSocketUrl, type ConnectionStatus } from './connection.js';
import { initialLiveState, liveReducer, type LiveAction, type LiveState } from './reducer.js';

export interface LiveChannel {
  state: LiveState;
  status: ConnectionStatus;
  dispatch(action: LiveAction): void;
  retryNow(): void;
}

/** The live channel for as long as the component lives: state, connection status, and a way to retry now. */
export function useLiveChannel(client: ControlClient): LiveChannel {
  const [state, dispatch] = useReducer(liveReducer, initialLiveState);
  const [status, setStatus] = useState<ConnectionStatus>({ state: 'connecting', attempt: 0 });
  const connection = useRef<LiveConnection | null>(null);

  useEffect(() => {
    const live = new LiveConnection({
      ticket: () => client.wsTicket(),
      url: (path) => sameOriginSocketUrl(path),
      onMessage: dispatch,
      onStatus: setStatus,
    });
    connection.current = live;
    live.start();
    // Back from a hidden tab: the browser may have throttled us; ask for the full picture.
    const onVisible = () => {
      if (document.visibilityState === 'visible') live.resync();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      live.stop();
      connection.current = null;
    };
  }, [client]);

  return { state, status, dispatch, retryNow: () => connection.current?.retryNow() };
}
