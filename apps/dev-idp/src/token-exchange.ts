import type { JWTPayload } from 'jose';
import type Provider from 'oidc-provider';
import { errors, type ResourceServer, type TokenEndpointGrantContext } from 'oidc-provider';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE } from './constants.js';

/** RFC 8693 section 4.1 `act` claim: who acts on behalf of the subject (nested for a chain). */
export interface ActorClaim {
  sub: string;
  act?: ActorClaim;
}

export interface TokenExchangeOptions {
  /** Audience used when the request names neither `audience` nor `resource`. */
  defaultAudience: string;
  /** Resource server details for a known audience; throws `invalid_target` for any other. */
  resourceServer(audience: string): ResourceServer;
  /** Verifies that a JWT access token was issued by this provider and is still valid; throws if not. */
  verifySubjectToken(token: string): Promise<JWTPayload>;
  /** Where the handler leaves the `act` claim for `extraTokenClaims` to add to the issued token. */
  actors: WeakMap<object, ActorClaim>;
}

interface TokenExchangeParams {
  subject_token?: string;
  subject_token_type?: string;
  requested_token_type?: string;
  actor_token?: string;
  audience?: string;
  resource?: string;
}

const PARAMETERS = [
  'subject_token',
  'subject_token_type',
  'requested_token_type',
  'actor_token',
  'actor_token_type',
  'audience',
  'resource',
  'scope',
];

/**
 * RFC 8693 token exchange, access token for access token: a client presents an access token issued by
 * this provider and gets one for another of the known audiences, with the same `sub`, the same or fewer
 * scopes, and an `act` claim naming the client. oidc-provider has no built-in token exchange; this is a
 * grant registered through `registerGrantType`.
 */
export function registerTokenExchange(provider: Provider, options: TokenExchangeOptions): void {
  provider.registerGrantType<TokenExchangeParams>(
    TOKEN_EXCHANGE_GRANT_TYPE,
    async (ctx: TokenEndpointGrantContext<TokenExchangeParams>) => {
      const { params, client } = ctx.oidc;

      if (!params.subject_token) throw new errors.InvalidRequest('missing required parameter subject_token');
      if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
        throw new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
      }
      if (params.requested_token_type !== undefined && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
        throw new errors.InvalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
      }
      if (params.actor_token !== undefined) throw new errors.InvalidRequest('actor_token is not supported');
      if (params.audience && params.resource && params.audience !== params.resource) {
        throw new errors.InvalidTarget('audience and resource name different targets');
      }

      const audience = params.audience ?? params.resource ?? options.defaultAudience;
      const resourceServer = new provider.ResourceServer(audience, options.resourceServer(audience));

      let subject: JWTPayload;
      try {
        subject = await options.verifySubjectToken(params.subject_token);
      } catch (cause) {
        throw new errors.InvalidGrant({ detail: 'subject_token is invalid', cause });
      }
      if (typeof subject.sub !== 'string' || !subject.sub) {
        throw new errors.InvalidGrant({ detail: 'subject_token has no sub' });
      }

      const held = new Set(typeof subject.scope === 'string' ? subject.scope.split(' ') : []);
      const requested = params.scope ? params.scope.split(' ') : [...held];
      const notHeld = requested.find((scope) => !held.has(scope));
      if (notHeld) throw new errors.InvalidScope('requested scope exceeds the subject token scope', notHeld);
      const scope = requested.filter((s) => resourceServer.scopes.has(s)).join(' ') || undefined;

      // A JWT access token is never stored, so it needs no grant behind it.
      const token = new provider.AccessToken({
        accountId: subject.sub,
        client,
        scope,
        gty: TOKEN_EXCHANGE_GRANT_TYPE,
      } as ConstructorParameters<typeof provider.AccessToken>[0]);
      token.resourceServer = resourceServer;
      const previousActor = subject.act as ActorClaim | undefined;
      options.actors.set(token, { sub: client.clientId, ...(previousActor ? { act: previousActor } : {}) });

      const accessToken = await token.save();
      ctx.body = {
        access_token: accessToken,
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: 'Bearer',
        expires_in: token.expiration,
        ...(scope ? { scope } : {}),
      };
    },
    PARAMETERS,
  );
}
