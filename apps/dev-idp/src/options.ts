import type { ClientMetadata } from 'oidc-provider';
import { PREREGISTERED_CLIENTS } from './configuration.js';
import {
  DEFAULT_ACCESS_TOKEN_TTL_SECS,
  DEFAULT_AUDIENCE,
  DEFAULT_HOST,
  DEFAULT_ID_TOKEN_TTL_SECS,
} from './constants.js';
import { AUDIENCE_PARAMETERS, type Conventions, OFFLINE_ACCESS_MODES } from './conventions.js';
import { SIGNING_ALGS, type SigningAlg } from './keys.js';
import { isLoopbackHost, NonLoopbackHostError } from './loopback.js';

/** Options of {@link startDevIdp}; every one is optional. */
export interface DevIdpOptions {
  /** Loopback address to bind: 127.0.0.0/8, `::1` or `localhost`. Default `127.0.0.1`; anything else throws. */
  host?: string;
  /** Port to bind; 0 (the default) picks a free one. */
  port?: number;
  /** Audience of access tokens when the request names no `resource`. Default {@link DEFAULT_AUDIENCE}. */
  audience?: string;
  /** Further audiences a client may ask for with `resource` (or `audience` in a token exchange). */
  extraAudiences?: string[];
  /** Signature algorithm of access and ID tokens. Default `RS256`. */
  signingAlg?: SigningAlg;
  /** Access token lifetime in seconds. Default 600. */
  accessTokenTtlSecs?: number;
  /** ID token lifetime in seconds. Default 3600. */
  idTokenTtlSecs?: number;
  /**
   * `jwt` (default): RFC 9068 JWT access tokens. `opaque`: random strings that only the introspection
   * endpoint (RFC 7662, `clients.resourceServer`) can check.
   */
  accessTokenFormat?: 'jwt' | 'opaque';
  /**
   * DPoP (RFC 9449) is always on: a token request with a `DPoP` proof gets a token bound to its key.
   * With this set, the token endpoint also requires server nonces in the proofs. Default false.
   */
  requireDpopNonce?: boolean;
  /** Extra clients (oidc-provider client metadata), registered next to the built-in ones. */
  clients?: ClientMetadata[];
  /**
   * The issuer's path: `''` (default, `http://127.0.0.1:<port>`), `'/'` (a trailing slash, as at Auth0),
   * `'/oauth2/default'` (an Okta authorization server), `'/realms/acme'` (Keycloak), `'/<tenant>/v2.0'`
   * (Entra). Discovery and every endpoint live under it.
   */
  issuerPath?: string;
  /**
   * Enables the password grant (RFC 6749 section 4.3) for the built-in CLI and web clients. Off by
   * default: only tests of legacy-provider support need it. Custom clients may list `password` in their
   * `grant_types` either way.
   */
  passwordGrant?: boolean;
  /**
   * How clients ask for an API audience: `resource` (RFC 8707, default), `audience` (Auth0; `resource` is
   * ignored), `scope` (Entra's `<audience>/.default` scope; `resource` is refused) or `none` (Google).
   */
  audienceParameter?: 'resource' | 'audience' | 'scope' | 'none';
  /** Requests that name no audience get an opaque access token, as at Auth0 and Google. Default false. */
  opaqueAccessTokenWithoutAudience?: boolean;
  /**
   * How clients ask for a refresh token: the `offline_access` scope (default) or Google's
   * `access_type=offline` (the `offline_access` scope is then refused with `invalid_scope`).
   */
  offlineAccess?: 'scope' | 'access_type';
}

/** {@link DevIdpOptions} checked, with every default filled in. */
export interface Settings {
  host: string;
  port: number;
  /** '' for a bare origin; '/' (Auth0's trailing slash) or '/oauth2/default' and the like. */
  issuerPath: string;
  audience: string;
  audiences: readonly string[];
  signingAlg: SigningAlg;
  accessTokenTtlSecs: number;
  idTokenTtlSecs: number;
  accessTokenFormat: 'jwt' | 'opaque';
  requireDpopNonce: boolean;
  clients: ClientMetadata[];
  passwordGrant: boolean;
  conventions: Conventions;
}

/** Checks every option and throws an error naming the first bad one. */
export function validateOptions(options: DevIdpOptions): Settings {
  const host = options.host ?? DEFAULT_HOST;
  if (typeof host !== 'string' || !isLoopbackHost(host)) throw new NonLoopbackHostError(String(host));

  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError('"port" must be an integer from 0 to 65535');
  }

  const audience = options.audience ?? DEFAULT_AUDIENCE;
  checkAudience(audience, '"audience"');
  const extra = options.extraAudiences ?? [];
  if (!Array.isArray(extra)) throw new TypeError('"extraAudiences" must be an array of strings');
  extra.forEach((aud, i) => {
    checkAudience(aud, `"extraAudiences[${i}]"`);
  });

  const signingAlg = options.signingAlg ?? 'RS256';
  if (!SIGNING_ALGS.includes(signingAlg)) {
    throw new TypeError(`"signingAlg" must be one of ${SIGNING_ALGS.join(', ')}`);
  }

  const accessTokenTtlSecs = options.accessTokenTtlSecs ?? DEFAULT_ACCESS_TOKEN_TTL_SECS;
  if (!Number.isSafeInteger(accessTokenTtlSecs) || accessTokenTtlSecs <= 0) {
    throw new TypeError('"accessTokenTtlSecs" must be a positive integer');
  }

  const idTokenTtlSecs = options.idTokenTtlSecs ?? DEFAULT_ID_TOKEN_TTL_SECS;
  if (!Number.isSafeInteger(idTokenTtlSecs) || idTokenTtlSecs <= 0) {
    throw new TypeError('"idTokenTtlSecs" must be a positive integer');
  }

  const issuerPath = options.issuerPath ?? '';
  if (
    typeof issuerPath !== 'string' ||
    (issuerPath !== '' && !/^\/(?:[A-Za-z0-9._~-]+\/?)*$/.test(issuerPath)) ||
    /(^|\/)\.\.?(\/|$)/.test(issuerPath) ||
    issuerPath.startsWith('/interaction')
  ) {
    throw new TypeError('"issuerPath" must be "" or a path such as "/", "/oauth2/default" or "/realms/acme"');
  }

  const audienceParameter = options.audienceParameter ?? 'resource';
  if (!AUDIENCE_PARAMETERS.includes(audienceParameter)) {
    throw new TypeError(`"audienceParameter" must be one of ${AUDIENCE_PARAMETERS.join(', ')}`);
  }
  const offlineAccess = options.offlineAccess ?? 'scope';
  if (!OFFLINE_ACCESS_MODES.includes(offlineAccess)) {
    throw new TypeError(`"offlineAccess" must be one of ${OFFLINE_ACCESS_MODES.join(', ')}`);
  }
  for (const flag of ['passwordGrant', 'opaqueAccessTokenWithoutAudience'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
      throw new TypeError(`"${flag}" must be true or false`);
    }
  }
  const accessTokenFormat = options.accessTokenFormat ?? 'jwt';
  if (accessTokenFormat !== 'jwt' && accessTokenFormat !== 'opaque') {
    throw new TypeError('"accessTokenFormat" must be "jwt" or "opaque"');
  }
  const requireDpopNonce = options.requireDpopNonce ?? false;
  if (typeof requireDpopNonce !== 'boolean') throw new TypeError('"requireDpopNonce" must be a boolean');

  const clients = options.clients ?? [];
  if (!Array.isArray(clients)) throw new TypeError('"clients" must be an array of client metadata');
  const builtIn = new Set(PREREGISTERED_CLIENTS.map((c) => c.client_id));
  clients.forEach((client, i) => {
    if (typeof client?.client_id !== 'string' || !client.client_id) {
      throw new TypeError(`"clients[${i}].client_id" is required`);
    }
    if (builtIn.has(client.client_id)) {
      throw new TypeError(`"clients[${i}].client_id" ${client.client_id} is already a built-in client`);
    }
  });

  return {
    host,
    port,
    issuerPath,
    audience,
    audiences: [...new Set([audience, ...extra])],
    signingAlg,
    accessTokenTtlSecs,
    idTokenTtlSecs,
    accessTokenFormat,
    requireDpopNonce,
    clients,
    passwordGrant: options.passwordGrant ?? false,
    conventions: {
      audienceParameter,
      offlineAccess,
      opaqueAccessTokenWithoutAudience: options.opaqueAccessTokenWithoutAudience ?? false,
    },
  };
}

function checkAudience(value: unknown, name: string): void {
  // oidc-provider takes resource indicators as absolute URIs only (RFC 8707 section 2).
  if (typeof value !== 'string' || !URL.canParse(value) || value.includes('#')) {
    throw new TypeError(`${name} must be an absolute URI without a fragment`);
  }
}
