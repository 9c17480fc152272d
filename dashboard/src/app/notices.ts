import { useCallback, useEffect, useRef, useState } from 'react';

export type NoticeKind = 'success' | 'info' | 'warning' | 'error';

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

/** How long a notice stays; errors stay until dismissed, so none is missed. */
const SHOWN_MS = 8000;
const MAX_SHOWN = 5;

/** Outcome messages of the user's actions (command applied, export saved, what went wrong). */
export function useNotices() {
  const [notices, setNotices] = useState<Notice[]>([]);
  const next = useRef(1);
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => setNotices((all) => all.filter((n) => n.id !== id)), []);

  const push = useCallback(
    (kind: NoticeKind, text: string) => {
      const id = next.current++;
      setNotices((all) => [...all, { id, kind, text }].slice(-MAX_SHOWN));
      if (kind !== 'error') {
        const timer = setTimeout(() => {
          timers.current.delete(timer);
          dismiss(id);
        }, SHOWN_MS);
        timers.current.add(timer);
      }
    },
    [dismiss],
  );

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending) clearTimeout(timer);
    };
  }, []);

  return { notices, push, dismiss };
}
