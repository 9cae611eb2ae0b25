/**
 * Fixed identifiers and development credentials of the dev IdP. Every value here is public on purpose:
 * this provider only ever runs on a developer's own machine or in CI, bound to loopback.
 */

/** Audience (resource indicator) of the example API, used when a request names no `resource`. */
export const DEFAULT_AUDIENCE = 'urn:gatehouse:example-api';

/** Port of the runnable server (`npm start -w apps/dev-idp`); `startDevIdp()` picks a random one. */
export const DEFAULT_PORT = 4400;

/** Host the provider binds to unless told otherwise. */
export const DEFAULT_HOST = '127.0.0.1';

/** Lifetime of access tokens, in seconds, unless `accessTokenTtlSecs` says otherwise. */
export const DEFAULT_ACCESS_TOKEN_TTL_SECS = 600;

/** Lifetime of ID tokens, in seconds, unless `idTokenTtlSecs` says otherwise. */
export const DEFAULT_ID_TOKEN_TTL_SECS = 3600;

/** RFC 6749 section 4.3 grant type; only when `passwordGrant` is set (or a custom client lists it). */
export const PASSWORD_GRANT_TYPE = 'password';

/** Confidential service client: `client_credentials` and token exchange. */
export const SERVICE_CLIENT_ID = 'gatehouse-service';
/** Development-only secret of {@link SERVICE_CLIENT_ID}. */
export const SERVICE_CLIENT_SECRET = 'gatehouse-service-dev-secret';

/** Public native client (the CLI): authorization code + PKCE, refresh, device flow, token exchange. */
export const CLI_CLIENT_ID = 'gatehouse-cli';

/** Confidential web client: authorization code + PKCE + refresh, with a secret. */
export const WEB_CLIENT_ID = 'gatehouse-web';
/** Development-only secret of {@link WEB_CLIENT_ID}. */
export const WEB_CLIENT_SECRET = 'gatehouse-web-dev-secret';

/**
 * Confidential client of the example API itself (a resource server): it only introspects tokens
 * (RFC 7662), which is how Gatehouse checks opaque access tokens.
 */
export const RESOURCE_SERVER_CLIENT_ID = 'gatehouse-api';
/** Development-only secret of {@link RESOURCE_SERVER_CLIENT_ID}. */
export const RESOURCE_SERVER_CLIENT_SECRET = 'gatehouse-api-dev-secret';

/** Public client for the device authorization grant (RFC 8628). */
export const DEVICE_CLIENT_ID = 'gatehouse-device';

/**
 * Registered redirect URI of the CLI and web clients. Any port on the same loopback host and path is
 * accepted as well (RFC 8252 section 7.3), so callers may listen on a random port.
 */
export const LOOPBACK_REDIRECT_URI = 'http://127.0.0.1:48080/callback';

/** Scopes of the example API, granted to every client that asks for them. */
export const API_SCOPES = ['api:read', 'api:write', 'api:admin'] as const;

/**
 * Authentication context class (`acr`) of a login with the password alone. A token carries it in `acr`,
 * with `amr: ["pwd"]` (RFC 8176).
 *
 * @example
 * ```ts
 * import { ACR_PASSWORD } from '@gatehouse/dev-idp';
 * const url = `${issuer}/auth?acr_values=${encodeURIComponent(ACR_PASSWORD)}&…`;
 * ```
 */
export const ACR_PASSWORD = 'urn:gatehouse:acr:password';

/**
 * Authentication context class (`acr`) of a login with the password and the user's one-time code (a
 * second factor): `amr: ["pwd", "otp"]`. An authorization request with `acr_values` naming it (and no
 * weaker class) makes the login page ask for the code, also when the user is already signed in with the
 * password alone (RFC 9470 step-up).
 *
 * @example
 * ```ts
 * import { ACR_MFA } from '@gatehouse/dev-idp';
 * authorizationUrl.searchParams.set('acr_values', ACR_MFA);
 * ```
 */
export const ACR_MFA = 'urn:gatehouse:acr:mfa';

/**
 * The authentication context classes from weakest to strongest; a login at a stronger class satisfies a
 * request for a weaker one.
 *
 * @example
 * ```ts
 * import { ACR_VALUES } from '@gatehouse/dev-idp';
 * console.log(ACR_VALUES); // ['urn:gatehouse:acr:password', 'urn:gatehouse:acr:mfa']
 * ```
 */
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA] as const;

/** RFC 8693 grant type. */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 token type identifier of an access token. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
/** RFC 8628 grant type. */
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/** Every development user's one-time code (the second factor of {@link ACR_MFA}). */
const DEV_ONE_TIME_CODE = '000000';

/** A development user. The password is the username: never reuse this outside local development. */
export interface DevUser {
  readonly username: string;
  readonly password: string;
  readonly name: string;
  readonly email: string;
  readonly emailVerified: boolean;
  /** What the user is for in the demo and the tests. */
  readonly role: string;
  /**
   * The user's development one-time code (the second factor of {@link ACR_MFA}). Public on purpose, like
   * the password.
   */
  readonly oneTimeCode: string;
}

/**
 * The development users. `sub` is the username. Each password is the username, and each one-time code is
 * `000000` (development only).
 *
 * @example
 * ```ts
 * const alice = DEV_USERS.find((u) => u.username === 'alice');
 * ```
 */
export const DEV_USERS: readonly DevUser[] = Object.freeze(
  [
    {
      username: 'alice',
      password: 'alice',
      name: 'Alice Admin',
      email: 'alice@example.com',
      emailVerified: true,
      role: 'the admin in the demo',
      oneTimeCode: DEV_ONE_TIME_CODE,
    },
    {
      username: 'bob',
      password: 'bob',
      name: 'Bob User',
      email: 'bob@example.com',
      emailVerified: true,
      role: 'an ordinary user, not an admin',
      oneTimeCode: DEV_ONE_TIME_CODE,
    },
    {
      username: 'mallory',
      password: 'mallory',
      name: 'Mallory Unverified',
      email: 'mallory@example.com',
      emailVerified: false,
      role: 'an unverified email, which must never grant admin',
      oneTimeCode: DEV_ONE_TIME_CODE,
    },
  ].map((user) => Object.freeze(user)),
);
