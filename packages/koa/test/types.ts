// Type-level test, checked by `tsc --noEmit` (npm run typecheck): Koa's DefaultState augmentation types
// ctx.state.auth honestly (possibly undefined), authOf(ctx) gives it typed as present, and neither is `any`.
import type { AuthContext } from '@gatehouse/core';
import Router, { type RouterContext } from '@koa/router';
import Koa from 'koa';
import { authOf, gatehouse } from '../src/index.js';

const auth = gatehouse({ provider: { validateToken: async () => ({}) as AuthContext } });
const router = new Router();
router.get('/', auth.admin(), auth.scopes('a'), auth.require({ scopes: ['b'], orAdmin: true }), (ctx) => {
  // @ts-expect-error: ctx.state.auth may be undefined (public paths, optional routes)
  const unchecked: string = ctx.state.auth.subject;
  const maybe: AuthContext | undefined = ctx.state.auth;
  const subject: string = authOf(ctx).subject;
  // @ts-expect-error: AuthContext has no such field (authOf(ctx) is not `any`)
  authOf(ctx).notAField;
  ctx.body = { subject, unchecked, maybe };
});
new Koa().use(auth).use(router.routes());
// The authorization step: the resource from the router's context, or as it is.
router.get(
  '/processes/:id',
  auth.authorize('read', (ctx: RouterContext) => ({ type: 'process', id: String(ctx.params.id) })),
  auth.authorize('list', async () => ({ type: 'process' })),
  (ctx) => {
    ctx.body = 'ok';
  },
);
