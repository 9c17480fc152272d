import { describe, expect, it } from 'vitest';
import { describeZodError, ProfileSchema, splitRouteGlob } from './index.js';

describe('route globs', () => {
  it('splits a host glob from its path; a path glob keeps its whole text', () => {
    expect(splitRouteGlob('/api/**')).toEqual({ host: undefined, path: '/api/**' });
    expect(splitRouteGlob('**/*.json')).toEqual({ host: undefined, path: '**/*.json' });
    expect(splitRouteGlob('api.staging.example.com/**')).toEqual({ host: 'api.staging.example.com', path: '/**' });
    expect(splitRouteGlob('*.cdn.example.com')).toEqual({ host: '*.cdn.example.com', path: '/**' });
    expect(splitRouteGlob('api.example.com:8443/v1/*')).toEqual({ host: 'api.example.com:8443', path: '/v1/*' });
  });

  it('accepts path and host globs in a profile, and names the route that is neither', () => {
    expect(ProfileSchema.parse({ routes: ['/api/**', 'api.example.com/**', '*.cdn.example.com'] }).routes).toHaveLength(3);
    for (const bad of ['api example.com/**', 'https://api.example.com/**', 'api.example.com:port/x', '.example.com']) {
      const result = ProfileSchema.safeParse({ latency: { ms: 1 }, routes: ['/ok', bad] });
      expect(result.success, bad).toBe(false);
      expect(describeZodError(result.error!)).toContain('routes.1');
    }
  });
});
