import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** A target refused or not resolvable; the message is one line for the user. */
export class TargetError extends Error {
  override readonly name = 'TargetError';
}

export type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

const defaultLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true });

// 127.0.0.0/8 and ::1; BlockList also matches IPv4-mapped IPv6 (::ffff:127.0.0.1) against the IPv4 rule.
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return loopback.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Refuses a target that is not on this machine unless `allowRemote`: a load
 * generator pointed at someone else's server by a typo is an attack. Every
 * address the host resolves to must be loopback (a name that also resolves
 * elsewhere could be connected there).
 *
 * @example await checkTarget('http://localhost:8080/api/items', false) // resolves
 */
export async function checkTarget(url: string, allowRemote: boolean, lookup: Lookup = defaultLookup): Promise<void> {
  if (allowRemote) return;
  // URL keeps IPv6 literals in brackets: [::1]
  const hostname = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (isIP(hostname) !== 0) {
    addresses = [hostname];
  } else {
    try {
      addresses = (await lookup(hostname)).map((entry) => entry.address);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'lookup failed';
      throw new TargetError(`cannot resolve ${hostname} (${code})`);
    }
  }
  const remote = addresses.filter((address) => !isLoopbackAddress(address));
  if (addresses.length === 0 || remote.length > 0) {
    const shown = hostname === remote[0] ? hostname : `${hostname} (${remote.join(', ') || 'no address'})`;
    throw new TargetError(`refusing to load ${shown}: not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote to load a remote host`);
  }
}
