import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { normalizeHost } from './hosts.js';

/**
 * `--resolve host:port:address`, as curl's: the proxy connects to `address`
 * for `host:port`, while TLS (SNI, certificate check) and Host keep the
 * real name. Other hosts go through the system resolver.
 */
export class ResolveMap {
  private readonly entries = new Map<string, string>();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const { host, port, address } = parseResolveEntry(entry);
      this.entries.set(`${host}:${port}`, address);
    }
  }

  /** The mapped address of host:port, if any. */
  addressOf(host: string, port: number): string | undefined {
    return this.entries.get(`${host}:${port}`);
  }

  /** A net `lookup` for connections to host:port: the mapping, else the system resolver. */
  lookupFor(port: number): LookupFunction {
    return (hostname, options, callback) => {
      const address = this.addressOf(hostname, port);
      if (address === undefined) {
        dns.lookup(hostname, options, callback as never);
        return;
      }
      const family = isIP(address);
      if (options.all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [{ address, family }]);
      else callback(null, address, family);
    };
  }
}

/** Parses one `host:port:address` entry (IPv6 address in brackets or bare); throws with the reason. */
export function parseResolveEntry(raw: string): { host: string; port: number; address: string } {
  const entry = raw.trim();
  const match = /^([^:]+):(\d{1,5}):(.+)$/.exec(entry);
  const host = match === null ? undefined : normalizeHost(match[1]!);
  const port = match === null ? NaN : Number(match[2]);
  const address = match === null ? '' : match[3]!.replace(/^\[(.*)\]$/, '$1');
  if (host === undefined || !(port >= 1 && port <= 65535) || isIP(address) === 0) {
    throw new Error(`"${raw}" is not host:port:address (e.g. api.staging.test:443:127.0.0.1)`);
  }
  return { host, port, address };
}
