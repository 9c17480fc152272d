import { createContext, useContext } from 'react';
import type { ControlClient } from '../api/client.js';
import type { NoticeKind } from './notices.js';

export interface DashboardContextValue {
  client: ControlClient;
  notify(kind: NoticeKind, text: string): void;
  /** Reports a failed action in words (`what`: "Downspin session 0a1b…"); a refused key signs out. */
  reportError(what: string, error: unknown): void;
}

export const DashboardContext = createContext<DashboardContextValue | null>(null);

export function useDashboard(): DashboardContextValue {
  const value = useContext(DashboardContext);
  if (value === null) throw new Error('useDashboard outside <Dashboard>');
  return value;
}
