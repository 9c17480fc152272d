import type { ForwardOptions } from '../options.js';
import { LocalCa } from './ca.js';
import { HostRules, parseHostRule } from './hosts.js';
import { ForwardMode } from './mode.js';
import { ResolveMap } from './resolve-map.js';
import { Upstreams, type UpstreamTrust } from './upstreams.js';

export { ConnectHandler } from './connect.js';
export { ForwardMode } from './mode.js';
export { LocalCa, caFiles, spkiSha256, type CaInfo, type CaFiles } from './ca.js';
export { parseHostRule } from './hosts.js';
export { PROXY_AUTHENTICATE } from './authority.js';
export { parseResolveEntry } from './resolve-map.js';

/**
 * Builds forward mode from its options (throws with the reason for a bad
 * rule or mapping). The local CA is opened, made on first use, only when
 * hosts are listed: without them nothing is intercepted.
 */
export async function createForwardMode(options: ForwardOptions | undefined, trust: UpstreamTrust): Promise<ForwardMode> {
  const rules = new HostRules((options?.intercept ?? []).filter((rule) => rule.trim() !== '').map(parseHostRule));
  const resolve = new ResolveMap(options?.resolve ?? []);
  let ca: LocalCa | undefined;
  if (!rules.empty) {
    if (options?.dataDir === undefined) throw new Error('forward mode needs a data dir for its local CA (forward.dataDir)');
    ca = await LocalCa.open(options.dataDir);
  }
  return new ForwardMode({
    rules,
    tunnelUnlisted: options?.tunnelUnlisted ?? false,
    requireProxyAuth: options?.requireProxyAuth ?? false,
    resolve,
    upstreams: new Upstreams(resolve, trust),
    ca,
  });
}
