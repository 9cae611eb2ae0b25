// A service written from @gatehouse/fastify's README: routes: true, configured only by GATEHOUSE_*.
import { authOf, gatehouse } from '@gatehouse/fastify';
import Fastify from 'fastify';

const app = Fastify();
await app.register(gatehouse, { routes: true, publicPaths: ['/health'] });
app.get('/health', () => ({ status: 'ok' }));
app.get('/v1/whoami', (request) => ({ subject: authOf(request).subject, via: 'fastify' }));
app.get('/v1/admin/status', { config: { gatehouse: { admin: true } } }, () => ({ ok: true }));
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ port: app.server.address().port }));
