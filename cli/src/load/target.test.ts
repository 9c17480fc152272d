import { describe, expect, it } from 'vitest';
import { checkTarget, isLoopbackAddress, TargetError, type Lookup } from './target.js';

const resolvesTo =
  (...addresses: string[]): Lookup =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('checkTarget', () => {
  it('knows loopback addresses, including IPv4-mapped IPv6', () => {
    for (const address of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of ['10.0.0.1', '0.0.0.0', '::', '192.0.2.1', '::ffff:10.0.0.1', '128.0.0.1', 'localhost']) {
      expect(isLoopbackAddress(address), address).toBe(false);
    }
  });

  it('accepts loopback literals and names that resolve only to loopback', async () => {
    await expect(checkTarget('http://127.0.0.1:8080/api/items', false)).resolves.toBeUndefined();
    await expect(checkTarget('http://[::1]:8080/', false)).resolves.toBeUndefined();
    await expect(checkTarget('http://localhost:8080/', false, resolvesTo('::1', '127.0.0.1'))).resolves.toBeUndefined();
  });

  it('refuses anything else with a one-line reason naming --allow-remote', async () => {
    await expect(checkTarget('http://192.0.2.1/', false)).rejects.toThrow(
      /^refusing to load 192\.0\.2\.1: not a loopback address \(127\.0\.0\.0\/8, ::1, localhost\); pass --allow-remote/,
    );
    // A name that resolves partly elsewhere could be connected elsewhere.
    await expect(checkTarget('http://staging.local/', false, resolvesTo('127.0.0.1', '10.1.2.3'))).rejects.toThrow(
      /refusing to load staging\.local \(10\.1\.2\.3\): not a loopback address/,
    );
    await expect(checkTarget('http://nowhere.invalid/', false, () => Promise.reject(Object.assign(new Error('x'), { code: 'ENOTFOUND' })))).rejects.toThrow(
      new TargetError('cannot resolve nowhere.invalid (ENOTFOUND)'),
    );
  });

  it('lets --allow-remote through without resolving', async () => {
    const lookup: Lookup = () => Promise.reject(new Error('must not be called'));
    await expect(checkTarget('http://192.0.2.1/', true, lookup)).resolves.toBeUndefined();
  });
});
