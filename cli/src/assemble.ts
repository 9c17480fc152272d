import { createControlApi, startControlServer, telemetryClientEvents, type RunningControlServer } from '@downspin/control-api';
import { readFile } from 'node:fs/promises';
import { countryOf, startProxy, type RunningProxy } from '@downspin/proxy';
import { ConfigError, type Settings } from './config.js';
import { dashboardDir } from '@downspin/dashboard';
import type { Parts } from './services.js';

/**
 * How each command assembles the proxy and the control API from the shared
 * pieces (bus, session store, telemetry), so `start`, `proxy` and `control`
 * run the same code and differ only in which parts they start.
 */

/** Settings that shape how a proxy treats traffic. */
export const PROXY_SETTINGS = [
  'insecureTarget',
  'intercept',
  'tunnelUnlisted',
  'resolve',
  'upstreamCa',
  'requireProxyAuth',
  'abuseGuard',
  'abuseMaxViolations',
  'abuseBanSeconds',
  'wsMaxMessageMiB',
  'wsQueueMiB',
  'wsSessionQueueMiB',
  'addressGuard',
  'addressRps',
  'addressBurst',
  'addressMaxViolations',
  'addressBanSeconds',
  'headersTimeoutSeconds',
  'bodyIdleTimeoutSeconds',
] as const;

const MiB = 1024 * 1024;

/** Settings of the control API beyond where it listens. */
export const CONTROL_SETTINGS = ['sessionIdleMinutes'] as const;

export async function runControl(
  parts: Parts,
  options: { port: number; host: string; adminKey: string; caCertificateFile?: string } & Partial<Settings<(typeof CONTROL_SETTINGS)[number]>>,
): Promise<RunningControlServer> {
  const { bus, store, telemetry, logger, closers } = parts;
  const app = await createControlApi({
    store,
    bus,
    adminKey: options.adminKey,
    telemetry: telemetry.store,
    clientEvents: telemetryClientEvents(telemetry.writer),
    countryOf,
    dashboardDir,
    caCertificateFile: options.caCertificateFile,
    sessionIdleTtlMs: options.sessionIdleMinutes === undefined ? undefined : options.sessionIdleMinutes * 60_000,
    logger: logger.child({ part: 'control' }),
  });
  closers.push(() => app.close());
  const control = await startControlServer({ app, port: options.port, host: options.host });
  closers.push(() => control.close());
  return control;
}

export async function runProxy(
  parts: Parts,
  options: { target: string; port: number; host: string; dataDir: string } & Settings<(typeof PROXY_SETTINGS)[number]>,
): Promise<RunningProxy> {
  const { bus, store, telemetry, logger, closers } = parts;
  const upstreamCa = options.upstreamCa === undefined ? undefined : [await readUpstreamCa(options.upstreamCa)];
  const proxy = await startProxy({
    target: options.target,
    port: options.port,
    host: options.host,
    bus,
    loadShaping: () => store.loadShaping(),
    telemetry: telemetry.writer,
    countryOf,
    insecureTarget: options.insecureTarget,
    upstreamCa,
    forward: {
      intercept: options.intercept,
      tunnelUnlisted: options.tunnelUnlisted,
      resolve: options.resolve,
      requireProxyAuth: options.requireProxyAuth,
      dataDir: options.dataDir,
    },
    abuseGuard: { enabled: options.abuseGuard, maxViolations: options.abuseMaxViolations, banMs: options.abuseBanSeconds * 1000 },
    webSocketLimits: {
      maxMessageBytes: options.wsMaxMessageMiB * MiB,
      maxQueuedBytes: options.wsQueueMiB * MiB,
      maxSessionQueuedBytes: options.wsSessionQueueMiB * MiB,
    },
    addressGuard: {
      enabled: options.addressGuard,
      rps: options.addressRps,
      burst: options.addressBurst,
      maxViolations: options.addressMaxViolations,
      banMs: options.addressBanSeconds * 1000,
    },
    headersTimeoutMs: options.headersTimeoutSeconds * 1000,
    bodyIdleTimeoutMs: options.bodyIdleTimeoutSeconds * 1000,
    logger: logger.child({ part: 'proxy' }),
  });
  closers.push(() => proxy.close());
  return proxy;
}

/** The --upstream-ca file's PEM text; a missing or non-PEM file is a bad setting, not a stack trace. */
async function readUpstreamCa(file: string): Promise<string> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`bad setting: --upstream-ca=${JSON.stringify(file)}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`bad setting: --upstream-ca=${JSON.stringify(file)}: expected PEM certificates (-----BEGIN CERTIFICATE-----)`);
  }
  return pem;
}
