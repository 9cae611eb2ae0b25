// A service written from @gatehouse/koa's README: routes: true, configured only by GATEHOUSE_*.
import { authOf, gatehouse } from '@gatehouse/koa';
import Router from '@koa/router';
import Koa from 'koa';

const auth = gatehouse({ routes: true, publicPaths: ['/health'] });
const router = new Router();
router.get('/health', (ctx) => {
  ctx.body = { status: 'ok' };
});
router.get('/v1/whoami', (ctx) => {
  ctx.body = { subject: authOf(ctx).subject, via: 'koa' };
});
router.get('/v1/admin/status', auth.admin(), (ctx) => {
  ctx.body = { ok: true };
});
const server = new Koa()
  .use(auth)
  .use(router.routes())
  .listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
