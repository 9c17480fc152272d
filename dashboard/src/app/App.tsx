import { useCallback, useState } from 'react';
import { forgetKey, loadKey, saveKey } from '../auth/key-storage.js';
import { KeyForm } from '../auth/KeyForm.js';
import { Dashboard } from './Dashboard.js';

/** Asks for the admin key until one works, then shows the dashboard; a refused key asks again. */
export function App() {
  const [key, setKey] = useState<string | null>(() => loadKey());
  const [notice, setNotice] = useState<string | null>(null);

  const accept = useCallback((accepted: string) => {
    saveKey(accepted);
    setNotice(null);
    setKey(accepted);
  }, []);

  const signOut = useCallback((why: string | null) => {
    forgetKey();
    setNotice(why);
    setKey(null);
  }, []);

  if (key === null) return <KeyForm notice={notice} onAccepted={accept} />;
  return <Dashboard adminKey={key} onSignOut={signOut} />;
}
