/**
 * Which hosts forward mode intercepts: `--intercept` rules, each an exact
 * host name (`staging.example.com`) or `*.` and a domain
 * (`*.staging.example.com`: any name ending in `.staging.example.com`, at
 * any depth, not the domain itself). Matching is on whole labels, so
 * `*.example.com` never matches `example.com.evil.net` or `evilexample.com`.
 * No other wildcard: a rule that could match more than its author read is
 * a way to an open proxy.
 */
export class HostRules {
  private readonly exact = new Set<string>();
  /** `.staging.example.com` for `*.staging.example.com`. */
  private readonly suffixes: string[] = [];

  constructor(readonly rules: readonly string[]) {
    for (const rule of rules) {
      if (rule.startsWith('*.')) this.suffixes.push(rule.slice(1));
      else this.exact.add(rule);
    }
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Whether `host` (a normalized host name, see normalizeHost) is listed. */
  matches(host: string): boolean {
    if (this.exact.has(host)) return true;
    for (const suffix of this.suffixes) if (host.length > suffix.length && host.endsWith(suffix)) return true;
    return false;
  }
}

const RULE_LABEL = /^(?:[a-z0-9_-]{1,63})$/;

/**
 * A host name as rules and tunnels compare it: lower case, without a
 * trailing dot and without IPv6 brackets. Undefined for anything that is not
 * a DNS name or an IP literal (so garbage never reaches a resolver).
 */
export function normalizeHost(raw: string): string | undefined {
  let host = raw.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.includes(':')) return /^[0-9a-f:.]{2,45}$/.test(host) ? host : undefined;
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.length === 0 || host.length > 253) return undefined;
  for (const label of host.split('.')) if (!RULE_LABEL.test(label)) return undefined;
  return host;
}

/** Parses one `--intercept` rule; throws with the reason for a rule that is neither form. */
export function parseHostRule(raw: string): string {
  const rule = raw.trim().toLowerCase().replace(/\.$/, '');
  const name = rule.startsWith('*.') ? rule.slice(2) : rule;
  if (name === '' || name.length > 253 || !name.split('.').every((label) => RULE_LABEL.test(label))) {
    throw new Error(`"${raw}" is not a host rule: give a host name (staging.example.com) or *. and a domain (*.staging.example.com)`);
  }
  if (rule.startsWith('*.') && !name.includes('.')) {
    throw new Error(`"${raw}" would intercept a whole top-level domain: name a domain (*.staging.example.com)`);
  }
  return rule;
}
