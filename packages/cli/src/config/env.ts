import { ENV, type Env, OIDC_ENV } from '@gatehouse/client';
import type { SettingFlags } from './settings.js';

/**
 * The environment variables the CLI reads, all in this one place. The names shared with services come from
 * `@gatehouse/client` (`OIDC_ENV`, `ENV`); `GATEHOUSE_CONFIG_DIR` and `GATEHOUSE_TOKEN_PASSPHRASE` are read
 * through its `configDir` and `passphraseFromEnv`.
 */
export const CLI_ENV = {
  issuer: OIDC_ENV.issuer,
  clientId: OIDC_ENV.clientId,
  clientSecret: OIDC_ENV.clientSecret,
  grant: OIDC_ENV.grantType,
  scope: OIDC_ENV.scope,
  audience: OIDC_ENV.audience,
  tokenEndpoint: OIDC_ENV.tokenEndpoint,
  tokenFile: ENV.tokenFile,
  profile: 'GATEHOUSE_PROFILE',
  browser: 'GATEHOUSE_BROWSER',
} as const;

/** Settings as the environment gives them (unset and empty variables are left out). */
export type EnvSettings = Omit<SettingFlags, 'port' | 'encrypt'>;

export function readEnvSettings(env: Env): EnvSettings {
  const out: EnvSettings = {};
  for (const key of [
    'issuer',
    'clientId',
    'clientSecret',
    'grant',
    'scope',
    'audience',
    'tokenEndpoint',
    'tokenFile',
    'profile',
  ] as const) {
    const value = env[CLI_ENV[key]];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/** `GATEHOUSE_BROWSER`: a command to open URLs with, or `none`. */
export function browserCommandFrom(env: Env): string | undefined {
  return env[CLI_ENV.browser] || undefined;
}

/** True when a graphical browser could plausibly open (always on macOS and Windows). */
export function hasDisplay(env: Env, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}
