import { z } from 'zod';

/** bench → quiet upstream: how many WebSockets it holds open. */
export const WsIdleAskSchema = z.strictObject({ type: z.literal('count') });
export type WsIdleAsk = z.output<typeof WsIdleAskSchema>;

/** quiet upstream → bench. */
export const WsIdleSaysSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), url: z.url() }),
  z.strictObject({ type: z.literal('count'), open: z.number().int().min(0) }),
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
]);
export type WsIdleSays = z.output<typeof WsIdleSaysSchema>;
