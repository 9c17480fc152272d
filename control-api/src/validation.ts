import { describeZodError } from '@downspin/protocol';
import type { Hook } from '@hono/zod-openapi';
import { z } from 'zod';
import { ApiError } from './errors.js';

type Issue = z.core.$ZodIssue;

/**
 * A union's error lists every branch's issues. The branch the client meant
 * is the one that did not reject the keys it was sent; report that one's
 * issues, so the message names the bad field (`steps.0.preset: …`) rather
 * than "does not match any of".
 */
function focusUnions(issues: readonly Issue[]): Issue[] {
  return issues.flatMap((issue): Issue[] => {
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
    const meant = issue.errors.filter((branch) => !branch.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0));
    if (meant.length !== 1) return [issue];
    return focusUnions(meant[0]!).map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
  });
}

/** One line naming each bad field, unions resolved to the branch meant. */
export function describeInputError(error: z.core.$ZodError): string {
  return describeZodError(new z.ZodError(focusUnions(error.issues)));
}

const CODE_OF_TARGET = { query: 'invalid_query', param: 'malformed_session_id' } as const;

/**
 * The validation hook of every route: a failed body, query or path check
 * becomes the catalogue error for it, with the fields named in the message.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- zod-openapi types the default hook loosely
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (result.success) return;
  const code = CODE_OF_TARGET[result.target as keyof typeof CODE_OF_TARGET] ?? 'invalid_body';
  const fields = describeInputError(result.error as z.core.$ZodError);
  const what = { invalid_query: 'The query string', malformed_session_id: 'The session id', invalid_body: 'The request body' }[code];
  throw new ApiError(code, { message: `${what} is invalid: ${fields}` });
};
