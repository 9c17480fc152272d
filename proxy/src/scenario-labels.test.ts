import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, request } from '@downspin/testing';
import { ScenarioShapingSchema, scenarioState } from '@downspin/protocol';
import { hashSessionId } from './session/runtime.js';
import { startHarness, type ProxyHarness } from './test-harness.js';

// Telemetry's `shaping` column names the scenario a request was shaped by, and its version:
// what a bug report quotes. The words after it are explainShaping's / explainTimelineStep's.
describe('telemetry labels of scenario shaping', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  const rowOf = (session: string) =>
    eventually(() => {
      const row = h.telemetry.requests.find((r) => r.sessionHash === hashSessionId(session));
      expect(row).toBeDefined();
      return row!;
    });

  it('labels a profile scenario\'s requests with its name and version', async () => {
    const shaping = ScenarioShapingSchema.parse({ profile: { latency: { ms: 20 } } });
    await h.shape('scn-profile', scenarioState(shaping, { name: 'checkout outage', version: 3 }, Date.now()));
    expect((await request(`${h.proxy.url}/echo`, { headers: { 'x-downspin-session': 'scn-profile' } })).status).toBe(200);
    expect((await rowOf('scn-profile')).shaping).toBe('scenario "checkout outage" v3: latency 20 ms');
  });

  it("labels a timeline scenario's requests with its name, version and the step in force", async () => {
    const shaping = ScenarioShapingSchema.parse({ steps: [{ atMs: 0, profile: { latency: { ms: 10 } } }, { atMs: 3_600_000, preset: 'offline' }] });
    await h.shape('scn-timeline', scenarioState(shaping, { name: 'train tunnel', version: 1 }, Date.now()));
    expect((await request(`${h.proxy.url}/echo`, { headers: { 'x-downspin-session': 'scn-timeline' } })).status).toBe(200);
    expect((await rowOf('scn-timeline')).shaping).toBe('scenario "train tunnel" v1: timeline step 1/2: latency 10 ms');
  });
});
