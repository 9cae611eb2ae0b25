import { ENV, type Env, OIDC_ENV } from '@gatehouse/client';

/**
 * The environment variables of the CLI, all named in this one place. Those that stand in for an option
 * (`GATEHOUSE_OIDC_ISSUER` for `--issuer`…) are declared on the option (commander's `Option.env`), so commander
 * reads them, with flags first; the others are read by the functions below. The names shared with services
 * come from `@gatehouse/client` (`OIDC_ENV`, `ENV`).
 *
 * @example
 * ```ts
 * import { CLI_ENV } from '@gatehouse/cli';
 * // Names, never values: a message may name the variable, and must not print what it holds.
 * const missing = `set ${CLI_ENV.password} or run in a terminal`; // "set GATEHOUSE_OIDC_PASSWORD or …"
 * ```
 */
export const CLI_ENV = {
  profile: 'GATEHOUSE_PROFILE',
  issuer: OIDC_ENV.issuer,
  clientId: OIDC_ENV.clientId,
  clientSecret: OIDC_ENV.clientSecret,
  grant: OIDC_ENV.grantType,
  scope: OIDC_ENV.scope,
  audience: OIDC_ENV.audience,
  resource: 'GATEHOUSE_OIDC_RESOURCE',
  tokenEndpoint: OIDC_ENV.tokenEndpoint,
  tokenFile: ENV.tokenFile,
  username: 'GATEHOUSE_OIDC_USERNAME',
  password: 'GATEHOUSE_OIDC_PASSWORD',
  tokenType: 'GATEHOUSE_OIDC_TOKEN_TYPE',
  preset: 'GATEHOUSE_OIDC_PRESET',
  tokenStorage: 'GATEHOUSE_TOKEN_STORAGE',
  exchangeClientSecret: 'GATEHOUSE_EXCHANGE_CLIENT_SECRET',
  browser: 'GATEHOUSE_BROWSER',
  /** Set by kubectl for credential plugins. */
  kubernetesExecInfo: 'KUBERNETES_EXEC_INFO',
} as const;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value ? value : undefined;
}

/** `GATEHOUSE_BROWSER`: a command to open URLs with, or `none`. */
export function browserCommandFrom(env: Env): string | undefined {
  return read(env, CLI_ENV.browser);
}

/** `GATEHOUSE_OIDC_PASSWORD`: the password grant's password, never a flag. */
export function passwordFrom(env: Env): string | undefined {
  return read(env, CLI_ENV.password);
}

/** `GATEHOUSE_EXCHANGE_CLIENT_SECRET`: the exchanging client's secret. */
export function exchangeSecretFrom(env: Env): string | undefined {
  return read(env, CLI_ENV.exchangeClientSecret);
}

/** The ExecCredential `apiVersion` kubectl asks for in `KUBERNETES_EXEC_INFO`, when it says. */
export function execInfoApiVersionFrom(env: Env): string | undefined {
  const info = read(env, CLI_ENV.kubernetesExecInfo);
  if (!info) return undefined;
  try {
    const version = (JSON.parse(info) as { apiVersion?: unknown }).apiVersion;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/** True when a graphical browser could plausibly open (always on macOS and Windows). */
export function hasDisplay(env: Env, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}
