import { serverConnection, type WebConnection } from '@gatehouse/web';
import type { Context } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';

/**
 * How the middleware learns a request's connection: through a Hono `getConnInfo` when one is given
 * (then only the remote address is known), else from the server's bindings in `c.env`
 * (`@hono/node-server`, `Bun.serve`, `Deno.serve`: the same bindings Hono's `getConnInfo` helpers read;
 * they are read directly because `hono/bun` cannot even be imported outside Bun, and
 * `@hono/node-server` must not be loaded on the other runtimes).
 */
export function connectionReader(getConnInfo: GetConnInfo | undefined): (c: Context) => WebConnection {
  if (getConnInfo === undefined) return (c) => serverConnection(c.req.raw, c.env);
  return (c) => ({ address: getConnInfo(c).remote.address });
}
