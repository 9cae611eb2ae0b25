import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

/** The grants a profile can use. */
export const GRANTS = ['authorization_code', 'client_credentials', 'device_code'] as const;
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
  tokenEndpoint?: string;
  tokenFile?: string;
  port?: number;
  encryptRefreshToken?: boolean;
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
  'tokenEndpoint',
  'tokenFile',
] as const;
const KNOWN_FIELDS = new Set<string>([...STRING_FIELDS, 'grant', 'port', 'encryptRefreshToken']);

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
    if (raw.grant !== undefined) {
      if (!GRANTS.includes(raw.grant as Grant)) fail(`${at}.grant`, `must be one of ${GRANTS.join(', ')}`);
      profile.grant = raw.grant as Grant;
    }
    if (raw.port !== undefined) {
      if (!Number.isInteger(raw.port) || (raw.port as number) < 0 || (raw.port as number) > 65535) {
        fail(`${at}.port`, 'must be an integer from 0 to 65535');
      }
      profile.port = raw.port as number;
    }
    if (raw.encryptRefreshToken !== undefined) {
      if (typeof raw.encryptRefreshToken !== 'boolean')
        fail(`${at}.encryptRefreshToken`, 'must be true or false');
      profile.encryptRefreshToken = raw.encryptRefreshToken as boolean;
    }
    out.profiles[name] = profile;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
