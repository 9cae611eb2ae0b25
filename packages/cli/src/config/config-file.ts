import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  PRESENTED_TOKEN_TYPES,
  PROVIDER_PRESETS,
  type PresentedTokenType,
  type ProviderPreset,
} from '@gatehouse/client';
import { ConfigError } from '../errors.js';

/** The grants a profile can use (`password` only for legacy providers: see the README). */
export const GRANTS = ['authorization_code', 'client_credentials', 'device_code', 'password'] as const;
/** Where a profile keeps its tokens. */
export const TOKEN_STORAGES = ['file', 'keychain'] as const;
/**
 * Where a profile keeps its tokens: the token file, or the OS keychain (with the file's other fields beside).
 *
 * @example
 * ```ts
 * import type { TokenStorage } from '@gatehouse/cli';
 * const storage: TokenStorage = 'keychain';
 * ```
 */
export type TokenStorage = (typeof TOKEN_STORAGES)[number];
/**
 * A grant a profile can use.
 *
 * @example
 * ```ts
 * import type { Grant } from '@gatehouse/cli';
 * const grant: Grant = 'device_code';
 * ```
 */
export type Grant = (typeof GRANTS)[number];

/**
 * One profile of `config.json`; every field is optional.
 *
 * @example
 * ```ts
 * import type { ProfileConfig } from '@gatehouse/cli';
 * const dev: ProfileConfig = { issuer: 'http://127.0.0.1:4400', clientId: 'gatehouse-cli', port: 48080 };
 * ```
 */
export interface ProfileConfig {
  issuer?: string;
  clientId?: string;
  /** Discouraged: prefer GATEHOUSE_OIDC_CLIENT_SECRET. */
  clientSecret?: string;
  grant?: Grant;
  scope?: string;
  audience?: string;
  /**
   * The resource to log in for (RFC 9728): its metadata names the issuer (when `issuer` is not set) and
   * the resource indicator (RFC 8707) tokens are requested for.
   */
  resource?: string;
  tokenEndpoint?: string;
  tokenFile?: string;
  port?: number;
  encryptRefreshToken?: boolean;
  /** The user name of the password grant. */
  username?: string;
  /** The token sent and printed: the access token (default) or the ID token. */
  tokenType?: PresentedTokenType;
  /** Where the tokens are kept. Default `file`. */
  tokenStorage?: TokenStorage;
  /** The provider's conventions; default: recognised from the issuer. */
  preset?: ProviderPreset;
  /** DPoP-bound tokens (RFC 9449), as with `--dpop`. */
  dpop?: boolean;
  /** Exchange the login's access token (RFC 8693) for the token commands use. */
  exchange?: ExchangeConfig;
}

/**
 * The token exchange step of a profile: `token`, `exec` and `whoami` then use the exchanged token. The
 * exchanging client's secret comes from `GATEHOUSE_EXCHANGE_CLIENT_SECRET`.
 *
 * @example
 * ```ts
 * import type { ExchangeConfig } from '@gatehouse/cli';
 * const exchange: ExchangeConfig = { from: 'corp', issuer: 'https://sts.example.com', clientId: 'cluster-exchange', audience: 'kubernetes' };
 * ```
 */
export interface ExchangeConfig {
  /** The profile whose access token is exchanged; default: this profile's own login. */
  from?: string;
  /** The exchanging authorization server (discovered), unless `tokenEndpoint` is given. */
  issuer?: string;
  /** The token endpoint of the exchange, skipping discovery. */
  tokenEndpoint?: string;
  /** The exchanging client. */
  clientId: string;
  /** RFC 8693 `audience`. */
  audience?: string;
  /** RFC 8693 `resource`. */
  resource?: string;
  /** RFC 8693 `requested_token_type`, a full URN. */
  requestedTokenType?: string;
}

/**
 * `<config dir>/config.json`.
 *
 * @example
 * ```ts
 * import type { ConfigFile } from '@gatehouse/cli';
 * const config: ConfigFile = { defaultProfile: 'dev', profiles: { dev: { issuer: 'http://127.0.0.1:4400', clientId: 'gatehouse-cli' } } };
 * ```
 */
export interface ConfigFile {
  defaultProfile?: string;
  profiles: Record<string, ProfileConfig>;
}

const STRING_FIELDS = [
  'issuer',
  'clientId',
  'clientSecret',
  'scope',
  'audience',
  'resource',
  'tokenEndpoint',
  'tokenFile',
  'username',
] as const;
const CHOICE_FIELDS = {
  grant: GRANTS,
  tokenType: PRESENTED_TOKEN_TYPES,
  tokenStorage: TOKEN_STORAGES,
  preset: PROVIDER_PRESETS,
} as const;
const KNOWN_FIELDS = new Set<string>([
  ...STRING_FIELDS,
  ...Object.keys(CHOICE_FIELDS),
  'port',
  'encryptRefreshToken',
  'dpop',
  'exchange',
]);
const EXCHANGE_FIELDS = [
  'from',
  'issuer',
  'tokenEndpoint',
  'clientId',
  'audience',
  'resource',
  'requestedTokenType',
] as const;

/** The config file's location. */
export function configFilePath(configDir: string): string {
  return join(configDir, 'config.json');
}

/**
 * Reads and validates the config file. A missing file is an empty configuration; an unreadable or invalid
 * one is a {@link ConfigError} that names the file and the field. Unknown fields produce warnings.
 *
 * @example
 * ```ts
 * import { loadConfigFile } from '@gatehouse/cli';
 * const config = await loadConfigFile('/home/me/.gatehouse/config.json', (m) => console.error(m));
 * console.log(Object.keys(config.profiles));
 * ```
 */
export async function loadConfigFile(path: string, warn: (message: string) => void): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw new ConfigError('config', `Cannot read the config file ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('config', `The config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const fail = (field: string, what: string): never => {
    throw new ConfigError(field, `In ${path}: "${field}" ${what}`);
  };
  if (!isObject(json)) return fail('(root)', 'must be a JSON object');
  const { defaultProfile, profiles = {}, ...rest } = json;
  for (const key of Object.keys(rest)) warn(`${path}: unknown field "${key}" ignored`);
  if (defaultProfile !== undefined && (typeof defaultProfile !== 'string' || !defaultProfile)) {
    fail('defaultProfile', 'must be a non-empty string');
  }
  if (!isObject(profiles)) return fail('profiles', 'must be an object of profiles');
  const out: ConfigFile = { profiles: {} };
  if (typeof defaultProfile === 'string') out.defaultProfile = defaultProfile;
  for (const [name, raw] of Object.entries(profiles)) {
    const at = `profiles.${name}`;
    if (!isObject(raw)) return fail(at, 'must be an object');
    const profile: ProfileConfig = {};
    for (const key of Object.keys(raw)) {
      if (!KNOWN_FIELDS.has(key)) warn(`${path}: unknown field "${at}.${key}" ignored`);
    }
    for (const key of STRING_FIELDS) {
      const value = raw[key];
      if (value === undefined) continue;
      if (typeof value !== 'string' || value === '') fail(`${at}.${key}`, 'must be a non-empty string');
      profile[key] = value as string;
    }
    for (const [key, choices] of Object.entries(CHOICE_FIELDS) as [
      keyof typeof CHOICE_FIELDS,
      readonly string[],
    ][]) {
      const value = raw[key];
      if (value === undefined) continue;
      if (!choices.includes(value as string)) fail(`${at}.${key}`, `must be one of ${choices.join(', ')}`);
      (profile as Record<string, unknown>)[key] = value;
    }
    if (raw.exchange !== undefined)
      profile.exchange = parseExchange(raw.exchange, `${at}.exchange`, fail, warn, path);
    if (raw.port !== undefined) {
      if (!Number.isInteger(raw.port) || (raw.port as number) < 0 || (raw.port as number) > 65535) {
        fail(`${at}.port`, 'must be an integer from 0 to 65535');
      }
      profile.port = raw.port as number;
    }
    for (const key of ['encryptRefreshToken', 'dpop'] as const) {
      if (raw[key] === undefined) continue;
      if (typeof raw[key] !== 'boolean') fail(`${at}.${key}`, 'must be true or false');
      profile[key] = raw[key] as boolean;
    }
    out.profiles[name] = profile;
  }
  return out;
}

function parseExchange(
  raw: unknown,
  at: string,
  fail: (field: string, what: string) => never,
  warn: (message: string) => void,
  path: string,
): ExchangeConfig {
  if (!isObject(raw)) return fail(at, 'must be an object');
  for (const key of Object.keys(raw)) {
    if (!(EXCHANGE_FIELDS as readonly string[]).includes(key))
      warn(`${path}: unknown field "${at}.${key}" ignored`);
  }
  const out: Partial<ExchangeConfig> = {};
  for (const key of EXCHANGE_FIELDS) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') fail(`${at}.${key}`, 'must be a non-empty string');
    out[key] = value as string;
  }
  if (!out.clientId) fail(`${at}.clientId`, 'is required');
  if (!out.issuer && !out.tokenEndpoint) fail(`${at}.issuer`, 'is required (or "tokenEndpoint")');
  if (out.requestedTokenType && !out.requestedTokenType.startsWith('urn:')) {
    fail(`${at}.requestedTokenType`, 'must be a full URN (urn:ietf:params:oauth:token-type:…)');
  }
  return out as ExchangeConfig;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
