import type { AuthContext } from '../context.js';

/**
 * The identity of a request on a route that requires authentication, typed as present. Adapters type
 * `req.auth` (and `ctx.state.auth`, `request.auth`) as possibly undefined, because public paths and
 * optional routes have none; behind a required step, read it with this. Throws (a programming error,
 * answered 500) when there is none: the route is not behind a required Gatehouse step.
 *
 * @example
 * ```ts
 * app.get('/v1/whoami', (req, res) => void res.json({ subject: authOf(req).subject }));
 * ```
 */
export function authOf(holder: { readonly auth?: AuthContext | undefined }): AuthContext {
  const auth = holder.auth;
  if (auth === undefined) {
    throw new Error(
      'no authenticated identity on this request: the route is not behind a required Gatehouse step',
    );
  }
  return auth;
}
