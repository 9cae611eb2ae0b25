/**
 * `@gatehouse/testkit/vitest`: the real parts as vitest fixtures (`test.extend`). A separate entry, so
 * that the bench and the demo (plain Node programs) import the main entry without vitest.
 *
 * File-scoped parts (the identity provider) start once per test file, at the first test that asks for
 * them; test-scoped ones (the CLI sandbox) are fresh for every test. A file varies them with
 * `test.override` at its top level, e.g. `test.override('idpOptions', { passwordGrant: true })`.
 */
import type { DevIdp, DevIdpOptions } from '@gatehouse/dev-idp';
import { test } from 'vitest';
import { ensureBuilt } from './build.js';
import { createSandbox, loginEnv, type Sandbox } from './cli/sandbox.js';
import { startCountingProxy } from './counting-proxy.js';
import type { TestIssuer } from './issuer.js';

/**
 * The dev IdP fixtures:
 * - `idpOptions` (file): the `startDevIdp` options of this file, `{}` unless overridden;
 * - `idp` (file): `@gatehouse/dev-idp` on a free loopback port with those options;
 * - `issuer` (file): that IdP with a counting proxy in front ({@link TestIssuer}).
 *
 * @example
 * ```ts
 * import { idpTest as test } from '@gatehouse/testkit/vitest';
 *
 * test.override('idpOptions', { signingAlg: 'ES256' });
 *
 * test('verifies an ES256 token', async ({ idp }) => {
 *   const token = await idp.signAccessToken({ sub: 'alice' });
 * });
 * ```
 */
export const idpTest = test
  .extend('idpOptions', { scope: 'file' }, {} as DevIdpOptions)
  .extend('idp', { scope: 'file' }, async ({ idpOptions }, { onCleanup }): Promise<DevIdp> => {
    // Loaded on first use, like startTestIssuer: a file that never asks for an IdP never loads it.
    const { startDevIdp } = await import('@gatehouse/dev-idp');
    const idp = await startDevIdp(idpOptions);
    onCleanup(() => idp.close());
    return idp;
  })
  .extend('issuer', { scope: 'file' }, async ({ idp }, { onCleanup }): Promise<TestIssuer> => {
    const proxy = await startCountingProxy(idp.issuer);
    onCleanup(() => proxy.close());
    // The IdP closes with its own fixture; closing the proxy early is harmless.
    return { idp, proxy, close: () => proxy.close() };
  });

/**
 * The CLI fixtures, on top of {@link idpTest}:
 * - the built `gatehouse` bin ({@link ensureBuilt}, once per file, automatically);
 * - `fileSandbox` (file): one {@link Sandbox} for the whole file;
 * - `sandbox` (test): a fresh {@link Sandbox} for each test, removed after it. A file whose tests are one
 *   flow in order keeps a single one with `test.override('sandbox', ({ fileSandbox }) => fileSandbox)`;
 * - `env` (test): the sandbox's environment set for a login at `issuer` ({@link loginEnv}); a file that
 *   needs more overrides it, e.g. `test.override('env', ({ sandbox, issuer }) => ({ ...loginEnv(sandbox,
 *   issuer), GATEHOUSE_OIDC_GRANT_TYPE: 'password' }))`.
 *
 * @example
 * ```ts
 * import { runCli } from '@gatehouse/testkit';
 * import { cliTest as test } from '@gatehouse/testkit/vitest';
 *
 * test('status without a login says so', async ({ env }) => {
 *   expect((await runCli(['status'], env)).code).toBe(1);
 * });
 * ```
 */
export const cliTest = idpTest
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('built', { scope: 'file', auto: true }, async ({}) => {
    await ensureBuilt();
    return true;
  })
  // biome-ignore lint/correctness/noEmptyPattern: as above
  .extend('fileSandbox', { scope: 'file' }, async ({}, { onCleanup }): Promise<Sandbox> => {
    const sandbox = await createSandbox();
    onCleanup(() => sandbox.cleanup());
    return sandbox;
  })
  // biome-ignore lint/correctness/noEmptyPattern: as above
  .extend('sandbox', async ({}, { onCleanup }): Promise<Sandbox> => {
    const sandbox = await createSandbox();
    onCleanup(() => sandbox.cleanup());
    return sandbox;
  })
  .extend('env', ({ sandbox, issuer }): Record<string, string> => loginEnv(sandbox, issuer));
