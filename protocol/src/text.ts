import { z } from 'zod';

// \p{Cc}: C0 controls (NUL, tab, newline, ESC…), DEL and the C1 controls.
const CONTROL = /\p{Cc}/u;
// A high surrogate not followed by a low one, or a low one not preceded by a high one:
// such a string has no UTF-8 form, so PostgreSQL, JSON encoders and browsers each do something different with it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the text has no control character and no lone surrogate. */
export function isPlainText(text: string): boolean {
  return !CONTROL.test(text) && !LONE_SURROGATE.test(text);
}

/** The message a string field refused by `plainText` gets. */
export const PLAIN_TEXT_MESSAGE = 'must not contain control characters (NUL, newline, tab, …) or unpaired surrogates';

/**
 * Refuses control characters and lone surrogates in a string field that an
 * operator or client sends (reasons, messages, route globs). Such text is
 * refused here with a 400 rather than reaching the store (PostgreSQL refuses
 * NUL in text and jsonb) or a user's screen.
 *
 * @example const Reason = plainText(z.string().trim().min(1).max(500));
 */
export function plainText<T extends z.ZodType<string, string>>(schema: T): T {
  return schema.refine(isPlainText, { message: PLAIN_TEXT_MESSAGE }) as T;
}
