/**
 * Dynamic client registration (RFC 7591) as a development provider can safely offer it: open (no initial
 * access token), so that an MCP client or a test can register itself, but only for redirect URIs on
 * loopback, where nothing but this machine can receive the code.
 */
import { randomUUID } from 'node:crypto';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { isLoopbackHost } from './loopback.js';

/** Path of the registration endpoint (oidc-provider's default, advertised as `registration_endpoint`). */
export const REGISTRATION_PATH = '/reg';

/** The scopes oidc-provider knows as its own (the `scopes` of the configuration). */
const OPENID_SCOPES = new Set(['openid', 'offline_access', 'profile', 'email']);

/**
 * oidc-provider's `features.registration`: open registration, ids prefixed `dcr-`, no registration access
 * token (there is no client management to use it for). The id factory runs after the body is parsed and
 * before the client is built: it refuses any redirect URI that is not `http(s)` on loopback
 * (`invalid_redirect_uri`, RFC 7591 §3.2.2), and keeps only OpenID scopes in the `scope` metadata. MCP
 * clients register with the resource's scopes (`api:read`…), which oidc-provider grants per resource
 * server and would refuse as client metadata; the client may still ask for them.
 */
export const REGISTRATION_FEATURE = {
  enabled: true,
  initialAccessToken: false,
  issueRegistrationAccessToken: false,
  idFactory(ctx: KoaContextWithOIDC): string {
    const body = (ctx.oidc.body ?? {}) as { redirect_uris?: unknown; scope?: unknown };
    if (typeof body.scope === 'string') {
      const own = body.scope.split(' ').filter((scope) => OPENID_SCOPES.has(scope));
      if (own.length > 0) body.scope = own.join(' ');
      else delete body.scope;
    }
    const uris = body.redirect_uris;
    if (Array.isArray(uris)) {
      for (const uri of uris) {
        if (!isLoopbackRedirectUri(uri)) {
          throw new errors.InvalidRedirectUri(
            `the dev IdP registers loopback redirect URIs only (http://127.0.0.1:<port>/…, http://localhost:<port>/…, http://[::1]:<port>/…), not ${JSON.stringify(uri)}`,
          );
        }
      }
    }
    return `dcr-${randomUUID()}`;
  },
};

function isLoopbackRedirectUri(uri: unknown): boolean {
  if (typeof uri !== 'string' || !URL.canParse(uri)) return false;
  const url = new URL(uri);
  return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname);
}
