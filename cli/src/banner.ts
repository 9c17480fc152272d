/** What `downspin start` prints once everything listens: where to go and how to try it. */
export function startBanner(facts: {
  proxyUrl: string;
  controlUrl: string;
  target: string;
  demo: boolean;
  adminKey: string;
  keySource: 'env' | 'file' | 'new';
  keyFile: string;
  storage: string;
}): string {
  // The demo app has /api/items; another app's paths are unknown, `/` exists.
  const tryPath = facts.demo ? '/api/items' : '/';
  const key =
    facts.keySource === 'env'
      ? `${facts.adminKey}  (from ADMIN_API_KEY)`
      : `${facts.adminKey}  (${facts.keySource === 'new' ? 'made now, saved in' : 'from'} ${facts.keyFile})`;
  return [
    '',
    '  downspin is running',
    '',
    `  proxy       ${facts.proxyUrl}  →  ${facts.target}${facts.demo ? '  (bundled demo app)' : ''}`,
    `  dashboard   ${facts.controlUrl}`,
    `  control API ${facts.controlUrl}/admin  (openapi: ${facts.controlUrl}/openapi.json)`,
    `  admin key   ${key}`,
    `  storage     ${facts.storage}`,
    '',
    '  Try it:',
    `    curl -s -H 'x-downspin-session: s1' ${facts.proxyUrl}${tryPath}`,
    `    curl -s -X POST -H 'X-API-Key: ${facts.adminKey}' -H 'content-type: application/json' \\`,
    `         -d '{"latency_ms":300}' ${facts.controlUrl}/admin/sessions/s1/downspin`,
    `    curl -s -H 'x-downspin-session: s1' ${facts.proxyUrl}${tryPath}   # now 300 ms slower`,
    '',
  ].join('\n');
}
