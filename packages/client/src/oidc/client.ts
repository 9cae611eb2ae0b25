import * as oidc from 'openid-client';
import type { DpopKey } from '../dpop/key.js';
import { DiscoveryError, InsecureIssuerError, InvalidOptionsError } from '../errors.js';
import { isSecureOrLoopbackUrl } from './loopback.js';
import {
  type AudienceParameter,
  audienceAndScope,
  detectPreset,
  offlineParameters,
  PRESET_BEHAVIOUR,
  PROVIDER_PRESETS,
  type ProviderPreset,
} from './presets.js';

/**
 * How the client authenticates at the token endpoint when it has a secret.
 *
 * @example
 * ```ts
 * import { type ClientAuthMethod, createOidcClient } from '@gatehouse/client';
 * const method: ClientAuthMethod = 'client_secret_post';
 * const client = createOidcClient({ issuer: 'https://idp.example.com', clientId: 'svc', clientSecret: 's', clientAuthMethod: method });
 * ```
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/**
 * The one configuration object every grant function takes (through {@link createOidcClient}).
 *
 * @example
 * ```ts
 * import type { OidcClientOptions } from '@gatehouse/client';
 * const options: OidcClientOptions = { issuer: 'https://idp.example.com', clientId: 'gatehouse-cli', scope: 'openid offline_access' };
 * ```
 */
export interface OidcClientOptions {
  /** The issuer identifier (`https://idp.example`), used for discovery. */
  issuer: string | URL;
  /** The OAuth client id. */
  clientId: string;
  /** The client secret of a confidential client; leave unset for a public client (PKCE only). */
  clientSecret?: string;
  /** How to send the secret. Default `client_secret_basic` with a secret, `none` without. */
  clientAuthMethod?: ClientAuthMethod;
  /**
   * An explicit token endpoint. When set, discovery is skipped (only token-endpoint grants work: client
   * credentials, refresh, token exchange).
   */
  tokenEndpoint?: string | URL;
  /** Space-separated scopes to request. */
  scope?: string;
  /** The API audience to request tokens for. */
  audience?: string;
  /**
   * The provider's conventions: `google`, `entra`, `okta`, `auth0`, `keycloak`, or `generic` (the RFCs).
   * Default: recognised from the issuer's host (`accounts.google.com`, `login.microsoftonline.com`,
   * `*.okta.com`, `*.auth0.com`, a `/realms/<name>` path), else `generic`. See {@link PRESET_BEHAVIOUR}.
   */
  preset?: ProviderPreset;
  /**
   * How `audience` is requested: `resource` (RFC 8707), `audience` (Auth0), `scope` (Entra's
   * `<audience>/.default`) or `none`. Default: the preset's.
   */
  audienceParameter?: AudienceParameter;
  /**
   * Allows `http://` on hosts that are not loopback. Off by default: `http://` is accepted automatically only
   * on loopback (127.0.0.0/8, `localhost`, `::1`), and refused everywhere else.
   */
  allowInsecureRequests?: boolean;
  /** Timeout of each request to the authorization server, in seconds. Default 30. */
  timeoutSecs?: number;
  /** A fetch implementation for requests to the authorization server (proxies, tests). */
  fetch?: oidc.CustomFetch;
  /**
   * Request DPoP-bound tokens (RFC 9449) with this key: every token request carries a proof signed with
   * it, server nonces are followed, and the tokens issued are bound to its thumbprint (`cnf.jkt`). Use them
   * with `createDpopFetch(source, key)`.
   */
  dpop?: DpopKey;
}

/**
 * A validated client configuration; discovery runs once, on first use, and is shared by every grant.
 *
 * @example
 * ```ts
 * import { createOidcClient, type OidcClient } from '@gatehouse/client';
 * const client: OidcClient = createOidcClient({ issuer: 'https://idp.example.com', clientId: 'gatehouse-cli' });
 * const metadata = (await client.configuration()).serverMetadata();
 * ```
 */
export interface OidcClient {
  /** The issuer as given. */
  readonly issuer: string;
  /** The client id. */
  readonly clientId: string;
  /** True when a client secret is configured. */
  readonly confidential: boolean;
  /** The validated options. */
  readonly options: Readonly<OidcClientOptions>;
  /** The provider conventions in effect (given, or recognised from the issuer). */
  readonly preset: ProviderPreset;
  /** The openid-client configuration (discovered on the first call, then cached). */
  configuration(): Promise<oidc.Configuration>;
  /** The audience (`resource`, `audience` or a `.default` scope) and `scope` parameters of a request. */
  tokenParameters(overrides?: { scope?: string; audience?: string }): Record<string, string>;
  /** Front-channel parameters that ask for a refresh token (`prompt=consent`, `access_type=offline`). */
  offlineParameters(scope: string): Record<string, string>;
  /** The parameters of a refresh request: none, or the scope where the provider expects it (Entra). */
  refreshParameters(overrides?: { scope?: string; audience?: string }): Record<string, string>;
  /**
   * The options that make a token request carry a DPoP proof (`{ DPoP: handle }` for openid-client), or
   * none without a `dpop` key. One handle per client, so the server's nonce is remembered between requests.
   */
  dpopOptions(): Promise<{ DPoP?: oidc.DPoPHandle }>;
}

/**
 * Default request timeout, seconds.
 *
 * @example
 * ```ts
 * import { createOidcClient, DEFAULT_HTTP_TIMEOUT_SECS } from '@gatehouse/client';
 * const client = createOidcClient({ issuer: 'https://idp.example.com', clientId: 'c', timeoutSecs: DEFAULT_HTTP_TIMEOUT_SECS * 2 });
 * ```
 */
export const DEFAULT_HTTP_TIMEOUT_SECS = 30;

/**
 * Validates the options and returns a client; discovery happens lazily and once.
 *
 * `http://` issuers are accepted only on loopback hosts unless `allowInsecureRequests` is set; any other
 * `http://` issuer throws {@link InsecureIssuerError} here, before any request.
 *
 * @example
 * ```ts
 * import { createOidcClient } from '@gatehouse/client';
 *
 * const client = createOidcClient({
 *   issuer: 'https://idp.example.com',
 *   clientId: 'gatehouse-cli',
 *   scope: 'openid offline_access api:read',
 *   audience: 'urn:gatehouse:example-api',
 * });
 * ```
 */
export function createOidcClient(options: OidcClientOptions): OidcClient {
  const issuerUrl = parseUrl('issuer', options.issuer);
  if (typeof options.clientId !== 'string' || options.clientId.trim() === '') {
    throw new InvalidOptionsError('clientId', '"clientId" is required');
  }
  if (options.clientSecret !== undefined && options.clientSecret === '') {
    throw new InvalidOptionsError('clientSecret', '"clientSecret" must not be empty when given');
  }
  const tokenEndpoint =
    options.tokenEndpoint === undefined ? undefined : parseUrl('tokenEndpoint', options.tokenEndpoint);
  const method: ClientAuthMethod =
    options.clientAuthMethod ?? (options.clientSecret ? 'client_secret_basic' : 'none');
  if (method !== 'none' && !options.clientSecret) {
    throw new InvalidOptionsError('clientAuthMethod', `"clientAuthMethod" ${method} needs a "clientSecret"`);
  }
  if (!['client_secret_basic', 'client_secret_post', 'none'].includes(method)) {
    throw new InvalidOptionsError(
      'clientAuthMethod',
      `"clientAuthMethod" ${String(method)} is not supported`,
    );
  }
  const preset = options.preset ?? detectPreset(issuerUrl);
  if (!PROVIDER_PRESETS.includes(preset)) {
    throw new InvalidOptionsError('preset', `"preset" must be one of ${PROVIDER_PRESETS.join(', ')}`);
  }
  const audienceParameter = options.audienceParameter ?? PRESET_BEHAVIOUR[preset].audienceParameter;
  if (!['resource', 'audience', 'scope', 'none'].includes(audienceParameter)) {
    throw new InvalidOptionsError(
      'audienceParameter',
      '"audienceParameter" must be "resource", "audience", "scope" or "none"',
    );
  }
  const behaviour = { ...PRESET_BEHAVIOUR[preset], audienceParameter };
  const timeout = options.timeoutSecs ?? DEFAULT_HTTP_TIMEOUT_SECS;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new InvalidOptionsError('timeoutSecs', '"timeoutSecs" must be a positive number');
  }
  const explicitInsecure = options.allowInsecureRequests === true;
  for (const url of [issuerUrl, tokenEndpoint]) {
    if (url && !explicitInsecure && !isSecureOrLoopbackUrl(url)) throw new InsecureIssuerError(url.href);
  }
  // http:// on loopback gets openid-client's insecure opt-in automatically, and only then.
  const insecure = explicitInsecure || issuerUrl.protocol === 'http:' || tokenEndpoint?.protocol === 'http:';

  const auth = clientAuth(method, options.clientSecret);
  const issuer = String(options.issuer);
  let pending: Promise<oidc.Configuration> | undefined;
  let dpopHandle: oidc.DPoPHandle | undefined;
  if (options.dpop !== undefined && !(options.dpop.privateKey && options.dpop.publicKey)) {
    throw new InvalidOptionsError('dpop', '"dpop" must be a key from generateDpopKey() or importDpopKey()');
  }

  const configure = (config: oidc.Configuration): oidc.Configuration => {
    if (insecure) oidc.allowInsecureRequests(config);
    config.timeout = timeout;
    if (options.fetch) config[oidc.customFetch] = options.fetch;
    return config;
  };

  const discover = async (): Promise<oidc.Configuration> => {
    if (tokenEndpoint) {
      return configure(
        new oidc.Configuration(
          { issuer, token_endpoint: tokenEndpoint.href },
          options.clientId,
          options.clientSecret,
          auth,
        ),
      );
    }
    let config: oidc.Configuration;
    try {
      config = await oidc.discovery(issuerUrl, options.clientId, options.clientSecret, auth, {
        execute: insecure ? [oidc.allowInsecureRequests] : [],
        timeout,
        ...(options.fetch ? { [oidc.customFetch]: options.fetch } : {}),
      });
    } catch (err) {
      throw new DiscoveryError(issuer, err);
    }
    if (!explicitInsecure) assertEndpointsSecure(config.serverMetadata());
    return configure(config);
  };

  return {
    issuer,
    clientId: options.clientId,
    confidential: Boolean(options.clientSecret),
    options: Object.freeze({ ...options, preset, audienceParameter, timeoutSecs: timeout }),
    preset,
    configuration() {
      pending ??= discover().catch((err: unknown) => {
        pending = undefined; // a failed discovery is retried on the next call
        throw err;
      });
      return pending;
    },
    tokenParameters(overrides = {}) {
      return audienceAndScope(
        behaviour,
        overrides.scope ?? options.scope,
        overrides.audience ?? options.audience,
      );
    },
    offlineParameters(scope) {
      return offlineParameters(behaviour, scope);
    },
    refreshParameters(overrides = {}) {
      // RFC 6749 §6: without a scope the server keeps the granted one. Entra's v2 endpoint wants it again.
      const scope = overrides.scope ?? (behaviour.scopeOnRefresh ? options.scope : undefined);
      return audienceAndScope(behaviour, scope, overrides.audience ?? options.audience);
    },
    async dpopOptions() {
      if (options.dpop === undefined) return {};
      dpopHandle ??= oidc.getDPoPHandle(await this.configuration(), options.dpop);
      return { DPoP: dpopHandle };
    },
  };
}

function parseUrl(option: string, value: string | URL): URL {
  if (value === undefined || value === null || String(value).trim() === '') {
    throw new InvalidOptionsError(option, `"${option}" is required`);
  }
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new InvalidOptionsError(option, `"${option}" must be an absolute URL, got "${String(value)}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidOptionsError(option, `"${option}" must be an http(s) URL, got "${url.href}"`);
  }
  return url;
}

function clientAuth(method: ClientAuthMethod, secret: string | undefined): oidc.ClientAuth {
  switch (method) {
    case 'client_secret_basic':
      return oidc.ClientSecretBasic(secret);
    case 'client_secret_post':
      return oidc.ClientSecretPost(secret);
    default:
      return oidc.None();
  }
}

const ENDPOINT_FIELDS = [
  'authorization_endpoint',
  'token_endpoint',
  'device_authorization_endpoint',
  'revocation_endpoint',
  'jwks_uri',
  'userinfo_endpoint',
] as const;

/** A loopback issuer must not send us to plain http elsewhere (the automatic opt-in covers loopback only). */
function assertEndpointsSecure(metadata: oidc.ServerMetadata): void {
  for (const field of ENDPOINT_FIELDS) {
    const value = metadata[field];
    if (typeof value !== 'string') continue;
    const url = new URL(value);
    if (!isSecureOrLoopbackUrl(url)) throw new InsecureIssuerError(url.href);
  }
}
