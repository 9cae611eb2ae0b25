import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SettingFlags } from './settings.js';

/** The environment variables the CLI reads, all in this one place. */
export const CLI_ENV = {
  issuer: 'GATEHOUSE_OIDC_ISSUER',
  clientId: 'GATEHOUSE_OIDC_CLIENT_ID',
  clientSecret: 'GATEHOUSE_OIDC_CLIENT_SECRET',
  grant: 'GATEHOUSE_OIDC_GRANT_TYPE',
  scope: 'GATEHOUSE_OIDC_SCOPE',
  audience: 'GATEHOUSE_OIDC_AUDIENCE',
  tokenEndpoint: 'GATEHOUSE_OIDC_TOKEN_ENDPOINT',
  tokenFile: 'GATEHOUSE_TOKEN_FILE',
  profile: 'GATEHOUSE_PROFILE',
  configDir: 'GATEHOUSE_CONFIG_DIR',
  passphrase: 'GATEHOUSE_TOKEN_PASSPHRASE',
  browser: 'GATEHOUSE_BROWSER',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

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

/** `$GATEHOUSE_CONFIG_DIR`, else `~/.gatehouse`. */
export function configDirFrom(env: Env): string {
  return env[CLI_ENV.configDir] || join(env.HOME || homedir(), '.gatehouse');
}

/** The refresh-token passphrase from the environment, if set. */
export function passphraseFrom(env: Env): string | undefined {
  return env[CLI_ENV.passphrase] || undefined;
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
