import type { Diagnostics as Counters } from '../../shared/state.js';

const ROWS: [keyof Counters, string][] = [
  ['received', 'Server messages received'],
  ['handled', 'Handled'],
  ['unknown', 'Dropped: unknown type'],
  ['malformed', 'Dropped: malformed'],
  ['failed', 'Handler failures'],
  ['reconnects', 'Reconnects'],
  ['retries', 'Retries scheduled'],
  ['eventsSent', 'Events sent (channel)'],
  ['eventsPosted', 'Events sent (POST /events)'],
  ['eventsDropped', 'Events dropped'],
];

/** The counters behind the channel, for when something looks wrong. */
export function Diagnostics({ counters }: { counters: Counters }) {
  return (
    <details>
      <summary>Diagnostics</summary>
      <table>
        <tbody>
          {ROWS.map(([key, label]) => (
            <tr key={key}>
              <td>{label}</td>
              <td data-testid={`diag-${key}`}>{counters[key]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
