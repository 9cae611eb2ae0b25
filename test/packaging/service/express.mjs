// A service written from @gatehouse/express's README: routes: true, configured only by GATEHOUSE_*.
import { authOf, gatehouse } from '@gatehouse/express';
import express from 'express';

const app = express();
const auth = gatehouse({ routes: true, publicPaths: ['/health'] });
app.use(auth);
app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
app.get('/v1/whoami', (req, res) => void res.json({ subject: authOf(req).subject, via: 'express' }));
app.get('/v1/admin/status', auth.admin(), (_req, res) => void res.json({ ok: true }));
const server = app.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
