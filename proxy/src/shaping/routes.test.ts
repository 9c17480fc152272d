import { describe, expect, it } from 'vitest';
import { compileRoutes } from './routes.js';

describe('compileRoutes', () => {
  it('matches path globs on any host, as before hosts existed', () => {
    const matches = compileRoutes(['/api/**', '**/*.json']);
    expect(matches('localhost:8080', '/api/items/1')).toBe(true);
    expect(matches('cdn.example.com', '/data/list.json')).toBe(true);
    expect(matches('localhost:8080', '/static/app.js')).toBe(false);
  });

  it('matches a host glob with its path, on any port and in any case', () => {
    const matches = compileRoutes(['api.staging.example.com/v1/**']);
    expect(matches('api.staging.example.com', '/v1/users')).toBe(true);
    expect(matches('API.Staging.Example.com:443', '/v1/users')).toBe(true);
    expect(matches('api.staging.example.com', '/v2/users')).toBe(false);
    expect(matches('cdn.staging.example.com', '/v1/users')).toBe(false);
    // A host glob names the whole host: no prefix, suffix or look-alike matches.
    expect(matches('api.staging.example.com.evil.test', '/v1/users')).toBe(false);
    expect(matches('xapi.staging.example.com', '/v1/users')).toBe(false);
  });

  it('reads a bare host glob as every path of the host, and * as any labels', () => {
    const matches = compileRoutes(['*.api.example.com']);
    expect(matches('eu.api.example.com', '/')).toBe(true);
    expect(matches('a.b.api.example.com:8443', '/deep/path')).toBe(true);
    expect(matches('api.example.com', '/')).toBe(false);
  });

  it('holds a host glob with a port to that port', () => {
    const matches = compileRoutes(['api.example.com:8443/**']);
    expect(matches('api.example.com:8443', '/x')).toBe(true);
    expect(matches('api.example.com:443', '/x')).toBe(false);
    expect(matches('api.example.com', '/x')).toBe(false);
  });

  it('mixes path and host globs: either one admits the request', () => {
    const matches = compileRoutes(['/health', 'api.example.com/**']);
    expect(matches('cdn.example.com', '/health')).toBe(true);
    expect(matches('api.example.com', '/anything')).toBe(true);
    expect(matches('cdn.example.com', '/anything')).toBe(false);
  });
});
