import type { Alert, DashboardAlert } from '@downspin/protocol';
import { formatRelative } from '../format.js';

type Shown = Pick<Alert, 'id' | 'kind' | 'sessionHash' | 'risk' | 'message' | 'at'> & { reasons: Alert['reasons'] };

/** Alerts of the range, and those pushed live since (which carry no reasons yet), one per id, newest first. */
export function mergeAlerts(stored: readonly Alert[], live: readonly DashboardAlert[]): Shown[] {
  const byId = new Map<string, Shown>();
  for (const alert of live) byId.set(alert.id, { ...alert, reasons: [] });
  for (const alert of stored) byId.set(alert.id, alert);
  return [...byId.values()].sort((a, b) => b.at.localeCompare(a.at) || a.id.localeCompare(b.id));
}

/** Bot alerts: sessions at high risk or banned by the abuse guard, and why. */
export function AlertsPanel({ alerts, now }: { alerts: Shown[]; now: number }) {
  if (alerts.length === 0) return <p className="empty">No bot alerts in this range: no session reached high risk or was banned.</p>;
  return (
    <ul className="alerts">
      {alerts.map((alert) => (
        <li key={alert.id}>
          <span className={`badge ${alert.kind === 'banned' ? 'mode-terminated' : 'risk-high'}`}>{alert.kind === 'banned' ? 'Banned' : 'High risk'}</span>
          <div>
            <p>
              <span className="mono">{alert.sessionHash}</span> · risk {alert.risk} · {formatRelative(alert.at, now)}
            </p>
            <p className="muted">{alert.message}</p>
            {alert.reasons.length > 0 && <p className="muted small">{alert.reasons.map((r) => `${r.detail} (+${r.points})`).join('; ')}</p>}
          </div>
        </li>
      ))}
    </ul>
  );
}
