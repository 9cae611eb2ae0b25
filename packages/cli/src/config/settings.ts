import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import {
  configDir as configDirFrom,
  DEFAULT_CALLBACK_PORT,
  DEFAULT_PROFILE,
  PRESENTED_TOKEN_TYPES,
  PROVIDER_PRESETS,
  type PresentedTokenType,
  type ProviderPreset,
} from '@gatehouse/client';
import { ConfigError } from '../errors.js';
import {
  type ConfigFile,
  configFilePath,
  type ExchangeConfig,
  GRANTS,
  type Grant,
  loadConfigFile,
  type ProfileConfig,
  TOKEN_STORAGES,
  type TokenStorage,
} from './config-file.js';
import { CLI_ENV } from './env.js';

/**
 * The command-line flags shared by the commands (all optional), as commander parses them: a flag given on
 * the command line, else its environment variable (`GATEHOUSE_OIDC_ISSUER` for `--issuer`…).
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
  resource?: string;
  tokenEndpoint?: string;
  tokenFile?: string;
  port?: string | number;
  encrypt?: boolean;
  username?: string;
  tokenType?: string;
  tokenStorage?: string;
  preset?: string;
  dpop?: boolean;
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
  /** The protected resource to log in for (RFC 9728 discovery, RFC 8707 `resource`); see `session/resource.ts`. */
  resource?: string;
  tokenEndpoint?: string;
  tokenFile: string;
  port: number;
  encryptRefreshToken: boolean;
  username?: string;
  tokenType: PresentedTokenType;
  tokenStorage: TokenStorage;
  preset?: ProviderPreset;
  /**
   * DPoP-bound tokens (`--dpop`, or `"dpop": true` in the profile): a new login or token is requested with
   * a key kept in the token store, and the token is sent with proofs. A login made so stays bound anyway.
   */
  dpop: boolean;
  configDir: string;
  configFile: string;
  /** True for the `from` profile of an exchange: its settings come from the config file alone. */
  fileOnly?: boolean;
  /** The profile's token exchange step, when it has one. */
  exchange?: ExchangeSettings;
}

/**
 * A profile's exchange step, resolved: where the subject token comes from and where the result is kept.
 *
 * @example
 * ```ts
 * import { resolveSettings } from '@gatehouse/cli';
 * const { exchange } = await resolveSettings({ profile: 'cluster' }, process.env, console.error);
 * console.error(exchange?.source.profile, exchange?.tokenFile);
 * ```
 */
export interface ExchangeSettings extends ExchangeConfig {
  /** The login whose access token is exchanged: the `from` profile, or this profile's own. */
  source: Settings;
  /** Where the exchanged token is kept. */
  tokenFile: string;
}

/**
 * Resolves every setting; throws {@link ConfigError} naming the setting for invalid values. The environment
 * is used for the config folder (`GATEHOUSE_CONFIG_DIR`, `HOME`); option variables arrive in `flags`.
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
  const profile = value(flags.profile) ?? file.defaultProfile ?? DEFAULT_PROFILE;
  checkProfileName(profile, 'profile');
  const fromFile = file.profiles[profile] ?? {};
  const settings = build(profile, fromFile, flags, { configDir, configFile, env });
  if (settings.dpop && settings.tokenType === 'id_token') {
    throw new ConfigError(
      'dpop',
      'DPoP binds access tokens (RFC 9449); an ID token is not sent with proofs, so --dpop cannot go with --token-type id_token.',
    );
  }
  const exchange = fromFile.exchange;
  if (!exchange) return settings;

  const at = `profiles.${profile}.exchange`;
  if (settings.dpop) {
    throw new ConfigError(
      'dpop',
      `Profile "${profile}" exchanges its token (${at}); DPoP-bound exchanged tokens are not supported, so --dpop cannot apply.`,
    );
  }
  if (settings.tokenType === 'id_token') {
    throw new ConfigError(
      'tokenType',
      `Profile "${profile}" exchanges its token (${at}); the exchanged token is an access token, so --token-type id_token cannot apply.`,
    );
  }
  let source: Settings;
  let tokenFile: string;
  if (exchange.from) {
    checkProfileName(exchange.from, `${at}.from`);
    const origin = file.profiles[exchange.from];
    if (exchange.from === profile || !origin) {
      throw new ConfigError(
        `${at}.from`,
        `In ${configFile}: "${at}.from" must name another profile, got "${exchange.from}"`,
      );
    }
    if (origin.exchange) {
      throw new ConfigError(
        `${at}.from`,
        `In ${configFile}: profile "${exchange.from}" exchanges its own token; chains are not supported`,
      );
    }
    // GATEHOUSE_OIDC_* and GATEHOUSE_TOKEN_FILE (and their flags) are the selected profile's, never the source's.
    const uiFlags: SettingFlags = {};
    if (flags.port !== undefined) uiFlags.port = flags.port;
    if (flags.encrypt !== undefined) uiFlags.encrypt = flags.encrypt;
    source = { ...build(exchange.from, origin, uiFlags, { configDir, configFile, env }), fileOnly: true };
    tokenFile = settings.tokenFile;
  } else {
    source = settings;
    tokenFile = `${settings.tokenFile.replace(/\.json$/, '')}.exchanged.json`;
  }
  return {
    ...settings,
    exchange: { ...exchange, source: { ...source, tokenType: 'access_token' }, tokenFile },
  };
}

interface Place {
  configDir: string;
  configFile: string;
  env: Readonly<Record<string, string | undefined>>;
}

function build(profile: string, fromFile: ProfileConfig, flags: SettingFlags, place: Place): Settings {
  const pick = <K extends keyof SettingFlags & keyof ProfileConfig>(key: K) =>
    value(flags[key] as string | undefined) ?? (fromFile[key] as string | undefined);
  const grant = choice('grant', pick('grant') ?? 'authorization_code', GRANTS);
  const tokenType = choice('tokenType', pick('tokenType') ?? 'access_token', PRESENTED_TOKEN_TYPES);
  const tokenStorage = choice('tokenStorage', pick('tokenStorage') ?? 'file', TOKEN_STORAGES);
  const preset = pick('preset');
  const tokenFile = pick('tokenFile');
  const settings: Settings = {
    profile,
    grant,
    tokenFile: tokenFile
      ? expandPath(tokenFile, place.env)
      : join(place.configDir, 'tokens', `${profile}.json`),
    port: parsePort(flags.port ?? fromFile.port ?? DEFAULT_CALLBACK_PORT),
    encryptRefreshToken: flags.encrypt ?? fromFile.encryptRefreshToken ?? false,
    dpop: flags.dpop ?? fromFile.dpop ?? false,
    tokenType,
    tokenStorage,
    configDir: place.configDir,
    configFile: place.configFile,
  };
  if (preset !== undefined) settings.preset = choice('preset', preset, PROVIDER_PRESETS);
  for (const key of [
    'issuer',
    'clientId',
    'clientSecret',
    'scope',
    'audience',
    'resource',
    'tokenEndpoint',
    'username',
  ] as const) {
    const v = pick(key);
    if (v !== undefined) settings[key] = v;
  }
  if (settings.resource !== undefined) checkResource(settings.resource);
  return settings;
}

/** RFC 8707 §2: an absolute URI without a fragment; here an http(s) URL, since its metadata is fetched. */
function checkResource(resource: string): void {
  const url = URL.canParse(resource) ? new URL(resource) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hash) {
    throw new ConfigError(
      'resource',
      `--resource must be an absolute http(s) URL without a fragment, got "${resource}"`,
    );
  }
}

/** An option value; empty strings (an exported but empty variable) count as unset. */
function value(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function choice<T extends string>(setting: string, v: string, choices: readonly T[]): T {
  if (!choices.includes(v as T)) {
    const name = setting === 'grant' ? 'grant' : setting;
    throw new ConfigError(setting, `Unknown ${name} "${v}": use one of ${choices.join(', ')}`);
  }
  return v as T;
}

function checkProfileName(name: string, setting: string): void {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) {
    throw new ConfigError(setting, `Invalid profile name "${name}" (letters, digits, ".", "_" and "-")`);
  }
}

/** Settings a command needs, or a {@link ConfigError} saying where to set each. */
export function requireSettings(
  settings: Settings,
  keys: readonly ('issuer' | 'clientId' | 'clientSecret')[],
) {
  const where = {
    issuer: ['--issuer', CLI_ENV.issuer, 'issuer'],
    clientId: ['--client-id', CLI_ENV.clientId, 'clientId'],
    clientSecret: ['--client-secret', CLI_ENV.clientSecret, 'clientSecret'],
  } as const;
  for (const key of keys) {
    if (settings[key]) continue;
    const [flag, variable, field] = where[key];
    const why = key === 'clientSecret' ? ` (the ${settings.grant} grant needs a client secret)` : '';
    const how = settings.fileOnly
      ? `add "${field}" to profiles.${settings.profile} in ${settings.configFile} (the source of an exchange takes no flags or variables)`
      : `pass ${flag}, set ${variable}, or add "${field}" to profiles.${settings.profile} in ${settings.configFile}`;
    throw new ConfigError(key, `No ${field} configured for profile "${settings.profile}"${why}: ${how}.`);
  }
}

/**
 * A callback port: an integer from 0 to 65535 (0: any free port). Used as commander's parser of `--port`.
 *
 * @example
 * ```ts
 * import { parsePort } from '@gatehouse/cli';
 * parsePort('48080'); // 48080
 * ```
 */
export function parsePort(v: string | number): number {
  const port = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || String(v).trim() === '') {
    throw new ConfigError('port', `--port must be an integer from 0 to 65535, got "${v}"`);
  }
  return port;
}

function expandPath(path: string, env: Readonly<Record<string, string | undefined>>): string {
  if (path === '~' || path.startsWith('~/')) return join(env.HOME || homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(path);
}

/** The profile's own folder (`<config dir>/profiles/<profile>`): the daemon's pid, lock and log. */
export function profileFolder(settings: Pick<Settings, 'configDir' | 'profile'>): string {
  return join(settings.configDir, 'profiles', settings.profile);
}
