import type { EndpointsResponse } from '@downspin/protocol';
import { formatBytes, formatCount, formatMs, formatPercent } from '../format.js';

/**
 * Top endpoints (host and normalised route, such as api.example.com/users/:id),
 * most requested first, with a bar for their share. The host tells an app's
 * API from its CDN when the proxy forwards several origins.
 */
export function EndpointsTable({ endpoints }: { endpoints: EndpointsResponse['endpoints'] }) {
  const max = Math.max(1, ...endpoints.map((e) => e.requests));
  return (
    <table className="compact endpoints">
      <caption className="visually-hidden">Top endpoints by requests</caption>
      <thead>
        <tr>
          <th scope="col">Endpoint</th>
          <th scope="col" className="num">
            Requests
          </th>
          <th scope="col" className="num">
            Errors
          </th>
          <th scope="col" className="num">
            p95
          </th>
          <th scope="col" className="num">
            Out
          </th>
        </tr>
      </thead>
      <tbody>
        {endpoints.map((e) => (
          <tr key={`${e.method} ${e.host} ${e.route}`}>
            <th scope="row">
              <span className="method">{e.method}</span>{' '}
              <span className="mono">
                <span className="host">{e.host}</span>
                {e.route}
              </span>
              <span className="bar" style={{ width: `${(e.requests / max) * 100}%` }} aria-hidden="true" />
            </th>
            <td className="num">{formatCount(e.requests)}</td>
            <td className={e.errors > 0 ? 'num bad' : 'num'}>{e.errors > 0 ? `${formatCount(e.errors)} (${formatPercent(e.errorRate)})` : '0'}</td>
            <td className="num">{formatMs(e.p95Ms)}</td>
            <td className="num">{formatBytes(e.bytesOut)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
