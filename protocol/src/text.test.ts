import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeZodError, isPlainText, plainText, PLAIN_TEXT_MESSAGE } from './index.js';

describe('plainText', () => {
  it('takes any printable text, emoji (surrogate pairs) included', () => {
    for (const text of ['', 'Session ended', 'ünïcödé', '😀 done', '日本語', '/api/**']) expect(isPlainText(text), text).toBe(true);
  });

  it('refuses control characters and unpaired surrogates', () => {
    const bad = ['a\u0000b', 'tab\there', 'line\nbreak', '\u001b[31mred', 'del\u007f', 'c1\u0085', 'high \uD83D alone', 'low \uDE00 alone', 'end \uD83D'];
    for (const text of bad) expect(isPlainText(text), JSON.stringify(text)).toBe(false);
  });

  it('names the field in a schema error and keeps the schema’s own checks', () => {
    const Schema = z.object({ reason: plainText(z.string().trim().min(1).max(5)) });
    expect(describeZodError(Schema.safeParse({ reason: 'a\u0000' }).error!)).toBe(`reason: ${PLAIN_TEXT_MESSAGE}`);
    expect(Schema.safeParse({ reason: '  ok  ' }).data).toEqual({ reason: 'ok' });
    expect(Schema.safeParse({ reason: 'too long' }).success).toBe(false);
  });
});
