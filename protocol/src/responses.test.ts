import { describe, expect, it } from 'vitest';
import { NotifyResponseSchema, parseErrorBody } from './index.js';

describe('parseErrorBody', () => {
  it('reads the code, message and details of the API error body', () => {
    expect(parseErrorBody('{"error":{"code":"session_not_found","message":"No session with that hash or id."}}')).toEqual({
      code: 'session_not_found',
      message: 'No session with that hash or id.',
    });
    expect(parseErrorBody('{"error":{"code":"invalid_body","message":"m","details":{"field":"latency.ms"}}}')).toEqual({
      code: 'invalid_body',
      message: 'm',
      details: { field: 'latency.ms' },
    });
  });

  it('is undefined for what is not the error body: HTML, empty, cut off, other JSON', () => {
    for (const text of ['<html>502 Bad Gateway</html>', '', '{"error":{"code":"x","mess', '{"error":"boom"}', '{"error":{"code":1,"message":"m"}}', 'null'])
      expect(parseErrorBody(text)).toBeUndefined();
  });
});

describe('NotifyResponseSchema', () => {
  it('takes only the notify types the API sends', () => {
    expect(NotifyResponseSchema.safeParse({ notification: { id: 'n', message: 'm', type: 'warning' } }).success).toBe(true);
    expect(NotifyResponseSchema.safeParse({ notification: { id: 'n', message: 'm', type: 'shout' } }).success).toBe(false);
  });
});
