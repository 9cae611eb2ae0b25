import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { configDir as configDirFrom, DEFAULT_CALLBACK_PORT, DEFAULT_PROFILE } from '@gatehouse/client';
import { ConfigError } from '../errors.js';
import { type ConfigFile, configFilePath, GRANTS, type Grant, loadConfigFile } from './config-file.js';
import { readEnvSettings } from './env.js';

/**
 * The command-line flags shared by the commands (all optional).
 *
 * @example
 * ```ts
 * import { resolveSettings, type SettingFlags } from '@gatehouse/cli';
 * const flags: SettingFlags = { profile: 'dev', scope: 'openid api:read' };
 * const settings = await resolveSettings(flags, process.env, console.error);
 * ```
 */
export interface SettingFlags {
  profile?: string;
  issuer?: string;
  clientId?: string;
  clientSecret?: string;
  grant?: string;
  scope?: string;
  audience?: string;
  tokenEndpoint?: string;
  tokenFile?: string;
  port?: string | number;
  encrypt?: boolean;
}

/**
 * Settings after precedence: flags, then environment, then the profile in the config file, then defaults.
 *
 * @example
 * ```ts
 * import { resolveSettings, type Settings } from '@gatehouse/cli';
 * const settings: Settings = await resolveSettings({}, process.env, console.error);
 * console.error('token file:', settings.tokenFile);
 * ```
 */
export interface Settings {
  profile: string;
  issuer?: string;
  clientId?: string;
  clientSecret?: string;
  grant: Grant;
  scope?: string;
  audience?: string;
  tokenEndpoint?: string;
  tokenFile: string;
  port: number;
  encryptRefreshToken: boolean;
  configDir: string;
  configFile: string;
}

/**
 * Resolves every setting; throws {@link ConfigError} naming the setting for invalid values.
 *
 * @example
 * ```ts
 * import { resolveSettings } from '@gatehouse/cli';
 * const settings = await resolveSettings({ profile: 'dev' }, process.env, (m) => console.error(m));
 * console.log(settings.issuer, settings.grant);
 * ```
 */
export async function resolveSettings(
  flags: SettingFlags,
  env: Readonly<Record<string, string | undefined>>,
  warn: (message: string) => void,
): Promise<Settings> {
  const configDir = configDirFrom(env);
  const configFile = configFilePath(configDir);
  const file: ConfigFile = await loadConfigFile(configFile, warn);
  const fromEnv = readEnvSettings(env);
  const profile = flags.profile ?? fromEnv.profile ?? file.defaultProfile ?? DEFAULT_PROFILE;
  if (!/^[A-Za-z0-9._-]+$/.test(profile) || profile.startsWith('.')) {
    throw new ConfigError('profile', `Invalid profile name "${profile}" (letters, digits, ".", "_" and "-")`);
  }
  const fromFile = file.profiles[profile] ?? {};
  const pick = <K extends keyof typeof fromEnv & keyof typeof fromFile>(key: K) =>
    (flags[key as keyof SettingFlags] as string | undefined) ?? fromEnv[key] ?? fromFile[key];

  const grant = pick('grant') ?? 'authorization_code';
  if (!GRANTS.includes(grant as Grant)) {
    throw new ConfigError('grant', `Unknown grant "${grant}": use one of ${GRANTS.join(', ')}`);
  }
  const port = parsePort(flags.port ?? fromFile.port ?? DEFAULT_CALLBACK_PORT);
  const tokenFile = flags.tokenFile ?? fromEnv.tokenFile ?? fromFile.tokenFile;

  const settings: Settings = {
    profile,
    grant: grant as Grant,
    tokenFile: tokenFile ? expandPath(tokenFile, env) : join(configDir, 'tokens', `${profile}.json`),
    port,
    encryptRefreshToken: flags.encrypt ?? fromFile.encryptRefreshToken ?? false,
    configDir,
    configFile,
  };
  for (const key of ['issuer', 'clientId', 'clientSecret', 'scope', 'audience', 'tokenEndpoint'] as const) {
    const value = pick(key);
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}

/** Settings a command needs, or a {@link ConfigError} saying where to set each. */
export function requireSettings(
  settings: Settings,
  keys: readonly ('issuer' | 'clientId' | 'clientSecret')[],
) {
  const where = {
    issuer: ['--issuer', 'GATEHOUSE_OIDC_ISSUER', 'issuer'],
    clientId: ['--client-id', 'GATEHOUSE_OIDC_CLIENT_ID', 'clientId'],
    clientSecret: ['--client-secret', 'GATEHOUSE_OIDC_CLIENT_SECRET', 'clientSecret'],
  } as const;
  for (const key of keys) {
    if (settings[key]) continue;
    const [flag, variable, field] = where[key];
    const why = key === 'clientSecret' ? ` (the ${settings.grant} grant needs a client secret)` : '';
    throw new ConfigError(
      key,
      `No ${field} configured for profile "${settings.profile}"${why}: pass ${flag}, set ${variable}, or add "${field}" to profiles.${settings.profile} in ${settings.configFile}.`,
    );
  }
}

function parsePort(value: string | number): number {
  const port = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || String(value).trim() === '') {
    throw new ConfigError('port', `--port must be an integer from 0 to 65535, got "${value}"`);
  }
  return port;
}

function expandPath(path: string, env: Readonly<Record<string, string | undefined>>): string {
  if (path === '~' || path.startsWith('~/')) return join(env.HOME || homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(path);
}
