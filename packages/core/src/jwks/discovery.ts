import { type FetchLimits, fetchJson } from './fetch-json.js';
import { urlProblem } from './url.js';

/**
 * Where an issuer's OpenID discovery document is: the configured (or preset) `discoveryUrl`, else
 * `<issuer>/.well-known/openid-configuration`.
 */
export function discoveryUrlOf(issuer: string, discoveryUrl?: string): string {
  return discoveryUrl ?? `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/**
 * Fetches an issuer's discovery document and returns one endpoint from it (`jwks_uri`,
 * `introspection_endpoint`, …), checked: the document must name exactly the issuer it was fetched for
 * (OpenID Connect Discovery §4.3), and the endpoint must be a URL Gatehouse may call (`https://`, or
 * `http://` on loopback). Throws with the URL and the reason, never a credential.
 */
export async function discoverEndpoint(
  issuer: string,
  name: 'jwks_uri' | 'introspection_endpoint',
  limits: FetchLimits,
  discoveryUrl?: string,
): Promise<string> {
  const url = discoveryUrlOf(issuer, discoveryUrl);
  const metadata = await fetchJson(url, limits);
  if (metadata.issuer !== issuer) throw new Error(`discovery document names another issuer (${url})`);
  const endpoint = metadata[name];
  if (typeof endpoint !== 'string') throw new Error(`discovery document has no ${name} (${url})`);
  const problem = urlProblem(endpoint);
  if (problem) throw new Error(`discovery ${name} ${problem} (${url})`);
  return endpoint;
}
