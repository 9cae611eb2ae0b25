import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The only place `@gatehouse/client` reads the environment. Every function takes the environment as an
 * argument (default `process.env`) so tests and embedders can pass their own.
 *
 * @example
 * ```ts
 * import type { Env } from '@gatehouse/client';
 * const env: Env = { GATEHOUSE_CONFIG_DIR: '/tmp/gatehouse' };
 * ```
 */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Environment variables understood by the library.
 *
 * @example
 * ```ts
 * import { ENV } from '@gatehouse/client';
 * const passphrase = process.env[ENV.passphrase]; // GATEHOUSE_TOKEN_PASSPHRASE
 * ```
 */
export const ENV = {
  configDir: 'GATEHOUSE_CONFIG_DIR',
  tokenFile: 'GATEHOUSE_TOKEN_FILE',
  passphrase: 'GATEHOUSE_TOKEN_PASSPHRASE',
  apiKey: 'GATEHOUSE_API_KEY',
} as const;

/**
 * The default profile name.
 *
 * @example
 * ```ts
 * import { DEFAULT_PROFILE, defaultTokenFilePath } from '@gatehouse/client';
 * const path = defaultTokenFilePath(DEFAULT_PROFILE);
 * ```
 */
export const DEFAULT_PROFILE = 'default';

/**
 * The Gatehouse configuration folder: `$GATEHOUSE_CONFIG_DIR`, else `~/.gatehouse`.
 *
 * @example
 * ```ts
 * import { configDir } from '@gatehouse/client';
 * console.log(configDir()); // "/home/me/.gatehouse"
 * ```
 */
export function configDir(env: Env = process.env): string {
  const fromEnv = env[ENV.configDir];
  if (fromEnv) return fromEnv;
  return join(env.HOME || homedir(), '.gatehouse');
}

/**
 * The token file of a profile: `$GATEHOUSE_TOKEN_FILE` when set, else `<configDir>/tokens/<profile>.json`.
 *
 * @example
 * ```ts
 * import { defaultTokenFilePath } from '@gatehouse/client';
 * console.log(defaultTokenFilePath('staging')); // "/home/me/.gatehouse/tokens/staging.json"
 * ```
 */
export function defaultTokenFilePath(profile: string = DEFAULT_PROFILE, env: Env = process.env): string {
  const fromEnv = env[ENV.tokenFile];
  if (fromEnv) return fromEnv;
  return join(configDir(env), 'tokens', `${profile}.json`);
}

/**
 * The passphrase for refresh-token encryption from `$GATEHOUSE_TOKEN_PASSPHRASE`, if set and non-empty.
 *
 * @example
 * ```ts
 * import { createFileTokenStore, passphraseFromEnv } from '@gatehouse/client';
 * const store = createFileTokenStore({ passphrase: passphraseFromEnv() });
 * ```
 */
export function passphraseFromEnv(
  env: Env = process.env,
  variable: string = ENV.passphrase,
): string | undefined {
  const value = env[variable];
  return value ? value : undefined;
}

/** Reads one variable (used by the API-key source). */
export function readVariable(variable: string, env: Env = process.env): string | undefined {
  const value = env[variable];
  return value?.trim() ? value.trim() : undefined;
}

/**
 * The OIDC settings a service reads from `GATEHOUSE_OIDC_*` (see {@link serviceSourceConfigFromEnv}).
 *
 * @example
 * ```ts
 * import { OIDC_ENV } from '@gatehouse/client';
 * const issuer = process.env[OIDC_ENV.issuer]; // GATEHOUSE_OIDC_ISSUER
 * ```
 */
export const OIDC_ENV = {
  issuer: 'GATEHOUSE_OIDC_ISSUER',
  clientId: 'GATEHOUSE_OIDC_CLIENT_ID',
  clientSecret: 'GATEHOUSE_OIDC_CLIENT_SECRET',
  grantType: 'GATEHOUSE_OIDC_GRANT_TYPE',
  scope: 'GATEHOUSE_OIDC_SCOPE',
  audience: 'GATEHOUSE_OIDC_AUDIENCE',
  tokenEndpoint: 'GATEHOUSE_OIDC_TOKEN_ENDPOINT',
} as const;

/**
 * A service's token source, as configuration (see {@link createServiceTokenSource}).
 *
 * @example
 * ```ts
 * import type { ServiceSourceConfig } from '@gatehouse/client';
 * const config: ServiceSourceConfig = { type: 'api_key', variable: 'INGESTION_API_KEY' };
 * ```
 */
export type ServiceSourceConfig =
  | { type: 'api_key'; variable: string }
  | {
      type: 'client_credentials';
      issuer: string;
      clientId: string;
      clientSecret: string;
      scope?: string;
      audience?: string;
      tokenEndpoint?: string;
    };

/**
 * Reads a service's token source from the environment, so that moving from an API key to client credentials
 * is a change of variables, not of code:
 * - `GATEHOUSE_OIDC_GRANT_TYPE=client_credentials` with `GATEHOUSE_OIDC_ISSUER`, `GATEHOUSE_OIDC_CLIENT_ID`,
 *   `GATEHOUSE_OIDC_CLIENT_SECRET` (optional `GATEHOUSE_OIDC_SCOPE`, `GATEHOUSE_OIDC_AUDIENCE`,
 *   `GATEHOUSE_OIDC_TOKEN_ENDPOINT`);
 * - otherwise `GATEHOUSE_API_KEY` (a static key).
 *
 * Returns a string naming what is missing when neither is configured.
 *
 * @example
 * ```ts
 * import { serviceSourceConfigFromEnv } from '@gatehouse/client';
 * const config = serviceSourceConfigFromEnv({ GATEHOUSE_API_KEY: 'k' });
 * // { type: 'api_key', variable: 'GATEHOUSE_API_KEY' }
 * ```
 */
export function serviceSourceConfigFromEnv(env: Env = process.env): ServiceSourceConfig | string {
  const grant = readVariable(OIDC_ENV.grantType, env);
  if (grant === 'client_credentials') {
    const missing = [OIDC_ENV.issuer, OIDC_ENV.clientId, OIDC_ENV.clientSecret].filter(
      (v) => !readVariable(v, env),
    );
    if (missing.length) return `${missing.join(', ')} must be set for client_credentials`;
    const config: ServiceSourceConfig = {
      type: 'client_credentials',
      issuer: readVariable(OIDC_ENV.issuer, env)!,
      clientId: readVariable(OIDC_ENV.clientId, env)!,
      clientSecret: env[OIDC_ENV.clientSecret]!,
    };
    const scope = readVariable(OIDC_ENV.scope, env);
    const audience = readVariable(OIDC_ENV.audience, env);
    const tokenEndpoint = readVariable(OIDC_ENV.tokenEndpoint, env);
    if (scope) config.scope = scope;
    if (audience) config.audience = audience;
    if (tokenEndpoint) config.tokenEndpoint = tokenEndpoint;
    return config;
  }
  if (grant !== undefined && grant !== 'api_key') {
    return `${OIDC_ENV.grantType}="${grant}" is not a service grant (use client_credentials or api_key)`;
  }
  if (readVariable(ENV.apiKey, env)) return { type: 'api_key', variable: ENV.apiKey };
  return `set ${ENV.apiKey}, or ${OIDC_ENV.grantType}=client_credentials with ${OIDC_ENV.issuer}, ${OIDC_ENV.clientId} and ${OIDC_ENV.clientSecret}`;
}
