import { randomBytes } from 'node:crypto';
import type { ClientMetadata, Configuration, KoaContextWithOIDC, ResourceServer } from 'oidc-provider';
import { errors } from 'oidc-provider';
// oidc-provider's own in-memory adapter, one store per provider. Passing it explicitly (rather than
// leaving `adapter` unset, which uses the very same code) keeps its "in-memory adapter" warning quiet.
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import { interactionPolicyWithStepUp } from './authentication-context.js';
import {
  ACR_VALUES,
  API_SCOPES,
  CLI_CLIENT_ID,
  DEVICE_CLIENT_ID,
  DEVICE_CODE_GRANT_TYPE,
  type DevUser,
  LOOPBACK_REDIRECT_URI,
  PASSWORD_GRANT_TYPE,
  RESOURCE_SERVER_CLIENT_ID,
  RESOURCE_SERVER_CLIENT_SECRET,
  SERVICE_CLIENT_ID,
  SERVICE_CLIENT_SECRET,
  TOKEN_EXCHANGE_GRANT_TYPE,
  WEB_CLIENT_ID,
  WEB_CLIENT_SECRET,
} from './constants.js';
import { INTERACTION_PATH } from './interactions.js';
import type { SigningKey } from './keys.js';
import { isLoopbackHost, isLoopbackResource } from './loopback.js';
import { errorPage, escapeHtml, formPage, messagePage } from './pages.js';
import { AUTHORIZATION_PATH } from './provider-adjustments.js';
import { REGISTRATION_FEATURE } from './registration.js';
import type { ActorClaim } from './token-exchange.js';

/** The built-in clients, the CLI and web ones with the password grant when it is enabled (tests only). */
export function builtInClients(passwordGrant: boolean): ClientMetadata[] {
  if (!passwordGrant) return [...PREREGISTERED_CLIENTS];
  return PREREGISTERED_CLIENTS.map((client) =>
    client.client_id === CLI_CLIENT_ID || client.client_id === WEB_CLIENT_ID
      ? { ...client, grant_types: [...(client.grant_types ?? []), PASSWORD_GRANT_TYPE] }
      : client,
  );
}

/** The pre-registered clients. */
export const PREREGISTERED_CLIENTS: readonly ClientMetadata[] = [
  {
    client_id: SERVICE_CLIENT_ID,
    client_secret: SERVICE_CLIENT_SECRET,
    client_name: 'Gatehouse service (client credentials)',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials', TOKEN_EXCHANGE_GRANT_TYPE],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: CLI_CLIENT_ID,
    client_name: 'Gatehouse CLI',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT_TYPE, TOKEN_EXCHANGE_GRANT_TYPE],
    response_types: ['code'],
    redirect_uris: [LOOPBACK_REDIRECT_URI],
  },
  {
    client_id: WEB_CLIENT_ID,
    client_secret: WEB_CLIENT_SECRET,
    client_name: 'Gatehouse web demo',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [LOOPBACK_REDIRECT_URI],
  },
  {
    client_id: RESOURCE_SERVER_CLIENT_ID,
    client_secret: RESOURCE_SERVER_CLIENT_SECRET,
    client_name: 'Gatehouse example API (introspection)',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: DEVICE_CLIENT_ID,
    client_name: 'Gatehouse device',
    token_endpoint_auth_method: 'none',
    grant_types: [DEVICE_CODE_GRANT_TYPE, 'refresh_token'],
    response_types: [],
    redirect_uris: [],
  },
];

export interface ConfigurationInput {
  key: SigningKey;
  audiences: readonly string[];
  defaultAudience: string;
  /** Requests that name no audience get an opaque access token (good only for userinfo). */
  opaqueAccessTokenWithoutAudience: boolean;
  accessTokenTtlSecs: number;
  idTokenTtlSecs: number;
  /** `jwt` (RFC 9068) or `opaque` access tokens, which only introspection can check. */
  accessTokenFormat: 'jwt' | 'opaque';
  /** When set, DPoP proofs at the token endpoint must carry a nonce made with this secret. */
  dpopNonceSecret: Buffer | undefined;
  users: ReadonlyMap<string, DevUser>;
  clients: readonly ClientMetadata[];
  /** Filled in by the token exchange handler, read back when the token's claims are assembled. */
  actors: WeakMap<object, ActorClaim>;
}

const REFRESH_TOKEN_TTL_SECS = 24 * 60 * 60;
const CLOCK_TOLERANCE_SECS = 15;

/**
 * Resource server details for one of the known audiences or a resource on loopback (RFC 8707: the token's
 * `aud` is the resource exactly as requested); `invalid_target` for any other.
 */
export function resourceServerFor(input: ConfigurationInput, audience: string): ResourceServer {
  if (!input.audiences.includes(audience) && !isLoopbackResource(audience)) {
    throw new errors.InvalidTarget(
      `unknown resource; known: ${input.audiences.join(' ')} and any http(s) URL on loopback`,
    );
  }
  return {
    audience,
    scope: API_SCOPES.join(' '),
    accessTokenFormat: input.accessTokenFormat,
    accessTokenTTL: input.accessTokenTtlSecs,
    ...(input.accessTokenFormat === 'jwt' ? { jwt: { sign: { alg: input.key.alg } } } : {}),
  };
}

/** The oidc-provider configuration: every default that would print a NOTICE is set explicitly. */
export function createConfiguration(input: ConfigurationInput): Configuration {
  const { key, users, accessTokenTtlSecs, idTokenTtlSecs } = input;

  return {
    adapter: createMemoryAdapter(CLOCK_TOLERANCE_SECS),
    clockTolerance: CLOCK_TOLERANCE_SECS,
    clients: [...input.clients],
    jwks: { keys: [key.privateJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clientDefaults: { id_token_signed_response_alg: key.alg },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    // Code flow only: no implicit or hybrid responses.
    responseTypes: ['code'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    // The access tokens are for the API, not for userinfo, so the ID token carries the scoped claims itself.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // RFC 9470 step-up: the classes a login can reach (acr_values_supported), and the login prompt that
    // honours a request for a stronger one.
    acrValues: [...ACR_VALUES],
    rotateRefreshToken: true,

    async findAccount(_ctx, sub) {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: user.username,
        claims: () => ({
          sub: user.username,
          name: user.name,
          preferred_username: user.username,
          email: user.email,
          email_verified: user.emailVerified,
        }),
      };
    },

    extraTokenClaims(ctx, token) {
      const act = input.actors.get(token);
      const user = 'accountId' in token ? users.get(token.accountId) : undefined;
      if (!act && !user) return undefined;
      return {
        ...(user ? { email: user.email, email_verified: user.emailVerified } : {}),
        ...(user ? authenticationClaims(ctx) : {}),
        ...(act ? { act } : {}),
      };
    },

    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // RFC 9449: a token request with a DPoP proof gets a token bound to the proof's key (cnf.jkt).
      dPoP: {
        enabled: true,
        nonceSecret: input.dpopNonceSecret,
        requireNonce: () => input.dpopNonceSecret !== undefined,
      },
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) =>
          client.clientAuthMethod !== 'none' || token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      deviceFlow: {
        enabled: true,
        userCodeInputSource(ctx, form, _out, err) {
          const text = err ? '<p role="alert">That code is not valid. Try again.</p>' : '';
          ctx.body = formPage(
            'device-code',
            'Connect a device',
            `${text}<p>Enter the code shown on your device.</p>`,
            form,
            'Continue',
          );
        },
        userCodeConfirmSource(ctx, form, client, _deviceInfo, userCode) {
          ctx.body = formPage(
            'device-confirm',
            'Confirm the device',
            `<p>${escapeHtml(client.clientName ?? client.clientId)} shows the code <code>${escapeHtml(userCode)}</code>.</p>`,
            form,
            'Continue',
          );
        },
        successSource(ctx) {
          ctx.body = messagePage('device-success', 'Device connected', 'You can close this page.');
        },
      },
      resourceIndicators: {
        enabled: true,
        // No `resource` parameter means the default audience. `oneOf` is set when a token request names
        // no resource but the grant holds several: one must be picked, the default audience if granted.
        defaultResource: (_ctx, _client, oneOf) => {
          if (oneOf) return oneOf.includes(input.defaultAudience) ? input.defaultAudience : oneOf[0];
          return input.opaqueAccessTokenWithoutAudience ? undefined : input.defaultAudience;
        },
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => resourceServerFor(input, resource),
      },
      // RFC 7591, for redirect URIs on loopback only (see registration.ts).
      registration: REGISTRATION_FEATURE,
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.body = formPage('logout', 'Sign out', '<p>Sign out of the dev IdP?</p>', form, 'Sign out');
        },
        postLogoutSuccessSource(ctx) {
          ctx.body = messagePage('logout-success', 'Signed out', 'You are signed out.');
        },
      },
      // OpenID Connect Back-Channel Logout 1.0: ending a session posts a logout token to the
      // `backchannel_logout_uri` of every client the session logged in to.
      backchannelLogout: { enabled: true },
    },

    // Browsers on other loopback ports (the demo's front end) may call the token endpoint.
    clientBasedCORS: (_ctx, origin) => isLoopbackOrigin(origin),

    // Outgoing calls (back-channel logout tokens) go to loopback only: the relying parties of a dev IdP run
    // on this machine. oidc-provider's own guard refuses exactly those addresses, so it is set aside here.
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input);
      if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) {
        return Promise.reject(new Error('the dev IdP only calls http:// URLs on loopback'));
      }
      const { dispatcher: _ssrfGuard, ...options } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, options);
    },

    routes: { authorization: AUTHORIZATION_PATH },
    interactions: {
      policy: interactionPolicyWithStepUp(),
      url: (_ctx, interaction) => `${INTERACTION_PATH}${interaction.uid}`,
    },

    renderError(ctx: KoaContextWithOIDC, out) {
      ctx.type = 'html';
      ctx.body = errorPage({ ...out });
    },

    ttl: {
      AccessToken: accessTokenTtlSecs,
      ClientCredentials: accessTokenTtlSecs,
      AuthorizationCode: 60,
      BackchannelAuthenticationRequest: 600,
      DeviceCode: 600,
      IdToken: idTokenTtlSecs,
      Interaction: 3600,
      PreAuthorizedCode: 600,
      RefreshToken: REFRESH_TOKEN_TTL_SECS,
      Grant: REFRESH_TOKEN_TTL_SECS,
      Session: REFRESH_TOKEN_TTL_SECS,
    },
  };
}

/**
 * `acr`, `amr` and `auth_time` of the login behind a user's access token (RFC 9068 §2.2.1), so that a
 * resource server can demand a step-up (RFC 9470). oidc-provider keeps them on the code, refresh token or
 * device code that the token endpoint consumed, not on the access token itself.
 */
function authenticationClaims(ctx: KoaContextWithOIDC | undefined): Record<string, unknown> {
  const entities = ctx?.oidc?.entities;
  const source = entities?.AuthorizationCode ?? entities?.RefreshToken ?? entities?.DeviceCode;
  if (!source) return {};
  return {
    ...(source.acr ? { acr: source.acr } : {}),
    ...(source.amr ? { amr: source.amr } : {}),
    ...(source.authTime ? { auth_time: source.authTime } : {}),
  };
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}
