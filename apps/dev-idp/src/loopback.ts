import { isIPv4 } from 'node:net';

/** Thrown when asked to bind anywhere but loopback. */
export class NonLoopbackHostError extends Error {
  readonly code = 'DEV_IDP_NON_LOOPBACK_HOST';
  readonly host: string;

  constructor(host: string) {
    super(
      `"host" is ${JSON.stringify(host)}: this is a development identity provider and it refuses non-loopback ` +
        'binds; use 127.0.0.1 (or another 127.0.0.0/8 address), ::1 or localhost',
    );
    this.name = 'NonLoopbackHostError';
    this.host = host;
  }
}

/** True for 127.0.0.0/8, ::1 and localhost; false for everything else, 0.0.0.0 and :: included. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost' || bare === '::1') return true;
  return isIPv4(bare) && bare.split('.')[0] === '127';
}

/**
 * True for an `http://` or `https://` URL on loopback without a fragment: a resource (an API, an MCP
 * server) running on this machine, which the dev IdP issues tokens for without being told about it.
 */
export function isLoopbackResource(resource: string): boolean {
  if (!URL.canParse(resource) || resource.includes('#')) return false;
  const url = new URL(resource);
  return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname);
}

/** The issuer identifier for a loopback bind: `http://127.0.0.1:4400`, `http://[::1]:4400`, … */
export function issuerFor(host: string, port: number): string {
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  return bare === '::1' ? `http://[::1]:${port}` : `http://${bare}:${port}`;
}

/**
 * RFC 8252 section 7.3: a loopback redirect URI matches a registered one whatever its port, so a client
 * can listen on any free port. oidc-provider does this for `application_type: 'native'` clients only;
 * the dev IdP applies it to every client whose registered redirect URI is an http loopback URI.
 */
export function loopbackRedirectMatches(requested: string, registered: readonly string[]): boolean {
  const wanted = withoutPort(requested);
  return wanted !== undefined && registered.some((uri) => withoutPort(uri) === wanted);
}

// Strips the port from the string itself (no URL normalisation), so that everything but the port must
// still match exactly, as for any other redirect URI.
const LOOPBACK_URI = /^http:\/\/(\[::1\]|localhost|127(?:\.\d{1,3}){3})(?::\d{1,5})?([/?#].*)?$/s;

function withoutPort(uri: string): string | undefined {
  const match = LOOPBACK_URI.exec(uri);
  if (!match || !isLoopbackHost(match[1]!)) return undefined;
  return `http://${match[1]}${match[2] ?? ''}`;
}
