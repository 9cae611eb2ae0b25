// Type-level test, checked by `tsc --noEmit` (npm run typecheck): the Express augmentation types req.auth
// honestly (possibly undefined: public paths and optional routes have none), authOf(req) gives it typed as
// present, and neither is `any`.
import type { AuthContext } from '@gatehouse/core';
import express from 'express';
import { authOf, gatehouse } from '../src/index.js';

const app = express();
const auth = gatehouse({ provider: { validateToken: async () => ({}) as AuthContext } });
app.use(auth);
app.get('/', auth.admin(), auth.scopes('a', 'b'), auth.optional(), auth.required(), (req, res) => {
  // @ts-expect-error: req.auth may be undefined (public paths, optional routes)
  const unchecked: string = req.auth.subject;
  const maybe: AuthContext | undefined = req.auth;
  const subject: string = authOf(req).subject;
  const admin: boolean = authOf(req).isAdmin;
  const scopes: readonly string[] = authOf(req).scopes;
  // @ts-expect-error: AuthContext has no such field (authOf(req) is not `any`)
  authOf(req).notAField;
  // @ts-expect-error: the identity is read-only
  authOf(req).isAdmin = true;
  res.json({ subject, admin, scopes, unchecked, maybe });
});
app.get('/metrics', auth.require({ scopes: ['metrics:read'], orAdmin: true }), (_req, res) => {
  res.end();
});
// The authorization step: the resource from the request as the route types it, or as it is.
app.get(
  '/processes/:id',
  auth.authorize('read', (req: express.Request<{ id: string }>) => ({ type: 'process', id: req.params.id })),
  auth.authorize('list', { type: 'process' }),
  (_req, res) => void res.end(),
);
// @ts-expect-error: a resource needs its type
auth.authorize('read', { id: 'p-1' });
