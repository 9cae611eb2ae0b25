import { type AuthContext, connectionAuth } from '@gatehouse/core';

/**
 * The identity of a gateway's client: a `ws` socket the gate accepted (`GatehouseWsAdapter`), or a
 * Socket.IO socket (`GatehouseIoAdapter` puts it on `socket.data.auth`). Undefined for a client no
 * gate accepted.
 *
 * @example
 * ```ts
 * handleConnection(client: WebSocket) { this.log(socketAuth(client)?.subject); }
 * ```
 */
export function socketAuth(client: unknown): AuthContext | undefined {
  if (client === null || typeof client !== 'object') return undefined;
  return connectionAuth(client) ?? (client as { data?: { auth?: AuthContext } }).data?.auth;
}
