import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { DEFAULT_LOAD_URL, readLoadSettings } from './settings.js';

describe('readLoadSettings', () => {
  it('takes flags over environment over defaults', () => {
    const settings = readLoadSettings({ spikeRps: '200', json: true }, { SPIKE_RPS: '50', BASE_RPS: '7', LOAD_CONCURRENCY: '3' });
    expect(settings.phases).toEqual([
      { name: 'base', rps: 7, seconds: 10 },
      { name: 'spike', rps: 200, seconds: 5 },
      { name: 'cooldown', rps: 10, seconds: 10 },
    ]);
    expect(settings).toMatchObject({ url: DEFAULT_LOAD_URL, concurrency: 3, maxRequests: 10_000, maxSeconds: 60, json: true, allowRemote: false });
  });

  it('makes a fresh random session id unless one is given', () => {
    const first = readLoadSettings({}, {}).session;
    expect(first).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(readLoadSettings({}, {}).session).not.toBe(first);
    expect(readLoadSettings({}, { LOAD_SESSION: 'ci-run_7' }).session).toBe('ci-run_7');
  });

  it('names every bad flag or variable in one line', () => {
    const read = () => readLoadSettings({ spikeRps: 'lots', url: 'ftp://x' }, { BASE_SECONDS: '1.5', LOAD_MAX_REQUESTS: '0' });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      /^bad setting: --url="ftp:\/\/x": expected a http or https URL; BASE_SECONDS="1.5": expected whole seconds; --spike-rps="lots": expected a number of requests per second; LOAD_MAX_REQUESTS="0": expected a number from 1 to 10000000$/,
    );
    expect(() => readLoadSettings({}, { BASE_SECONDS: '1.5' })).toThrow(/BASE_SECONDS="1.5": expected whole seconds/);
    expect(() => readLoadSettings({ session: 'has spaces' }, {})).toThrow(/--session="has spaces": a session id is 1-128 characters/);
    expect(() => readLoadSettings({ baseRps: '-1' }, {})).toThrow(/--base-rps="-1": expected 0 or more/);
    expect(() => readLoadSettings({}, { LOAD_JSON: 'maybe' })).toThrow(/LOAD_JSON="maybe": expected on\/off/);
  });

  it('takes --allow-remote only as a flag, never from the environment', () => {
    expect(readLoadSettings({}, { ALLOW_REMOTE: '1', LOAD_ALLOW_REMOTE: '1' }).allowRemote).toBe(false);
    expect(readLoadSettings({ allowRemote: true }, {}).allowRemote).toBe(true);
  });

  it('refuses a run that would send nothing', () => {
    expect(() => readLoadSettings({ baseRps: '0', spikeSeconds: '0', cooldownRps: '0.01' }, {})).toThrow(/nothing to send/);
  });
});
