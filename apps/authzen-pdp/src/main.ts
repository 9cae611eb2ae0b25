/**
 * `npm start -w apps/authzen-pdp`: an AuthZEN 1.0 PDP on `HOST:PORT` (default 127.0.0.1:4480) answering
 * from the Cedar policies in `AUTHZEN_POLICIES` (comma-separated files; default the interop Todo
 * scenario's) and the PIP entities in `AUTHZEN_ENTITIES` (a JSON file). Stops on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createPdp, type PipEntity } from './pdp.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/todo/${name}`, import.meta.url));

try {
  const env = process.env;
  const policyFiles = (env.AUTHZEN_POLICIES ?? fixture('policies.cedar')).split(',');
  const entitiesFile = env.AUTHZEN_ENTITIES ?? (env.AUTHZEN_POLICIES ? undefined : fixture('entities.json'));
  const policies = policyFiles.map((file) => readFileSync(file.trim(), 'utf8')).join('\n');
  const entities = entitiesFile ? (JSON.parse(readFileSync(entitiesFile, 'utf8')) as PipEntity[]) : [];
  const host = env.HOST ?? '127.0.0.1';
  const port = Number(env.PORT ?? 4480);
  const server = createServer(createPdp({ policies, entities }));
  server.listen(port, host, () => console.log(`authzen-pdp listening on http://${host}:${port}`));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  console.error(`authzen-pdp: ${(err as Error).message}`);
  process.exit(1);
}
