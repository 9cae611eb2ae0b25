import { type NodeRequestLike, NodeRequestView } from '@gatehouse/core';
import type { WebConnection } from './view.js';

const NONE: WebConnection = Object.freeze({});

/**
 * The connection of `request`, from the second argument its server hands a fetch handler:
 * `@hono/node-server`'s `{ incoming }` (the socket: peer address, listening origin, client certificate),
 * `Bun.serve`'s server (`requestIP`, also as `{ server }`), `Deno.serve`'s info (`remoteAddr`). Nothing
 * is known of the client elsewhere (a Worker's `env`, a Next.js route's context): pass the connection
 * yourself there. The argument itself is kept as `env`, for a lazily built gate's options.
 *
 * @example
 * ```ts
 * Bun.serve({ fetch: (request, server) => handle(request, serverConnection(request, server)) });
 * ```
 */
export function serverConnection(request: Request, server: unknown): WebConnection {
  if (server === null || typeof server !== 'object') return NONE;
  const env = server as Record<string, unknown>;
  const incoming = env.incoming as NodeRequestLike | undefined;
  if (incoming?.socket) {
    const view = new NodeRequestView(incoming);
    return { address: view.remoteAddress, origin: view.origin(), certificate: view.peerCertificate(), env };
  }
  const bun = ('server' in env ? env.server : env) as {
    requestIP?: (request: Request) => { address?: string } | null;
  };
  if (typeof bun?.requestIP === 'function') return { address: bun.requestIP(request)?.address, env };
  const remote = env.remoteAddr as { hostname?: unknown } | undefined;
  if (typeof remote?.hostname === 'string') return { address: remote.hostname, env };
  return { env };
}
