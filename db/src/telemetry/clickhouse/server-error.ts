import { ClickHouseError } from '@clickhouse/client';

/**
 * The server's error code, if the server answered: from ClickHouseError, or
 * parsed from the text, as the client only recognises the current format
 * ("Code: 60. DB::Exception: …"), not 18.16's ("Code: 60, e.displayText() = …").
 */
export function serverErrorCode(error: unknown): string | undefined {
  if (error instanceof ClickHouseError) return error.code;
  if (!(error instanceof Error)) return undefined;
  return /^Code: (\d+)[.,]/.exec(error.message)?.[1];
}
