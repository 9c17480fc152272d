import { BlockList, isIP } from 'node:net';

/**
 * Addresses an unlisted host may never be tunnelled to: the proxy's own
 * machine (loopback, unspecified), link-local networks and the cloud
 * metadata services on them. A tunnel there would let any client reach
 * what only the proxy's host can (an admin port, instance credentials).
 * A host someone listed in --intercept may resolve anywhere: they chose it.
 */
const FORBIDDEN = new BlockList();
FORBIDDEN.addSubnet('0.0.0.0', 8, 'ipv4');
FORBIDDEN.addSubnet('127.0.0.0', 8, 'ipv4');
FORBIDDEN.addSubnet('169.254.0.0', 16, 'ipv4');
// Alibaba Cloud's metadata service, outside link-local.
FORBIDDEN.addAddress('100.100.100.200', 'ipv4');
FORBIDDEN.addAddress('::', 'ipv6');
FORBIDDEN.addAddress('::1', 'ipv6');
FORBIDDEN.addSubnet('fe80::', 10, 'ipv6');
// AWS's IPv6 metadata endpoint (fd00:ec2::254) and its DNS.
FORBIDDEN.addSubnet('fd00:ec2::', 32, 'ipv6');

/** Whether an unlisted host may not be tunnelled to this address (an IPv4-mapped IPv6 address is judged as its IPv4). */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped !== null) return FORBIDDEN.check(mapped[1]!, 'ipv4');
    return FORBIDDEN.check(address, 'ipv6');
  }
  return FORBIDDEN.check(address, 'ipv4');
}
