import {
  AdminStatsSchema,
  AlertsResponseSchema,
  ApplyResponseSchema,
  describeZodError,
  DownspinBodySchema,
  EndpointsResponseSchema,
  GeoResponseSchema,
  HarSchema,
  NotifyBodySchema,
  NotifyResponseSchema,
  OverviewResponseSchema,
  ProfileBodySchema,
  ScenarioApplyBodySchema,
  ScenarioListResponseSchema,
  ScenarioNameSchema,
  ScenarioPutBodySchema,
  ScenarioResponseSchema,
  SessionDetailResponseSchema,
  TerminateBodySchema,
  TimeseriesResponseSchema,
  WsTicketResponseSchema,
  type AdminStats,
  type AlertsResponse,
  type ApplyResponse,
  type EndpointsResponse,
  type GeoResponse,
  type Har,
  type NotifyType,
  type OverviewResponse,
  type Scenario,
  type ScenarioPutBodyInput,
  type SessionDetailResponse,
  type TimeseriesResponse,
  type WsTicketResponse,
} from '@downspin/protocol';
import type { z } from 'zod';
import { ApiProblem, networkProblem, problemFromResponse } from './problem.js';

export type ExportFormat = 'csv' | 'json';

export interface ExportedFile {
  blob: Blob;
  filename: string;
}

type Fetch = typeof fetch;

/** Validates a body with the protocol's schema before it is sent: a bad one never leaves the page. */
function checked<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiProblem('invalid_body', describeZodError(parsed.error), 0);
  return parsed.data;
}

/** `filename="…"` of a Content-Disposition header, or a fallback. */
export function filenameOf(disposition: string | null, fallback: string): string {
  const match = disposition === null ? null : /filename="?([^";]+)"?/i.exec(disposition);
  return match?.[1] ?? fallback;
}

/** An analytics query string: the range, and one session's hash when narrowed to it. */
export function rangeQuery(hours: number, session?: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ hours: String(hours), ...extra });
  if (session !== undefined) params.set('session', session);
  return params.toString();
}

/**
 * The control API, as the dashboard uses it: same origin, the admin key in
 * `X-API-Key`, answers checked against their schemas, and every failure an
 * `ApiProblem` (the API's `{ error: { code, message } }`, or why no answer came).
 */
export class ControlClient {
  constructor(
    private readonly key: string,
    private readonly base = '',
    private readonly fetchImpl: Fetch = (input, init) => fetch(input, init),
  ) {}

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { 'x-api-key': this.key, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (error) {
      throw networkProblem(error);
    }
    if (!res.ok) throw await problemFromResponse(res);
    return res;
  }

  private async json<T extends z.ZodType>(schema: T, method: string, path: string, body?: unknown): Promise<z.output<T>> {
    const res = await this.send(method, path, body);
    let data: unknown;
    try {
      data = await res.json();
    } catch {
      throw new ApiProblem('bad_response', `The control API answered ${path} with something that is not JSON.`, res.status);
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new ApiProblem('bad_response', `Unexpected answer from ${path}: ${describeZodError(parsed.error)}`, res.status);
    }
    return parsed.data;
  }

  /** `GET /admin/stats`: also how the key is checked when it is entered. */
  stats(): Promise<AdminStats> {
    return this.json(AdminStatsSchema, 'GET', '/admin/stats');
  }

  wsTicket(): Promise<WsTicketResponse> {
    return this.json(WsTicketResponseSchema, 'POST', '/admin/ws-ticket');
  }

  upspin(hash: string): Promise<ApplyResponse> {
    return this.json(ApplyResponseSchema, 'POST', `/admin/sessions/${encodeURIComponent(hash)}/upspin`, {});
  }

  async downspin(hash: string, latencyMs?: number): Promise<ApplyResponse> {
    const body = checked(DownspinBodySchema, latencyMs === undefined ? {} : { latency_ms: latencyMs });
    return this.json(ApplyResponseSchema, 'POST', `/admin/sessions/${encodeURIComponent(hash)}/downspin`, body);
  }

  async terminate(hash: string, reason?: string): Promise<ApplyResponse> {
    const body = checked(TerminateBodySchema, reason === undefined || reason.trim() === '' ? {} : { reason });
    return this.json(ApplyResponseSchema, 'POST', `/admin/sessions/${encodeURIComponent(hash)}/terminate`, body);
  }

  async notify(hash: string, message: string, type: NotifyType): Promise<void> {
    const body = checked(NotifyBodySchema, { message, type });
    await this.json(NotifyResponseSchema, 'POST', `/admin/sessions/${encodeURIComponent(hash)}/notify`, body);
  }

  /** `PUT …/profile` with `{ preset }` or `{ profile }`, validated first. */
  async setProfile(hash: string, body: unknown): Promise<ApplyResponse> {
    const valid = checked(ProfileBodySchema, body);
    return this.json(ApplyResponseSchema, 'PUT', `/admin/sessions/${encodeURIComponent(hash)}/profile`, valid);
  }

  /** `PUT …/scenario`: the named scenario's current version. */
  async applyScenario(hash: string, name: string): Promise<ApplyResponse> {
    const body = checked(ScenarioApplyBodySchema, { name });
    return this.json(ApplyResponseSchema, 'PUT', `/admin/sessions/${encodeURIComponent(hash)}/scenario`, body);
  }

  async scenarios(): Promise<Scenario[]> {
    return (await this.json(ScenarioListResponseSchema, 'GET', '/admin/scenarios')).scenarios;
  }

  /** Creates or replaces (the version goes up), name and body validated first. */
  async saveScenario(name: string, body: ScenarioPutBodyInput): Promise<Scenario> {
    const valid = checked(ScenarioPutBodySchema, body);
    const path = `/admin/scenarios/${encodeURIComponent(checked(ScenarioNameSchema, name))}`;
    return (await this.json(ScenarioResponseSchema, 'PUT', path, valid)).scenario;
  }

  async deleteScenario(name: string): Promise<Scenario> {
    return (await this.json(ScenarioResponseSchema, 'DELETE', `/admin/scenarios/${encodeURIComponent(name)}`)).scenario;
  }

  /** `session` narrows the figures to one session (its hash). */
  overview(hours: number, session?: string): Promise<OverviewResponse> {
    return this.json(OverviewResponseSchema, 'GET', `/admin/analytics?${rangeQuery(hours, session)}`);
  }

  timeseries(hours: number, session?: string): Promise<TimeseriesResponse> {
    return this.json(TimeseriesResponseSchema, 'GET', `/admin/analytics/timeseries?${rangeQuery(hours, session)}`);
  }

  endpoints(hours: number, limit = 10, session?: string): Promise<EndpointsResponse> {
    return this.json(EndpointsResponseSchema, 'GET', `/admin/analytics/endpoints?${rangeQuery(hours, session, { limit: String(limit) })}`);
  }

  geo(hours: number): Promise<GeoResponse> {
    return this.json(GeoResponseSchema, 'GET', `/admin/analytics/geo?hours=${hours}`);
  }

  alerts(hours: number): Promise<AlertsResponse> {
    return this.json(AlertsResponseSchema, 'GET', `/admin/alerts?hours=${hours}`);
  }

  /** The request rows of the last `hours` (of one session, if given) as a file (the key goes in a header, so not a plain link). */
  async exportRequests(format: ExportFormat, hours: number, session?: string): Promise<ExportedFile> {
    const res = await this.send('GET', `/admin/analytics/export.${format}?${rangeQuery(hours, session)}`);
    const blob = await res.blob();
    const fallback = session === undefined ? `downspin-requests.${format}` : `downspin-${session}-requests.${format}`;
    return { blob, filename: filenameOf(res.headers.get('content-disposition'), fallback) };
  }

  /** Forward mode's CA certificate (PEM), to trust in a test browser. */
  async caCertificate(): Promise<ExportedFile> {
    const res = await this.send('GET', '/admin/ca.pem');
    const blob = await res.blob();
    return { blob, filename: filenameOf(res.headers.get('content-disposition'), 'downspin-ca.pem') };
  }

  /** `GET /admin/sessions/{id}`: the session as it is now and its shaping history, newest first. */
  session(hash: string): Promise<SessionDetailResponse> {
    return this.json(SessionDetailResponseSchema, 'GET', `/admin/sessions/${encodeURIComponent(hash)}`);
  }

  /** A session's requests of the last `hours` as HAR 1.2, parsed and checked: what the drill-down's waterfall draws. */
  har(hash: string, hours: number): Promise<Har> {
    return this.json(HarSchema, 'GET', `/admin/sessions/${encodeURIComponent(hash)}/har?hours=${hours}`);
  }

  /** A session's requests of the last `hours` as HAR 1.2, with what downspin injected in each entry. */
  async exportHar(hash: string, hours = 24): Promise<ExportedFile> {
    const res = await this.send('GET', `/admin/sessions/${encodeURIComponent(hash)}/har?hours=${hours}`);
    const blob = await res.blob();
    return { blob, filename: filenameOf(res.headers.get('content-disposition'), `downspin-${hash}.har`) };
  }
}
