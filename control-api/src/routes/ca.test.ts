import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../test-support/harness.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';

let store: SessionStore;
let dir: string;
beforeAll(async () => {
  store = await createPgliteStore();
  dir = await mkdtemp(path.join(tmpdir(), 'downspin-ca-route-'));
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('GET /admin/ca.pem', () => {
  it('offers the CA certificate as a download, to the admin key only', async () => {
    const file = path.join(dir, 'downspin-ca.pem');
    await writeFile(file, CERT);
    const h = await startHarness(store, { caCertificateFile: file });
    const res = await h.call('GET', '/admin/ca.pem');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-pem-file');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="downspin-ca.pem"');
    expect(await res.text()).toBe(CERT);
    expect((await h.call('GET', '/admin/ca.pem', undefined, { 'x-api-key': 'wrong' })).status).toBe(401);
    await h.close();
  });

  it('answers 404 saying how to make one before forward mode made the CA', async () => {
    const h = await startHarness(store, { caCertificateFile: path.join(dir, 'missing.pem') });
    const res = await h.call('GET', '/admin/ca.pem');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found', message: expect.stringContaining('--intercept') } });
    await h.close();
  });

  it('never serves anything but a certificate, whatever sits at the path (a key put there by mistake)', async () => {
    const file = path.join(dir, 'key-by-mistake.pem');
    await writeFile(file, KEY);
    const h = await startHarness(store, { caCertificateFile: file });
    const res = await h.call('GET', '/admin/ca.pem');
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('PRIVATE KEY');
    await h.close();
  });
});
