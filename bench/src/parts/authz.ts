import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AuthContext,
  type Authorizer,
  type AuthzOptions,
  type AuthzResource,
  type AuthzVerdict,
  checkRequirement,
  createAuthContext,
  createAuthorizer,
} from '@gatehouse/core';
import { createPdp } from '@gatehouse/example-authzen-pdp';
import { bench, do_not_optimize, group } from 'mitata';
import { runMitata } from './mitata-rows.js';

// The cost of an allow through each authorization backend, with the decision cached and not, next to a
// scopes-only requirement: one process, the decision alone (no HTTP in front; the AuthZEN PDP is the
// example PDP on a loopback port in this process, so its uncached figure includes its own work too).
const ISSUER = 'https://idp.example.com';
const OWNERSHIP_CEDAR = fileURLToPath(
  new URL('../../../apps/authzen-pdp/fixtures/ownership/policies.cedar', import.meta.url),
);

async function main(): Promise<void> {
  const auth = createAuthContext({
    subject: 'alice',
    issuer: ISSUER,
    authType: 'oidc',
    scopes: ['telemetry:read'],
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  const record: AuthzResource = { type: 'process', id: 'p-1', owner: { subject: 'alice', issuer: ISSUER } };

  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-authz-'));
  const cedarFile = join(dir, 'ownership.cedar');
  writeFileSync(
    cedarFile,
    'permit (principal, action == Action::"read", resource) when { principal.isAdmin };\n' +
      'permit (principal, action == Action::"read", resource) when { resource has owner && resource.owner == principal };\n',
  );
  const pdpServer = createServer(createPdp({ policies: readFileSync(OWNERSHIP_CEDAR, 'utf8') }));
  await new Promise<void>((r) => pdpServer.listen(0, '127.0.0.1', r));
  const pdpUrl = `http://127.0.0.1:${(pdpServer.address() as AddressInfo).port}`;

  const backends: Record<string, AuthzOptions> = {
    rules: {
      backend: 'rules',
      rules: [{ action: 'read', allow: { any: [{ admin: true }, { owner: true }] } }],
    },
    cedar: { backend: 'cedar', policies: cedarFile, watch: false },
    authzen: { backend: 'authzen', url: pdpUrl },
  };
  const built: { name: string; cached: Authorizer; uncached: Authorizer }[] = [];
  for (const [name, options] of Object.entries(backends)) {
    const cached = createAuthorizer(options);
    const uncached = createAuthorizer({ ...options, cache: { size: 0 } });
    // Every backend must allow (and the cached one must now hold the decision).
    for (const authorizer of [cached, uncached]) {
      const verdict = await authorizer.authorize(auth, 'read', record);
      if (!verdict.allowed) throw new Error(`${name} did not allow: ${verdict.error.code}`);
    }
    if (cached.authorize(auth, 'read', record) instanceof Promise)
      throw new Error(`${name}: not answered in memory`);
    built.push({ name, cached, uncached });
  }

  const decide = (authorizer: Authorizer, who: AuthContext) =>
    authorizer.authorize(who, 'read', record) as AuthzVerdict;
  group('an allow: scopes-only requirement vs each authorization backend', () => {
    bench('scopes-only requirement (checkRequirement)', () =>
      do_not_optimize(checkRequirement(auth, { scopes: ['telemetry:read'] })),
    );
    for (const { name, cached } of built) {
      if (name === 'rules') continue;
      bench(`${name}, decision cached`, () => do_not_optimize(decide(cached, auth)));
    }
    for (const { name, uncached } of built) {
      if (name === 'rules') {
        bench('rules (never cached: decided in process every time)', () =>
          do_not_optimize(decide(uncached, auth)),
        );
      } else if (name === 'authzen') {
        bench(`${name}, uncached (one PDP round trip on loopback)`, async () =>
          do_not_optimize(await uncached.authorize(auth, 'read', record)),
        );
      } else {
        bench(`${name}, uncached`, () => do_not_optimize(decide(uncached, auth)));
      }
    }
  });

  const { cpu, rows } = await runMitata();
  for (const { cached, uncached } of built) {
    cached.close();
    uncached.close();
  }
  pdpServer.closeAllConnections();
  pdpServer.close();
  process.stdout.write(`${JSON.stringify({ cpu, rows })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
