/** The test issuer: the real dev IdP (oidc-provider) on a free loopback port, a counting proxy in front. */
import type { DevIdp, DevIdpOptions } from '@gatehouse/dev-idp';
import { type CountingProxy, startCountingProxy } from './counting-proxy.js';

/**
 * The dev IdP on loopback with a counting proxy in front of it.
 *
 * @example
 * ```ts
 * const issuer: TestIssuer = await startTestIssuer({ passwordGrant: true });
 * process.env.GATEHOUSE_OIDC_TOKEN_ENDPOINT = `${issuer.proxy.origin}/token`;
 * ```
 */
export interface TestIssuer {
  /** The provider: its issuer URL, clients, users and headless login. */
  idp: DevIdp;
  /** Every request that goes through `proxy.origin` on its way to `idp`. */
  proxy: CountingProxy;
  close(): Promise<void>;
}

/**
 * Starts `@gatehouse/dev-idp` with `options` (a free loopback port unless `options.port` says otherwise)
 * and a {@link CountingProxy} in front of it.
 *
 * @example
 * ```ts
 * const issuer = await startTestIssuer({ accessTokenTtlSecs: 12 });
 * try {
 *   // … issuer.idp.issuer, issuer.idp.clients.cli.clientId, issuer.proxy.count('refresh_token')
 * } finally {
 *   await issuer.close();
 * }
 * ```
 */
export async function startTestIssuer(options: DevIdpOptions = {}): Promise<TestIssuer> {
  // Loaded on first use: the bench and the demo import this package's entry without needing oidc-provider.
  const { startDevIdp } = await import('@gatehouse/dev-idp');
  const idp = await startDevIdp(options);
  const proxy = await startCountingProxy(idp.issuer).catch(async (err: unknown) => {
    await idp.close();
    throw err;
  });
  return {
    idp,
    proxy,
    async close() {
      await proxy.close();
      await idp.close();
    },
  };
}
