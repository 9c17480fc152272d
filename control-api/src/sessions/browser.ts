import Bowser from 'bowser';

const TOOLS: readonly [RegExp, string][] = [
  [/^curl\//i, 'curl'],
  [/^Wget\//i, 'Wget'],
  [/python-requests/i, 'python-requests'],
  [/Go-http-client/i, 'Go http client'],
  [/node-fetch|undici|axios/i, 'Node.js client'],
];

/**
 * The browser family of a user agent, e.g. "Firefox", "Chrome (headless)",
 * "curl"; "Other" when nothing is recognised and "" when there is no user
 * agent. Parsed with bowser (well kept, MIT).
 */
export function browserFamily(userAgent: string): string {
  if (userAgent.trim() === '') return '';
  const name = Bowser.getParser(userAgent).getBrowserName();
  if (name !== '') return /HeadlessChrome/.test(userAgent) ? `${name} (headless)` : name;
  return TOOLS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? 'Other';
}
