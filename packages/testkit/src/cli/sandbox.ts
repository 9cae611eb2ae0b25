/**
 * The CLI sandbox: a fresh HOME and config folder for each `gatehouse` run, so no test ever reads or writes
 * the real ~/.gatehouse, and no DISPLAY, so no real browser is ever opened.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestIssuer } from '../issuer.js';

/**
 * A sandbox home: HOME and GATEHOUSE_CONFIG_DIR point into a fresh temporary folder.
 *
 * @example
 * ```ts
 * const sandbox: Sandbox = await createSandbox();
 * await runCli(['status'], sandbox.env);
 * await sandbox.cleanup();
 * ```
 */
export interface Sandbox {
  /** The temporary HOME. */
  home: string;
  /** `<home>/.gatehouse`, also GATEHOUSE_CONFIG_DIR. */
  configDir: string;
  /** The whole environment of a run: PATH, HOME and GATEHOUSE_CONFIG_DIR, nothing inherited. */
  env: Record<string, string>;
  /** Where the CLI keeps a profile's tokens. */
  tokenFile(profile?: string): string;
  cleanup(): Promise<void>;
}

/**
 * Creates a {@link Sandbox} in a new temporary folder.
 *
 * @example
 * ```ts
 * const sandbox = await createSandbox();
 * ```
 */
export async function createSandbox(): Promise<Sandbox> {
  const home = await mkdtemp(join(tmpdir(), 'gatehouse-cli-'));
  const configDir = join(home, '.gatehouse');
  return {
    home,
    configDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, GATEHOUSE_CONFIG_DIR: configDir },
    tokenFile: (profile = 'default') => join(configDir, 'tokens', `${profile}.json`),
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

/**
 * The sandbox environment configured for a login at the test issuer (its `cli` client unless told).
 *
 * @example
 * ```ts
 * const env = { ...loginEnv(sandbox, issuer), GATEHOUSE_OIDC_GRANT_TYPE: 'password' };
 * ```
 */
export function loginEnv(
  sandbox: Sandbox,
  issuer: TestIssuer,
  clientId: string = issuer.idp.clients.cli.clientId,
): Record<string, string> {
  return { ...sandbox.env, GATEHOUSE_OIDC_ISSUER: issuer.idp.issuer, GATEHOUSE_OIDC_CLIENT_ID: clientId };
}

/**
 * The sandbox environment configured for a service: the client credentials grant of the test issuer's
 * `service` client (no login, no browser).
 *
 * @example
 * ```ts
 * const env = { ...serviceEnv(sandbox, issuer), GATEHOUSE_OIDC_SCOPE: 'api:read' };
 * ```
 */
export function serviceEnv(sandbox: Sandbox, issuer: TestIssuer): Record<string, string> {
  return {
    ...sandbox.env,
    GATEHOUSE_OIDC_GRANT_TYPE: 'client_credentials',
    GATEHOUSE_OIDC_ISSUER: issuer.idp.issuer,
    GATEHOUSE_OIDC_CLIENT_ID: issuer.idp.clients.service.clientId,
    GATEHOUSE_OIDC_CLIENT_SECRET: issuer.idp.clients.service.clientSecret,
  };
}

/**
 * Writes `<config dir>/config.json`: `config` as JSON, or a string as it is (to test malformed files).
 *
 * @example
 * ```ts
 * await writeConfig(sandbox, { profiles: { default: { issuer, clientId: 'gatehouse-cli' } } });
 * ```
 */
export async function writeConfig(sandbox: Sandbox, config: unknown): Promise<void> {
  await mkdir(sandbox.configDir, { recursive: true });
  const text = typeof config === 'string' ? config : JSON.stringify(config);
  await writeFile(join(sandbox.configDir, 'config.json'), text);
}

/**
 * The token file as stored (snake_case JSON).
 *
 * @example
 * ```ts
 * const doc = await readTokenFile(sandbox.tokenFile());
 * expect(doc.grant_type).toBe('authorization_code');
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: the tests read whatever fields the file holds
export async function readTokenFile(path: string): Promise<any> {
  return JSON.parse(await readFile(path, 'utf8'));
}

/**
 * Rewrites the token file so that its access token (with a 600 s lifetime) expires `expiresIn` seconds from
 * now (negative: already expired). Resolves to the document as it was.
 *
 * @example
 * ```ts
 * const before = await setAccessTokenExpiry(sandbox.tokenFile(), -1);
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: the document as read by readTokenFile
export async function setAccessTokenExpiry(path: string, expiresIn: number): Promise<any> {
  const doc = await readTokenFile(path);
  const expiresAt = Math.floor(Date.now() / 1000) + expiresIn;
  await writeFile(path, JSON.stringify({ ...doc, obtained_at: expiresAt - 600, expires_at: expiresAt }));
  return doc;
}
