import { z } from 'zod';

/*
 * A session's HAR export (HAR 1.2, http://www.softwareishard.com/blog/har-12-spec/),
 * as the control API writes it and the fixture reads it. Only the fields
 * downspin fills are typed; the rest of the format is allowed through.
 * Timings map what the proxy measured: `blocked` = the delay downspin
 * injected, `wait` = the upstream's time to its response, `receive` = the
 * rest of the request's total (transfer, pacing); dns/connect/ssl are -1
 * (not measured), send 0. An entry's `time` is their sum, which is the
 * proxy's measured total.
 */

export const HarTimingsSchema = z.object({
  blocked: z.number(),
  dns: z.number(),
  connect: z.number(),
  ssl: z.number(),
  send: z.number(),
  wait: z.number(),
  receive: z.number(),
});

/** What downspin did to one request, beside the HAR fields DevTools shows. */
export const HarDownspinSchema = z.object({
  shaping: z.string(),
  shapingVersion: z.number().int(),
  injectedMs: z.number(),
  upstreamMs: z.number(),
  totalMs: z.number(),
  fault: z.string(),
  error: z.string(),
  bytesIn: z.number().int(),
  bytesOut: z.number().int(),
});

export const HarEntrySchema = z.looseObject({
  startedDateTime: z.string(),
  time: z.number(),
  request: z.looseObject({ method: z.string(), url: z.string() }),
  response: z.looseObject({ status: z.number().int() }),
  timings: HarTimingsSchema,
  comment: z.string(),
  _downspin: HarDownspinSchema,
});
export type HarEntry = z.output<typeof HarEntrySchema>;

/** `GET /admin/sessions/{id}/har`. */
export const HarSchema = z.object({
  log: z.looseObject({
    version: z.literal('1.2'),
    creator: z.object({ name: z.string(), version: z.string() }),
    entries: z.array(HarEntrySchema),
    /** The session's shaping history (who changed what, when), and whether entries were left out. */
    comment: z.string(),
  }),
});
export type Har = z.output<typeof HarSchema>;

/** Most entries one export holds: a longer session is cut to its latest requests, and the log says so. */
export const MAX_HAR_ENTRIES = 10_000;
