/**
 * Where the dev IdP departs from oidc-provider's defaults in ways its configuration cannot express. Each
 * adjustment affects one provider instance only.
 */
import type Provider from 'oidc-provider';
import { loopbackRedirectMatches } from './loopback.js';

/** Path of the authorization endpoint (oidc-provider's default, set explicitly in the configuration). */
export const AUTHORIZATION_PATH = '/auth';

/** Seconds a device-flow client waits between token polls. */
const DEVICE_POLLING_INTERVAL_SECS = 1;

/**
 * RFC 8252 section 7.3: a loopback redirect URI matches the registered one on any port. oidc-provider
 * does this for `application_type: 'native'` clients only; the dev IdP extends it to every client with a
 * loopback redirect URI, so that the confidential web client can also listen on a random port.
 */
export function acceptLoopbackRedirectsOnAnyPort(provider: Provider): void {
  const { prototype } = provider.Client;
  const exactMatch = prototype.redirectUriAllowed;
  prototype.redirectUriAllowed = function redirectUriAllowed(uri: string): boolean {
    return exactMatch.call(this, uri) || loopbackRedirectMatches(uri, this.redirectUris ?? []);
  };
}

/**
 * oidc-provider's device authorization response carries no `interval`, so clients fall back to RFC 8628's
 * 5 seconds between polls. Locally there is no reason to wait that long.
 */
export function advertisePollingInterval(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === 'device_authorization' && ctx.status === 200 && ctx.body) {
      (ctx.body as Record<string, unknown>).interval = DEVICE_POLLING_INTERVAL_SECS;
    }
  });
}

/**
 * OpenID Connect Core section 11: offline access needs consent, so oidc-provider silently drops the
 * `offline_access` scope (and issues no refresh token) unless the request says `prompt=consent`. Okta,
 * Auth0 and Keycloak accept `offline_access` on its own; so does the dev IdP: a front-channel
 * authorization request (GET) with `offline_access` and no `prompt` is handled as `prompt=consent`.
 * Consent is still obtained each time (automatically for the built-in clients).
 */
export function treatOfflineAccessAsConsentPrompt(provider: Provider): void {
  rewriteAuthorizationQuery(provider, (query) => {
    if (query.has('prompt') || !scopesOf(query).includes('offline_access')) return false;
    query.set('prompt', 'consent');
    return true;
  });
}

/**
 * RFC 9470 section 4 makes `acr_values` and `max_age` OAuth authorization parameters: a resource server's
 * `insufficient_user_authentication` challenge hands them to any OAuth client (an MCP client asks for
 * the resource's scopes, not `openid`). oidc-provider accepts them only with the `openid` scope, so the
 * dev IdP adds it to a front-channel request that carries either without it. The access token for the
 * resource still holds the resource's scopes only.
 */
export function acceptStepUpWithoutOpenId(provider: Provider): void {
  rewriteAuthorizationQuery(provider, (query) => {
    const scopes = scopesOf(query);
    if (scopes.includes('openid') || (!query.has('acr_values') && !query.has('max_age'))) return false;
    query.set('scope', ['openid', ...scopes].join(' '));
    return true;
  });
}

function scopesOf(query: URLSearchParams): string[] {
  return (query.get('scope') ?? '').split(' ').filter(Boolean);
}

/** Lets `change` rewrite the query of front-channel authorization requests (GET) before oidc-provider reads it. */
function rewriteAuthorizationQuery(provider: Provider, change: (query: URLSearchParams) => boolean): void {
  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === AUTHORIZATION_PATH) {
      const query = new URLSearchParams(ctx.querystring);
      if (change(query)) {
        const req = ctx.req as typeof ctx.req & { originalUrl?: string };
        const before = ctx.url;
        ctx.querystring = query.toString();
        // Under an issuer path, oidc-provider finds its mount point by locating the URL in originalUrl.
        if (req.originalUrl?.endsWith(before)) {
          req.originalUrl = `${req.originalUrl.slice(0, -before.length)}${ctx.url}`;
        }
      }
    }
    await next();
  });
}
