import { type FetchLimits, fetchJson } from '../jwks/fetch-json.js';
import { encodeBase64, utf8Bytes } from '../platform/encoding.js';

/** How Gatehouse authenticates to an introspection endpoint (RFC 7662 §2.1, RFC 6749 §2.3.1). */
export interface IntrospectionClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** `client_secret_basic` (default) or `client_secret_post`. */
  readonly authMethod?: 'client_secret_basic' | 'client_secret_post';
}

/**
 * POSTs one token to an introspection endpoint (RFC 7662 §2.1) and returns its JSON answer, which must
 * hold a boolean `active`. The token travels only in the request body, never in a URL or a log line.
 */
export async function introspect(
  endpoint: string,
  token: string,
  client: IntrospectionClient,
  limits: FetchLimits,
): Promise<Record<string, unknown>> {
  const form = new URLSearchParams({ token, token_type_hint: 'access_token' });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.authMethod === 'client_secret_post') {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
  } else {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined and base64-encoded.
    const credentials = `${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`;
    headers.authorization = `Basic ${encodeBase64(utf8Bytes(credentials), 'base64')}`;
  }
  const answer = await fetchJson(endpoint, limits, { headers, body: form.toString() });
  if (typeof answer.active !== 'boolean')
    throw new Error(`introspection answer has no boolean "active" (${endpoint})`);
  return answer;
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
