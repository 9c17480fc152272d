import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  carriedBy,
  CLIENT_EVENT_ROW_COLUMNS,
  enumColumn,
  eventSchema,
  textColumn,
  ClientEventSchema,
  REQUEST_ROW_COLUMNS,
  RequestRowSchema,
  WS_ROW_COLUMNS,
  WsRowSchema,
  ClientEventRowSchema,
  type ClientEvent,
  type ClientEventRow,
  type ErrorKind,
  type FaultKind,
  type RequestRow,
  type WsRow,
} from './index.js';

/*
 * The row schemas and types are derived from the column tables; these pin
 * what the derivation yields, so a change in it (not a new column) shows here.
 */

describe('telemetry row types derived from the column tables', () => {
  it('are the precise row types, field for field', () => {
    expectTypeOf<RequestRow>().toEqualTypeOf<{
      ts: number;
      sessionHash: string;
      proxyId: string;
      method: string;
      host: string;
      path: string;
      route: string;
      status: number;
      upstreamMs: number;
      totalMs: number;
      injectedMs: number;
      bytesIn: number;
      bytesOut: number;
      shaping: string;
      shapingVersion: number;
      fault: FaultKind;
      error: ErrorKind;
      country: string;
    }>();
    expectTypeOf<WsRow['closeCode']>().toEqualTypeOf<number>();
    expectTypeOf<WsRow['fault']>().toEqualTypeOf<FaultKind>();
    expectTypeOf<Extract<ClientEvent, { type: 'click' }>>().toEqualTypeOf<{
      type: 'click';
      ts: number;
      url: string;
      target: string;
      text?: string | undefined;
    }>();
    expectTypeOf<Extract<ClientEvent, { type: 'navigation' }>>().toEqualTypeOf<{
      type: 'navigation';
      ts: number;
      url: string;
      from?: string | undefined;
    }>();
    expectTypeOf<Extract<ClientEventRow, { type: 'unload' }>>().toEqualTypeOf<{
      type: 'unload';
      ts: number;
      sessionHash: string;
      url: string;
      timeOnPageMs: number;
    }>();
    expectTypeOf<ClientEvent['type']>().toEqualTypeOf<'page_view' | 'click' | 'navigation' | 'unload' | 'timing'>();
  });
});

const request: RequestRow = {
  ts: 1,
  sessionHash: 'abc',
  proxyId: 'p',
  method: 'GET',
  host: 'h',
  path: '/',
  route: '/',
  status: 200,
  upstreamMs: 1,
  totalMs: 2,
  injectedMs: 0,
  bytesIn: 0,
  bytesOut: 5,
  shaping: '',
  shapingVersion: 0,
  fault: '',
  error: '',
  country: 'LO',
};

describe('telemetry row schemas derived from the column tables', () => {
  it('accept a row and refuse a field past its column limit or outside its enum', () => {
    expect(RequestRowSchema.parse(request)).toEqual(request);
    expect(RequestRowSchema.safeParse({ ...request, method: 'X'.repeat(17) }).success).toBe(false);
    expect(RequestRowSchema.safeParse({ ...request, status: 1000 }).success).toBe(false);
    expect(RequestRowSchema.safeParse({ ...request, fault: 'meteor' }).success).toBe(false);
    expect(RequestRowSchema.safeParse({ ...request, bytesIn: 1.5 }).success).toBe(false);
    const { country: _, ...withoutCountry } = request;
    expect(RequestRowSchema.safeParse(withoutCountry).success).toBe(false);
    expect(WsRowSchema.safeParse({ ...request, durationMs: 1, messagesIn: 0, messagesOut: 0, closeCode: 5000 }).success).toBe(false);
  });

  it('name each ClickHouse column the snake_case of its field unless the table says otherwise', () => {
    expect(REQUEST_ROW_COLUMNS.map((c) => c.name).slice(0, 3)).toEqual(['ts', 'session_hash', 'proxy_id']);
    expect(WS_ROW_COLUMNS.find((c) => c.field === 'closeCode')).toMatchObject({ name: 'close_code', type: 'UInt16', limit: 4999 });
    expect(CLIENT_EVENT_ROW_COLUMNS.find((c) => c.field === 'from')).toMatchObject({ name: 'from_url', type: 'Nullable(String)', of: ['navigation'] });
  });

  it('give each client event type exactly its own fields, strictly, without the store-only session hash', () => {
    expect(ClientEventSchema.parse({ type: 'click', ts: 1, url: 'u', target: 'button' })).toEqual({ type: 'click', ts: 1, url: 'u', target: 'button' });
    // A required field of the type, a field of another type, the store's field, an unknown type: refused.
    expect(ClientEventSchema.safeParse({ type: 'click', ts: 1, url: 'u' }).success).toBe(false);
    expect(ClientEventSchema.safeParse({ type: 'click', ts: 1, url: 'u', target: 'b', title: 't' }).success).toBe(false);
    expect(ClientEventSchema.safeParse({ type: 'page_view', ts: 1, url: 'u', sessionHash: 'abc' }).success).toBe(false);
    expect(ClientEventSchema.safeParse({ type: 'scroll', ts: 1, url: 'u' }).success).toBe(false);
    expect(ClientEventSchema.safeParse({ type: 'unload', ts: 1, url: 'u', timeOnPageMs: 5 }).success).toBe(true);
    expect(ClientEventSchema.safeParse({ type: 'page_view', ts: 1, url: 'u', title: 'x'.repeat(513) }).success).toBe(false);
    expect(ClientEventSchema.options.map((o) => o.shape.type.value)).toEqual(['page_view', 'click', 'navigation', 'unload', 'timing']);
  });

  it('give a stored client event its session hash too', () => {
    const stored = { type: 'navigation', ts: 1, sessionHash: 'a1b2c3d4e5f6', url: 'u', from: 'v' };
    expect(ClientEventRowSchema.parse(stored)).toEqual(stored);
    expect(ClientEventRowSchema.safeParse({ type: 'navigation', ts: 1, url: 'u' }).success).toBe(false);
  });
});

describe('eventSchema', () => {
  it('refuses a table whose column names an event type that does not exist', () => {
    const table = [enumColumn('type', ['a', 'b'], 8), carriedBy(['c'], textColumn('x', 4))] as const;
    expect(() => eventSchema(table, 'type', ['a', 'b'])).toThrow('column x is carried by unknown event type c');
    expect(eventSchema([table[0], carriedBy(['b'], textColumn('x', 4))], 'type', ['a', 'b']).parse({ type: 'b', x: 'y' })).toEqual({ type: 'b', x: 'y' });
  });
});
