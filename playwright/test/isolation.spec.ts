import { test as fixtureTest, expect } from '../src/index.js';
import { rendezvous } from './support/rendezvous.js';
import { median, timedSamples } from '@downspin/testing';
import { withDownspin } from '../../browser-support/with-downspin.js';

const test = withDownspin(fixtureTest);

// The two tests run at the same time in two workers against the one downspin
// of the run; each measures only its own profile.
test.describe.configure({ mode: 'parallel' });

// `below`: the fast one must stay well under the slow one's latency; the slow
// one gets room for a busy 2-core machine.
const PROFILES = [
  { latencyMs: 300, below: 1000 },
  { latencyMs: 1500, below: 3000 },
];

for (const { latencyMs, below } of PROFILES) {
  test(`a test shaped to ${latencyMs} ms measures its own delay while another runs`, async ({ page, shaper }) => {
    test.setTimeout(120_000);
    await page.goto('/');
    await shaper.apply({ latency: { ms: latencyMs } });
    // Both sessions are shaped before either measures, and both measure while the other does.
    await rendezvous('isolation-shaped', PROFILES.length, 60_000);
    const samples = await timedSamples(page, '/api/items');
    await rendezvous('isolation-measured', PROFILES.length, 60_000);

    expect(Math.min(...samples)).toBeGreaterThanOrEqual(latencyMs - 2);
    expect(median(samples)).toBeLessThan(below);
  });
}
