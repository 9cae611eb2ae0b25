import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JWTHeaderParameters, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import Provider, { type ClientMetadata, errors } from 'oidc-provider';
import {
  builtInClients,
  createConfiguration,
  PREREGISTERED_CLIENTS,
  resourceServerFor,
} from './configuration.js';
import {
  CLI_CLIENT_ID,
  DEV_USERS,
  DEVICE_CLIENT_ID,
  type DevUser,
  LOOPBACK_REDIRECT_URI,
  PASSWORD_GRANT_TYPE,
  RESOURCE_SERVER_CLIENT_ID,
  RESOURCE_SERVER_CLIENT_SECRET,
  SERVICE_CLIENT_ID,
  SERVICE_CLIENT_SECRET,
  WEB_CLIENT_ID,
  WEB_CLIENT_SECRET,
} from './constants.js';
import { drive, HeadlessFlowError, type HeadlessUser } from './headless.js';
import { createInteractionHandler, INTERACTION_PATH } from './interactions.js';
import { createSigningKey, type SigningAlg } from './keys.js';
import { issuerFor } from './loopback.js';
import { type DevIdpOptions, validateOptions } from './options.js';
import { registerPasswordGrant } from './password-grant.js';
import { createProtocolHandler } from './protocol-requests.js';
import {
  acceptLoopbackRedirectsOnAnyPort,
  acceptStepUpWithoutOpenId,
  advertisePollingInterval,
  treatOfflineAccessAsConsentPrompt,
} from './provider-adjustments.js';
import { createSession, type DevIdpSession, recordBackchannelDeliveries } from './session.js';
import { type ActorClaim, registerTokenExchange } from './token-exchange.js';

/** Credentials and redirect URI of the pre-registered clients. */
export interface DevIdpClients {
  service: { clientId: string; clientSecret: string };
  cli: { clientId: string; redirectUri: string };
  web: { clientId: string; clientSecret: string; redirectUri: string };
  device: { clientId: string };
  /** The example API's own client, for token introspection. */
  resourceServer: { clientId: string; clientSecret: string };
}

/** The development users by username. */
export interface DevIdpUsers {
  alice: DevUser;
  bob: DevUser;
  mallory: DevUser;
}

export interface LoginHeadlessOptions {
  /** Also GET the final redirect URL (the caller's callback server must be listening). Default false. */
  deliver?: boolean;
}

export interface SignAccessTokenOptions {
  /** Lifetime from now; negative for an already expired token. Default: the access token TTL. */
  expiresInSecs?: number;
  /** `kid` header; default the provider's signing key id (the one in its JWKS). */
  kid?: string;
  /** Further JOSE header parameters (they win over the defaults). */
  header?: Partial<JWTHeaderParameters>;
}

/** A running development identity provider. */
export interface DevIdp {
  /** `http://127.0.0.1:<port>` (or the localhost / [::1] form, after the host). */
  readonly issuer: string;
  readonly port: number;
  /** Default audience of access tokens. */
  readonly audience: string;
  /** Every audience a token can be issued for: `audience` first, then `extraAudiences`. */
  readonly audiences: readonly string[];
  readonly jwksUri: string;
  readonly signingAlg: SigningAlg;
  /** `kid` of the signing key, as published in the JWKS. */
  readonly kid: string;
  readonly clients: DevIdpClients;
  readonly users: DevIdpUsers;
  /**
   * Drives an authorization URL without a browser (fetch, a cookie jar, the login form) and resolves to
   * the final redirect to the client's `redirect_uri`, carrying `code` and `state` (or an `error`).
   * That URL is not requested unless `deliver` is set. Rejects with a {@link HeadlessFlowError}.
   */
  loginHeadless(
    authorizationUrl: string,
    user: HeadlessUser,
    options?: LoginHeadlessOptions,
  ): Promise<string>;
  /** Completes the user side of a device authorization: enter the code, log in, confirm. */
  approveDevice(userCode: string, user: HeadlessUser): Promise<void>;
  /**
   * Signs a JWT access token (`typ: at+jwt`) with the provider's own key. `iss`, `aud`, `iat`, `exp` and
   * `jti` are filled in unless `claims` sets them; a claim set to `undefined` is left out altogether.
   */
  signAccessToken(claims?: Record<string, unknown>, options?: SignAccessTokenOptions): Promise<string>;
  /**
   * A person's browser session: logins in it share the provider's session cookie, and its `logout()`
   * ends the session there, sending back-channel logout tokens to the clients registered with a
   * `backchannel_logout_uri` (pass them in `clients`).
   */
  session(): DevIdpSession;
  /** Drops open connections and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts the development OpenID provider on loopback. Prints nothing.
 *
 * @example
 * ```ts
 * const idp = await startDevIdp();
 * const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
 * await idp.close();
 * ```
 */
export async function startDevIdp(options: DevIdpOptions = {}): Promise<DevIdp> {
  const settings = validateOptions(options);
  const key = await createSigningKey(settings.signingAlg);
  const users = new Map(DEV_USERS.map((user) => [user.username, user]));
  const actors = new WeakMap<object, ActorClaim>();

  const server = createServer();
  await listen(server, settings.port, settings.host);
  try {
    const port = (server.address() as AddressInfo).port;
    const issuer = `${issuerFor(settings.host, port)}${settings.issuerPath}`;
    const configInput = {
      key,
      audiences: settings.audiences,
      defaultAudience: settings.audience,
      opaqueAccessTokenWithoutAudience: settings.conventions.opaqueAccessTokenWithoutAudience,
      accessTokenTtlSecs: settings.accessTokenTtlSecs,
      idTokenTtlSecs: settings.idTokenTtlSecs,
      accessTokenFormat: settings.accessTokenFormat,
      dpopNonceSecret: settings.requireDpopNonce ? randomBytes(32) : undefined,
      users,
      clients: [...builtInClients(settings.passwordGrant), ...settings.clients],
      actors,
    };
    const provider = new Provider(issuer, createConfiguration(configInput));

    acceptLoopbackRedirectsOnAnyPort(provider);
    advertisePollingInterval(provider);
    treatOfflineAccessAsConsentPrompt(provider);
    acceptStepUpWithoutOpenId(provider);
    const deliveries = recordBackchannelDeliveries(provider);

    const verifyAccessToken = async (token: string): Promise<JWTPayload> => {
      const { payload } = await jwtVerify(token, key.publicKey, {
        issuer,
        audience: [...settings.audiences],
        algorithms: [key.alg],
        typ: 'at+jwt',
      });
      return payload;
    };
    registerTokenExchange(provider, {
      defaultAudience: settings.audience,
      resourceServer: (audience) => resourceServerFor(configInput, audience),
      verifySubjectToken: verifyAccessToken,
      actors,
    });

    const passwordClients = settings.clients.some((c) => c.grant_types?.includes(PASSWORD_GRANT_TYPE));
    if (settings.passwordGrant || passwordClients) {
      registerPasswordGrant(provider, {
        users,
        defaultAudience: settings.conventions.opaqueAccessTokenWithoutAudience
          ? undefined
          : settings.audience,
        resourceServer: (audience) => resourceServerFor(configInput, audience),
      });
    }

    await checkClients(provider, settings.clients);

    const handleInteraction = createInteractionHandler(provider, {
      users,
      firstPartyClients: new Set(PREREGISTERED_CLIENTS.map((c) => c.client_id)),
    });
    const handleProtocol = createProtocolHandler(provider, {
      mountPath: settings.issuerPath.replace(/\/$/, ''),
      conventions: settings.conventions,
      audiences: settings.audiences,
    });
    server.on('request', (req, res) => {
      if (req.url?.startsWith(INTERACTION_PATH)) void handleInteraction(req, res);
      else void handleProtocol(req, res);
    });
    const endpoint = (path: string) => `${issuer.replace(/\/$/, '')}${path}`;

    const origin = new URL(issuer).origin;
    return {
      issuer,
      port,
      audience: settings.audience,
      audiences: settings.audiences,
      jwksUri: endpoint('/jwks'),
      signingAlg: key.alg,
      kid: key.kid,
      clients: {
        service: { clientId: SERVICE_CLIENT_ID, clientSecret: SERVICE_CLIENT_SECRET },
        cli: { clientId: CLI_CLIENT_ID, redirectUri: LOOPBACK_REDIRECT_URI },
        web: { clientId: WEB_CLIENT_ID, clientSecret: WEB_CLIENT_SECRET, redirectUri: LOOPBACK_REDIRECT_URI },
        device: { clientId: DEVICE_CLIENT_ID },
        resourceServer: { clientId: RESOURCE_SERVER_CLIENT_ID, clientSecret: RESOURCE_SERVER_CLIENT_SECRET },
      },
      users: { alice: users.get('alice')!, bob: users.get('bob')!, mallory: users.get('mallory')! },

      async loginHeadless(authorizationUrl, user, { deliver = false } = {}) {
        const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri');
        if (!redirectUri) {
          throw new HeadlessFlowError(
            'UNEXPECTED_RESPONSE',
            'the authorization URL has no redirect_uri',
            authorizationUrl,
          );
        }
        const result = await drive(authorizationUrl, {
          origin,
          user,
          stopAt: (url) => isRedirectTo(url, redirectUri),
        });
        if (result.kind !== 'redirect') {
          throw new HeadlessFlowError(
            'UNEXPECTED_RESPONSE',
            'the flow ended without a redirect',
            authorizationUrl,
          );
        }
        if (deliver) {
          const response = await fetch(result.url, { redirect: 'manual' });
          await response.body?.cancel();
        }
        return result.url;
      },

      async approveDevice(userCode, user) {
        await drive(endpoint('/device'), { origin, user, userCode });
      },

      async signAccessToken(claims = {}, { expiresInSecs, kid = key.kid, header = {} } = {}) {
        const now = Math.floor(Date.now() / 1000);
        const payload: Record<string, unknown> = {
          iss: issuer,
          aud: settings.audience,
          iat: now,
          exp: now + (expiresInSecs ?? settings.accessTokenTtlSecs),
          jti: randomUUID(),
          ...claims,
        };
        for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
        return new SignJWT(payload)
          .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid, ...header })
          .sign(key.privateKey);
      },

      session: () => createSession(issuer, deliveries),

      close: () => close(server),
    };
  } catch (err) {
    await close(server);
    throw err;
  }
}

/** The redirect URI itself, or it followed by a query or fragment (the authorization response). */
function isRedirectTo(url: string, redirectUri: string): boolean {
  if (!url.startsWith(redirectUri)) return false;
  const next = url.charAt(redirectUri.length);
  return next === '' || next === '?' || next === '#';
}

/** oidc-provider checks client metadata lazily, on first use; do it now so that a bad option fails here. */
async function checkClients(provider: Provider, clients: readonly ClientMetadata[]): Promise<void> {
  for (const [i, client] of clients.entries()) {
    try {
      await provider.Client.find(client.client_id);
    } catch (err) {
      const reason = err instanceof errors.OIDCProviderError ? err.error_description : String(err);
      throw new TypeError(`"clients[${i}]" is invalid: ${reason}`, { cause: err });
    }
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
