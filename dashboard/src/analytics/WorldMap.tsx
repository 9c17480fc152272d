import type { GeoCountry } from '@downspin/protocol';
import { geoEqualEarth, geoPath } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import world from 'world-atlas/countries-110m.json';
import { countryLabel, formatCount } from '../format.js';
import { byMapId, fillFor } from './geo.js';

const WIDTH = 960;
const HEIGHT = 470;

type Country = Feature<Geometry, { name: string }>;

// Packaged Natural Earth geometry (world-atlas, 1:110m): no request at run time. Projected once.
const topology = world as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
const countries = (feature(topology, topology.objects.countries) as FeatureCollection<Geometry, { name: string }>).features as Country[];
const projection = geoEqualEarth().fitSize([WIDTH, HEIGHT], { type: 'FeatureCollection', features: countries });
const toPath = geoPath(projection);
const shapes = countries.map((c, i) => ({ key: String(c.id ?? `x${i}`), id: c.id === undefined ? undefined : String(c.id), name: c.properties.name, d: toPath(c) ?? '' }));

/** Sessions by country on a world map, plus a table of every row (loopback, private network and unknown included). */
export function WorldMap({ rows }: { rows: readonly GeoCountry[] }) {
  const onMap = byMapId(rows);
  const max = Math.max(0, ...rows.map((r) => r.sessions));
  const sorted = [...rows].sort((a, b) => b.sessions - a.sessions || b.requests - a.requests);
  const mapped = [...onMap.values()].reduce((sum, r) => sum + r.sessions, 0);
  const offMap = rows.reduce((sum, r) => sum + r.sessions, 0) - mapped;
  return (
    <div className="geo">
      <div>
      <svg
        className="world-map"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`World map of sessions by country: ${mapped} session${mapped === 1 ? '' : 's'} in ${onMap.size} countr${onMap.size === 1 ? 'y' : 'ies'} on the map`}
      >
        {shapes.map((shape) => {
          const row = shape.id === undefined ? undefined : onMap.get(shape.id);
          return (
            <path key={shape.key} d={shape.d} fill={fillFor(row?.sessions ?? 0, max)} stroke="#ffffff" strokeWidth={0.5} data-country={row?.country}>
              <title>{row ? `${countryLabel(row.country)}: ${row.sessions} sessions, ${formatCount(row.requests)} requests` : shape.name}</title>
            </path>
          );
        })}
      </svg>
      {offMap > 0 && (
        <p className="hint map-note">
          {offMap} session{offMap === 1 ? '' : 's'} from loopback, a private network or an unknown place {offMap === 1 ? 'is' : 'are'} listed in the table only.
        </p>
      )}
      </div>
      <table className="compact">
        <caption className="visually-hidden">Sessions and requests by country</caption>
        <thead>
          <tr>
            <th scope="col">Country</th>
            <th scope="col" className="num">
              Sessions
            </th>
            <th scope="col" className="num">
              Requests
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={row.country || 'unknown'}>
              <th scope="row">
                <span className="swatch" style={{ background: fillFor(row.sessions, max) }} aria-hidden="true" />
                {countryLabel(row.country)}
              </th>
              <td className="num">{formatCount(row.sessions)}</td>
              <td className="num">{formatCount(row.requests)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
