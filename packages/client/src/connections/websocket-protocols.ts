import { BEARER_SUBPROTOCOL_PREFIX, GATEHOUSE_SUBPROTOCOL } from '@gatehouse/core';
import { InvalidOptionsError } from '../errors.js';

/**
 * The `protocols` argument of `new WebSocket(url, protocols)` that carries an access token (or API key)
 * to a Gatehouse server from a browser, which cannot set `Authorization` on a WebSocket:
 * `['gatehouse.v1', …yours, 'gatehouse.bearer.<base64url of the token>']`. The server reads the token,
 * selects `gatehouse.v1` (or one of yours), and never echoes the token; nothing goes into the URL.
 * Runs in browsers and Node (no `Buffer`).
 *
 * @example
 * ```ts
 * import { webSocketProtocols } from '@gatehouse/client';
 *
 * declare const accessToken: string; // from your login
 * const ws = new WebSocket('wss://api.example.com/v1/stream', webSocketProtocols(accessToken));
 * ws.onmessage = (event) => console.log(JSON.parse(event.data)); // {"type":"welcome",…} first
 * ```
 */
export function webSocketProtocols(token: string, protocols: readonly string[] = []): string[] {
  if (typeof token !== 'string' || token.length === 0) {
    throw new InvalidOptionsError('token', 'webSocketProtocols() needs a non-empty access token or API key');
  }
  return [GATEHOUSE_SUBPROTOCOL, ...protocols, `${BEARER_SUBPROTOCOL_PREFIX}${base64url(token)}`];
}

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
