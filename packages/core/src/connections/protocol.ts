/**
 * The `gatehouse.v1` conventions of long-lived connections, the same on every transport: the
 * subprotocol carrier of browser tokens, the close codes, and the few JSON messages Gatehouse itself
 * sends or answers on a WebSocket (docs/long-lived-connections.md).
 */
import type { AuthContext } from '../context.js';

/** The marker subprotocol: offered by the client with the carrier, selected by the server. */
export const GATEHOUSE_SUBPROTOCOL = 'gatehouse.v1';

/**
 * The prefix of the carrier subprotocol: `gatehouse.bearer.<base64url of the token>` (no padding). The
 * server reads it, never selects it, and never echoes it.
 */
export const BEARER_SUBPROTOCOL_PREFIX = 'gatehouse.bearer.';

/** Why Gatehouse closed a connection: the reason sent with the close code (it never names a secret). */
export type ConnectionCloseReason = 'revoked' | 'expired' | 'shutdown';

/**
 * The close code and reason for each cause: 4001 (in the 4000–4999 range RFC 6455 §7.4.2 leaves to
 * applications) when the credentials ended, 1001 (going away) when the server shuts down.
 *
 * @example
 * ```ts
 * ws.on('close', (code, reason) => {
 *   if (code === CLOSE_CODES.revoked.code) console.error(`credentials ended: ${reason}`); // revoked | expired
 * });
 * ```
 */
export const CLOSE_CODES: Readonly<
  Record<ConnectionCloseReason, { readonly code: number; readonly reason: ConnectionCloseReason }>
> = Object.freeze({
  revoked: Object.freeze({ code: 4001, reason: 'revoked' as const }),
  expired: Object.freeze({ code: 4001, reason: 'expired' as const }),
  shutdown: Object.freeze({ code: 1001, reason: 'shutdown' as const }),
});

/** The first message on an accepted WebSocket: who the connection runs as (never a credential). */
export interface WelcomeMessage {
  readonly type: 'welcome';
  readonly subject: string;
  readonly issuer: string;
  readonly authType: AuthContext['authType'];
}

/**
 * The welcome message of an identity, serialized.
 *
 * @example
 * ```ts
 * ws.send(welcomeMessage(auth)); // {"type":"welcome","subject":"alice","issuer":"https://…","authType":"oidc"}
 * ```
 */
export function welcomeMessage(auth: AuthContext): string {
  const message: WelcomeMessage = {
    type: 'welcome',
    subject: auth.subject,
    issuer: auth.issuer,
    authType: auth.authType,
  };
  return JSON.stringify(message);
}

/** What a client sends to replace its credentials in band (where the transport opted in). */
export interface ReauthenticateMessage {
  readonly type: 'reauthenticate';
  /** The new access token (or API key), as it would follow `Bearer `. */
  readonly token: string;
}

/**
 * The server's answer to a {@link ReauthenticateMessage}: the new credentials are in force (until
 * `expiresAt`, seconds since the epoch, or null when they do not expire), or they were refused and the
 * connection keeps running on the old ones until those end.
 */
export type ReauthenticationAnswer =
  | { readonly type: 'reauthenticated'; readonly expiresAt: number | null }
  | { readonly type: 'reauthentication_failed'; readonly error: string; readonly error_description: string };

/**
 * The token of a WebSocket text message that is a {@link ReauthenticateMessage} (`''` when it has none),
 * else undefined (any other message belongs to the application). Cheap for every other message: no parse unless the text
 * names the type.
 *
 * @example
 * ```ts
 * const token = reauthenticationToken('{"type":"reauthenticate","token":"eyJ…"}'); // 'eyJ…'
 * ```
 */
export function reauthenticationToken(text: string, maxLength = 16_384): string | undefined {
  if (text.length > maxLength || !text.includes('"reauthenticate"')) return undefined;
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (message === null || typeof message !== 'object') return undefined;
  const { type, token } = message as Record<string, unknown>;
  if (type !== 'reauthenticate') return undefined;
  // A re-authentication without a usable token is still Gatehouse's to answer (and refuse).
  return typeof token === 'string' ? token : '';
}
