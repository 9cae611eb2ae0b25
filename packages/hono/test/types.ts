// Type-level test, checked by `tsc --noEmit` (npm run typecheck): c.get('auth') is typed honestly
// (possibly undefined), authOf(c) gives it typed as present, neither is `any`, and the lazy form's
// options function receives the app's typed bindings.
import type { AuthContext } from '@gatehouse/core';
import { Hono } from 'hono';
import { authOf, type GatehouseEnv, gatehouse } from '../src/index.js';

const auth = gatehouse({ apiKeys: [{ name: 'svc', key: 'svc-key-0123456789' }] });
const app = new Hono<GatehouseEnv>();
app.use(auth);
app.get('/', auth.admin(), auth.scopes('a'), auth.require({ scopes: ['b'], orAdmin: true }), (c) => {
  // @ts-expect-error: c.get('auth') may be undefined (public paths, optional routes)
  const unchecked: string = c.get('auth').subject;
  const maybe: AuthContext | undefined = c.get('auth');
  const subject: string = authOf(c).subject;
  // @ts-expect-error: AuthContext has no such field (authOf(c) is not `any`)
  authOf(c).notAField;
  return c.json({ subject, unchecked, maybe: maybe?.subject });
});

// authorize() finds its resource from Hono's context, typed as such.
app.get(
  '/records/:id',
  auth.authorize('read', (c) => ({ type: 'record', id: c.req.param('id') ?? '' })),
  (c) => c.json({ ok: true }),
);

interface Bindings {
  readonly GATEHOUSE_API_KEYS: string;
  readonly SESSIONS: { get(key: string): Promise<string | null> };
}
const worker = new Hono<{ Bindings: Bindings } & GatehouseEnv>();
worker.use(
  gatehouse((env: Bindings | undefined) => {
    // @ts-expect-error: env is undefined when `gate` is read before any request
    env.GATEHOUSE_API_KEYS;
    return { env, routes: true };
  }),
);
