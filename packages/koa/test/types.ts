// Type-level test, checked by `tsc --noEmit` (npm run typecheck): Koa's DefaultState augmentation must type
// ctx.state.auth without casts, and must not turn it into `any`.
import type { AuthContext } from '@gatehouse/core';
import Router from '@koa/router';
import Koa from 'koa';
import { gatehouse } from '../src/index.js';

const auth = gatehouse({ provider: { validateToken: async () => ({}) as AuthContext } });
const router = new Router();
router.get('/', auth.admin(), auth.scopes('a'), (ctx) => {
  const subject: string = ctx.state.auth.subject;
  // @ts-expect-error: AuthContext has no such field (ctx.state.auth is not `any`)
  ctx.state.auth.notAField;
  ctx.body = { subject };
});
new Koa().use(auth).use(router.routes());
