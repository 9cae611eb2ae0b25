/**
 * Every stable error code raised by `@gatehouse/client`. `switch (err.code)` narrows to the error class.
 *
 * No message, field or `cause` of these errors carries a token, a refresh token, a client secret or a
 * passphrase: causes coming from the protocol library are reduced to their name, code and OAuth error fields.
 *
 * @example
 * ```ts
 * import type { ClientErrorCode } from '@gatehouse/client';
 * const retryable = (code: ClientErrorCode) => code === 'network_error';
 * ```
 */
export type ClientErrorCode =
  | 'invalid_options'
  | 'insecure_issuer'
  | 'discovery_failed'
  | 'token_request_failed'
  | 'network_error'
  | 'login_required'
  | 'login_cancelled'
  | 'login_timeout'
  | 'callback_port_in_use'
  | 'authorization_denied'
  | 'invalid_authorization_response'
  | 'device_code_expired'
  | 'token_store_failed'
  | 'passphrase_required'
  | 'wrong_passphrase'
  | 'api_key_missing'
  | 'revocation_failed'
  | 'id_token_unavailable'
  | 'keychain_unavailable'
  | 'resource_metadata_failed';

/**
 * Base class of every error thrown by `@gatehouse/client`.
 *
 * @example
 * ```ts
 * import { GatehouseClientError, type TokenSource } from '@gatehouse/client';
 *
 * declare const source: TokenSource;
 * try {
 *   await source.getToken();
 * } catch (err) {
 *   if (err instanceof GatehouseClientError && err.code === 'login_required') {
 *     console.error(err.message);
 *   }
 * }
 * ```
 */
export class GatehouseClientError extends Error {
  /** A stable, machine-readable code. */
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: safeCause(options.cause) });
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * An option is missing or malformed; `option` names it (`"clientId"`, `"port"`).
 *
 * @example
 * ```ts
 * import { InvalidOptionsError } from '@gatehouse/client';
 * const err = new InvalidOptionsError('issuer', '"issuer" is required');
 * console.log(err.option); // "issuer"
 * ```
 */
export class InvalidOptionsError extends GatehouseClientError {
  declare readonly code: 'invalid_options';
  /** The option at fault. */
  readonly option: string;
  constructor(option: string, message: string) {
    super('invalid_options', message);
    this.option = option;
  }
}

/**
 * An issuer (or one of its endpoints) uses `http://` on a host that is not loopback.
 *
 * @example
 * ```ts
 * import { InsecureIssuerError } from '@gatehouse/client';
 * const err = new InsecureIssuerError('http://idp.example');
 * console.log(err.issuer);
 * ```
 */
export class InsecureIssuerError extends GatehouseClientError {
  declare readonly code: 'insecure_issuer';
  /** The refused URL. */
  readonly issuer: string;
  constructor(issuer: string) {
    super(
      'insecure_issuer',
      `Refusing "${issuer}": http:// is only accepted on a loopback host (127.0.0.0/8, localhost, ::1). ` +
        'Use https://, or pass allowInsecureRequests: true for a test network you trust.',
    );
    this.issuer = issuer;
  }
}

/**
 * The issuer's discovery document could not be fetched or is invalid.
 *
 * @example
 * ```ts
 * import { DiscoveryError } from '@gatehouse/client';
 * const err = new DiscoveryError('https://idp.example', new Error('fetch failed'));
 * console.log(err.issuer);
 * ```
 */
export class DiscoveryError extends GatehouseClientError {
  declare readonly code: 'discovery_failed';
  /** The issuer that failed discovery. */
  readonly issuer: string;
  constructor(issuer: string, cause: unknown) {
    super('discovery_failed', `OpenID discovery failed for issuer "${issuer}": ${describe(cause)}`, {
      cause,
    });
    this.issuer = issuer;
  }
}

/**
 * The authorization server answered a token request with an OAuth error (`invalid_grant`, `invalid_client`…)
 * or an unusable response.
 *
 * @example
 * ```ts
 * import { TokenRequestError } from '@gatehouse/client';
 * const err = new TokenRequestError('refresh_token', { error: 'invalid_grant', status: 400 });
 * console.log(err.oauthError); // "invalid_grant"
 * ```
 */
export class TokenRequestError extends GatehouseClientError {
  declare readonly code: 'token_request_failed';
  /** The grant type of the failed request. */
  readonly grantType: string;
  /** The OAuth `error` code when the server sent one. */
  readonly oauthError: string | undefined;
  /** The OAuth `error_description` when the server sent one. */
  readonly oauthErrorDescription: string | undefined;
  /** The HTTP status of the response, when there was one. */
  readonly status: number | undefined;
  constructor(
    grantType: string,
    detail: { error?: string; errorDescription?: string; status?: number; reason?: string },
    cause?: unknown,
  ) {
    const what = detail.error
      ? `${detail.error}${detail.errorDescription ? ` (${detail.errorDescription})` : ''}`
      : (detail.reason ?? 'unexpected response');
    super('token_request_failed', `The ${grantType} token request failed: ${what}`, { cause });
    this.grantType = grantType;
    this.oauthError = detail.error;
    this.oauthErrorDescription = detail.errorDescription;
    this.status = detail.status;
  }
}

/**
 * The authorization server (or a service) could not be reached.
 *
 * @example
 * ```ts
 * import { NetworkError } from '@gatehouse/client';
 * const err = new NetworkError('http://127.0.0.1:1/token', new Error('ECONNREFUSED'));
 * console.log(err.url);
 * ```
 */
export class NetworkError extends GatehouseClientError {
  declare readonly code: 'network_error';
  /** The URL that could not be reached, when known. */
  readonly url: string | undefined;
  constructor(url: string | undefined, cause: unknown) {
    super('network_error', `Could not reach ${url ?? 'the authorization server'}: ${describe(cause)}`, {
      cause,
    });
    this.url = url;
  }
}

/**
 * There is no usable login (no stored tokens, or the refresh token was rejected) and no interactive login is
 * possible. The message tells the user what to run.
 *
 * @example
 * ```ts
 * import { LoginRequiredError } from '@gatehouse/client';
 * const err = new LoginRequiredError('no stored tokens', 'run `gatehouse login`');
 * console.log(err.reason);
 * ```
 */
export class LoginRequiredError extends GatehouseClientError {
  declare readonly code: 'login_required';
  /** Why a login is needed. */
  readonly reason: string;
  constructor(reason: string, hint: string, cause?: unknown) {
    super('login_required', `Not logged in (${reason}). To sign in, ${hint}.`, { cause });
    this.reason = reason;
  }
}

/**
 * The user (or an `AbortSignal`) cancelled a login, for example with Ctrl-C.
 *
 * @example
 * ```ts
 * import { LoginCancelledError } from '@gatehouse/client';
 * throw new LoginCancelledError();
 * ```
 */
export class LoginCancelledError extends GatehouseClientError {
  declare readonly code: 'login_cancelled';
  constructor() {
    super('login_cancelled', 'Login cancelled.');
  }
}

/**
 * The browser callback or the device approval did not arrive in time.
 *
 * @example
 * ```ts
 * import { LoginTimeoutError } from '@gatehouse/client';
 * throw new LoginTimeoutError(300);
 * ```
 */
export class LoginTimeoutError extends GatehouseClientError {
  declare readonly code: 'login_timeout';
  /** The timeout that elapsed, in seconds. */
  readonly timeoutSecs: number;
  constructor(timeoutSecs: number) {
    super('login_timeout', `Login timed out after ${timeoutSecs} s without a response from the browser.`);
    this.timeoutSecs = timeoutSecs;
  }
}

/**
 * The loopback callback port is already taken.
 *
 * @example
 * ```ts
 * import { CallbackPortInUseError } from '@gatehouse/client';
 * throw new CallbackPortInUseError('127.0.0.1', 48080);
 * ```
 */
export class CallbackPortInUseError extends GatehouseClientError {
  declare readonly code: 'callback_port_in_use';
  /** The busy port. */
  readonly port: number;
  constructor(host: string, port: number) {
    super(
      'callback_port_in_use',
      `The login callback port ${host}:${port} is already in use; close the other login or choose another port (--port).`,
    );
    this.port = port;
  }
}

/**
 * The authorization server redirected back with an error (the user denied consent, for example).
 *
 * @example
 * ```ts
 * import { AuthorizationDeniedError } from '@gatehouse/client';
 * const err = new AuthorizationDeniedError('access_denied');
 * console.log(err.oauthError);
 * ```
 */
export class AuthorizationDeniedError extends GatehouseClientError {
  declare readonly code: 'authorization_denied';
  /** The OAuth `error` of the authorization response. */
  readonly oauthError: string;
  /** The OAuth `error_description`, when given. */
  readonly oauthErrorDescription: string | undefined;
  constructor(error: string, description?: string) {
    super(
      'authorization_denied',
      `The authorization server refused the login: ${error}${description ? ` (${description})` : ''}`,
    );
    this.oauthError = error;
    this.oauthErrorDescription = description;
  }
}

/**
 * The authorization response or ID token failed a check (`state`, `nonce`, `iss`, signature…).
 *
 * @example
 * ```ts
 * import { InvalidAuthorizationResponseError } from '@gatehouse/client';
 * throw new InvalidAuthorizationResponseError('unexpected "state"');
 * ```
 */
export class InvalidAuthorizationResponseError extends GatehouseClientError {
  declare readonly code: 'invalid_authorization_response';
  constructor(reason: string, cause?: unknown) {
    super('invalid_authorization_response', `The login response was rejected: ${reason}`, { cause });
  }
}

/**
 * The device code expired before the user approved it.
 *
 * @example
 * ```ts
 * import { DeviceCodeExpiredError } from '@gatehouse/client';
 * throw new DeviceCodeExpiredError();
 * ```
 */
export class DeviceCodeExpiredError extends GatehouseClientError {
  declare readonly code: 'device_code_expired';
  constructor(cause?: unknown) {
    super('device_code_expired', 'The device code expired before the login was approved; start again.', {
      cause,
    });
  }
}

/**
 * The token file could not be read, written or locked (permissions, disk full…).
 *
 * @example
 * ```ts
 * import { TokenStoreError } from '@gatehouse/client';
 * const err = new TokenStoreError('/tmp/t.json', 'write', new Error('EACCES'));
 * console.log(err.path);
 * ```
 */
export class TokenStoreError extends GatehouseClientError {
  declare readonly code: 'token_store_failed';
  /** The token file. */
  readonly path: string;
  constructor(path: string, operation: string, cause: unknown) {
    super('token_store_failed', `Could not ${operation} the token file ${path}: ${describe(cause)}`, {
      cause,
    });
    this.path = path;
  }
}

/**
 * The stored refresh token is encrypted (or encryption was requested) and no passphrase was given.
 *
 * @example
 * ```ts
 * import { PassphraseRequiredError } from '@gatehouse/client';
 * throw new PassphraseRequiredError('/home/me/.gatehouse/tokens/default.json');
 * ```
 */
export class PassphraseRequiredError extends GatehouseClientError {
  declare readonly code: 'passphrase_required';
  /** The token file. */
  readonly path: string;
  constructor(path: string) {
    super(
      'passphrase_required',
      `The refresh token in ${path} is encrypted and no passphrase was given; set GATEHOUSE_TOKEN_PASSPHRASE or run interactively to be prompted.`,
    );
    this.path = path;
  }
}

/**
 * The passphrase does not decrypt the stored refresh token.
 *
 * @example
 * ```ts
 * import { WrongPassphraseError } from '@gatehouse/client';
 * throw new WrongPassphraseError('/home/me/.gatehouse/tokens/default.json');
 * ```
 */
export class WrongPassphraseError extends GatehouseClientError {
  declare readonly code: 'wrong_passphrase';
  /** The token file. */
  readonly path: string;
  constructor(path: string) {
    super(
      'wrong_passphrase',
      `The passphrase does not decrypt the refresh token in ${path} (wrong passphrase, or the file was altered).`,
    );
    this.path = path;
  }
}

/**
 * The environment variable holding the API key is unset or empty.
 *
 * @example
 * ```ts
 * import { ApiKeyMissingError } from '@gatehouse/client';
 * throw new ApiKeyMissingError('GATEHOUSE_API_KEY');
 * ```
 */
export class ApiKeyMissingError extends GatehouseClientError {
  declare readonly code: 'api_key_missing';
  /** The environment variable that was read. */
  readonly variable: string;
  constructor(variable: string) {
    super('api_key_missing', `The API key variable ${variable} is not set (or is empty).`);
    this.variable = variable;
  }
}

/**
 * The authorization server refused to revoke a token (RFC 7009).
 *
 * @example
 * ```ts
 * import { RevocationError } from '@gatehouse/client';
 * throw new RevocationError(new Error('invalid_client'));
 * ```
 */
export class RevocationError extends GatehouseClientError {
  declare readonly code: 'revocation_failed';
  constructor(cause: unknown) {
    super('revocation_failed', `Token revocation failed: ${describe(cause)}`, { cause });
  }
}

/**
 * The ID token is the token to present (`tokenType: 'id_token'`) but the provider issued none, or a refresh
 * did not renew an expiring one.
 *
 * @example
 * ```ts
 * import { IdTokenUnavailableError } from '@gatehouse/client';
 * throw new IdTokenUnavailableError('the refresh response carried no new ID token');
 * ```
 */
export class IdTokenUnavailableError extends GatehouseClientError {
  declare readonly code: 'id_token_unavailable';
  /** Why there is no usable ID token. */
  readonly reason: string;
  constructor(reason: string) {
    super(
      'id_token_unavailable',
      `No usable ID token: ${reason}. Ask for the "openid" scope, or present the access token instead.`,
    );
    this.reason = reason;
  }
}

/**
 * The tokens of a profile are kept in the OS keychain, and the keychain cannot be reached now.
 *
 * @example
 * ```ts
 * import { KeychainUnavailableError } from '@gatehouse/client';
 * const err = new KeychainUnavailableError('Secret Service', '/home/me/.gatehouse/tokens/default.json');
 * console.log(err.keychain);
 * ```
 */
export class KeychainUnavailableError extends GatehouseClientError {
  declare readonly code: 'keychain_unavailable';
  /** The keychain's name (`macOS Keychain`, `Windows Credential Manager`, `Secret Service`). */
  readonly keychain: string;
  /** The token file that points to the keychain. */
  readonly path: string;
  constructor(keychain: string, path: string, cause?: unknown) {
    super(
      'keychain_unavailable',
      `The tokens of ${path} are kept in the ${keychain} keychain, which cannot be reached now; unlock it, or log in again with --token-storage file.`,
      { cause },
    );
    this.keychain = keychain;
    this.path = path;
  }
}

/**
 * A resource's protected resource metadata (RFC 9728) could not be fetched, or does not describe that
 * resource: `reason` says which, `url` is the document that was read.
 *
 * @example
 * ```ts
 * import { discoverProtectedResource, ResourceMetadataError } from '@gatehouse/client';
 * try {
 *   await discoverProtectedResource('https://mcp.example.com/mcp');
 * } catch (err) {
 *   if (err instanceof ResourceMetadataError) console.error(err.resource, err.reason);
 * }
 * ```
 */
export class ResourceMetadataError extends GatehouseClientError {
  declare readonly code: 'resource_metadata_failed';
  /** The resource whose metadata was looked for. */
  readonly resource: string;
  /** The metadata URL read last, when one was. */
  readonly url: string | undefined;
  /** Why it failed, in a few words. */
  readonly reason: string;
  constructor(resource: string, url: string | undefined, reason: string, cause?: unknown) {
    super(
      'resource_metadata_failed',
      `Protected resource metadata of "${resource}"${url ? ` (${url})` : ''}: ${reason}`,
      cause === undefined ? undefined : { cause },
    );
    this.resource = resource;
    this.url = url;
    this.reason = reason;
  }
}

/**
 * Every error class of `@gatehouse/client`, as a union: with `err` typed as this, `switch (err.code)` narrows
 * to the class and its fields.
 *
 * @example
 * ```ts
 * import { type AnyClientError, isClientError } from '@gatehouse/client';
 *
 * function explain(err: AnyClientError): string {
 *   switch (err.code) {
 *     case 'token_request_failed':
 *       return `refused: ${err.oauthError ?? 'no OAuth error'}`;
 *     case 'network_error':
 *       return `unreachable: ${err.url ?? 'the provider'}`;
 *     default:
 *       return err.message;
 *   }
 * }
 * declare const caught: unknown;
 * if (isClientError(caught)) console.error(explain(caught));
 * ```
 */
export type AnyClientError =
  | InvalidOptionsError
  | InsecureIssuerError
  | DiscoveryError
  | TokenRequestError
  | NetworkError
  | LoginRequiredError
  | LoginCancelledError
  | LoginTimeoutError
  | CallbackPortInUseError
  | AuthorizationDeniedError
  | InvalidAuthorizationResponseError
  | DeviceCodeExpiredError
  | TokenStoreError
  | PassphraseRequiredError
  | WrongPassphraseError
  | ApiKeyMissingError
  | RevocationError
  | IdTokenUnavailableError
  | KeychainUnavailableError
  | ResourceMetadataError;

/**
 * True for every error thrown by `@gatehouse/client`, typed as the {@link AnyClientError} union.
 *
 * @example
 * ```ts
 * import { isClientError } from '@gatehouse/client';
 * declare const caught: unknown;
 * if (isClientError(caught) && caught.code === 'login_required') console.error(caught.reason);
 * ```
 */
export function isClientError(err: unknown): err is AnyClientError {
  return err instanceof GatehouseClientError;
}

/** A one-line, secret-free description of an unknown error. */
export function describe(err: unknown): string {
  if (err instanceof GatehouseClientError) return err.message;
  if (err && typeof err === 'object') {
    const e = err as { message?: unknown; code?: unknown; error?: unknown; error_description?: unknown };
    const oauth = typeof e.error === 'string' ? e.error : undefined;
    if (oauth) {
      return typeof e.error_description === 'string' ? `${oauth} (${e.error_description})` : oauth;
    }
    const nested = (err as { cause?: { code?: unknown } }).cause;
    const sysCode = nested && typeof nested.code === 'string' ? ` (${nested.code})` : '';
    if (typeof e.message === 'string') return `${e.message}${sysCode}`;
  }
  return String(err);
}

/**
 * Reduces a foreign error to fields that cannot hold a secret. openid-client attaches whole response bodies
 * (which may contain tokens) as `cause`; we keep only the name, message, code, status and OAuth error fields.
 */
function safeCause(err: unknown): unknown {
  if (err instanceof GatehouseClientError) return err;
  if (!err || typeof err !== 'object') return err;
  const e = err as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    status?: unknown;
    error?: unknown;
    error_description?: unknown;
    cause?: unknown;
  };
  const copy = new Error(typeof e.message === 'string' ? e.message : 'error');
  copy.name = typeof e.name === 'string' ? e.name : 'Error';
  const fields: Record<string, unknown> = {};
  for (const key of ['code', 'status', 'error', 'error_description'] as const) {
    if (typeof e[key] === 'string' || typeof e[key] === 'number') fields[key] = e[key];
  }
  // System errors (ECONNREFUSED…) under a fetch TypeError are safe and useful.
  const nested = e.cause as { code?: unknown; message?: unknown } | undefined;
  if (nested && typeof nested === 'object' && typeof nested.code === 'string') {
    fields.cause = { code: nested.code, message: typeof nested.message === 'string' ? nested.message : '' };
  }
  return Object.assign(copy, fields);
}
