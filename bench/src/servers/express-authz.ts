import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AuthzOptions, AuthzResource } from '@gatehouse/core';
import { createPdp } from '@gatehouse/example-authzen-pdp';
import { gatehouse } from '@gatehouse/express';
import express, { type Express, type Request } from 'express';
import type { ServerConfig } from '../fixture.js';
import { gatehouseConfig } from './common.js';

// The authorization step over HTTP (issue 22): the main middleware, then a route step that asks whether
// the identity may read a record it owns (`auth.authorize`), next to a scopes-only route step
// (`auth.scopes`). The run's API key gets the scope too, so that every check passes the same way.
const OWNERSHIP_CEDAR = fileURLToPath(
  new URL('../../../apps/analytics-koa/policies/ownership.cedar', import.meta.url),
);
const PDP_POLICIES = fileURLToPath(
  new URL('../../../apps/authzen-pdp/fixtures/ownership/policies.cedar', import.meta.url),
);
const SCOPE = 'api:read';

/** The variants and their backend; `uncached`: a decision cache of size 0 (every request decides). */
export const AUTHZ_VARIANTS: Readonly<Record<string, { backend?: string; uncached?: boolean }>> = {
  'gatehouse-express-scopes': {},
  'gatehouse-express-rules': { backend: 'rules' },
  'gatehouse-express-cedar': { backend: 'cedar' },
  'gatehouse-express-cedar-uncached': { backend: 'cedar', uncached: true },
  'gatehouse-express-authzen': { backend: 'authzen' },
  'gatehouse-express-authzen-uncached': { backend: 'authzen', uncached: true },
};

/** A record the identity owns. */
const own = (req: Request): AuthzResource => ({
  type: 'process',
  id: 'p-1',
  owner: { subject: req.auth!.subject, issuer: req.auth!.issuer },
});

export async function createExpressAuthzApp(variant: string, config: ServerConfig): Promise<Express> {
  const choice = AUTHZ_VARIANTS[variant];
  if (choice === undefined) throw new Error(`unknown authorization variant ${variant}`);
  const authz = choice.backend === undefined ? undefined : await backend(choice.backend, choice.uncached);
  const base = gatehouseConfig(config);
  const auth = gatehouse({
    ...base,
    apiKeys: [{ name: config.apiKeyName, key: config.apiKey, scopes: [SCOPE] }],
    ...(authz ? { authz } : {}),
  });
  const server = express();
  server.use(auth);
  const step = authz === undefined ? auth.scopes(SCOPE) : auth.authorize('read', own);
  server.get('/v1/whoami', step, (req, res) => {
    res.json({ subject: req.auth!.subject });
  });
  return server;
}

async function backend(name: string, uncached = false): Promise<AuthzOptions> {
  const cache = uncached ? { cache: { size: 0 } } : {};
  if (name === 'rules') {
    return {
      backend: 'rules',
      rules: [{ action: 'read', allow: { any: [{ admin: true }, { owner: true }] } }],
    };
  }
  if (name === 'cedar') return { backend: 'cedar', policies: OWNERSHIP_CEDAR, watch: false, ...cache };
  // The example PDP on a loopback port of this process: its own work is in the uncached figure too.
  const pdp = createServer(createPdp({ policies: readFileSync(PDP_POLICIES, 'utf8') }));
  await new Promise<void>((resolve) => pdp.listen(0, '127.0.0.1', resolve));
  pdp.keepAliveTimeout = 60_000;
  return { backend: 'authzen', url: `http://127.0.0.1:${(pdp.address() as AddressInfo).port}`, ...cache };
}
