import type { GeoCountry } from '@downspin/protocol';
import countries from 'i18n-iso-countries';

/** world-atlas names countries by ISO 3166-1 numeric code ("250"); telemetry by alpha-2 ("FR"). */
export function numericCodeOf(alpha2: string): string | undefined {
  if (!/^[A-Z]{2}$/.test(alpha2)) return undefined;
  return countries.alpha2ToNumeric(alpha2) ?? undefined;
}

/** Rows of the geo endpoint by the map's feature id; the proxy's markers (LO, LAN, unknown) are not on a map. */
export function byMapId(rows: readonly GeoCountry[]): Map<string, GeoCountry> {
  const map = new Map<string, GeoCountry>();
  for (const row of rows) {
    const id = numericCodeOf(row.country);
    if (id !== undefined) map.set(id, row);
  }
  return map;
}

/** Land without sessions: light grey, clearly apart from the lightest blue. */
export const NO_SESSIONS = '#e2e8f0';
const LIGHT = [191, 219, 254]; // blue-200
const DARK = [30, 58, 138]; // blue-900

/**
 * Fill for a country with `value` sessions where the most has `max`: light
 * to dark blue on a log scale, so one busy country does not wash out the rest.
 */
export function fillFor(value: number, max: number): string {
  if (value <= 0 || max <= 0) return NO_SESSIONS;
  const t = max === 1 ? 1 : Math.log1p(value) / Math.log1p(max);
  const channel = (i: number) => Math.round(LIGHT[i]! + (DARK[i]! - LIGHT[i]!) * Math.min(1, t));
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}
