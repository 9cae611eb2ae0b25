/**
 * The credentials part of the pipeline, built from the resolved configuration: API keys first (the cheap
 * check), then OIDC, then introspection of opaque tokens, behind one `MultiAuthProvider` when there are
 * several; the development provider, with a loud warning, when auth is disabled. The OIDC provider is
 * kept by name: back-channel logout verifies with its keys.
 */
import type { AuditLogger } from '../audit.js';
import type { ResolvedConfig } from '../config/options.js';
import type { OidcSettings } from '../config/validate.js';
import { IntrospectionAuthProvider } from '../introspection/introspection-provider.js';
import { resolveIssuer } from '../issuers/options.js';
import { AdminPolicy } from '../policy/admins.js';
import type { AuthProvider } from '../provider.js';
import { ApiKeyAuthProvider } from '../providers/api-key.js';
import { DevelopmentAuthProvider } from '../providers/development.js';
import { MultiAuthProvider } from '../providers/multi.js';
import { OidcAuthProvider } from '../providers/oidc.js';

/** The providers a configuration describes. @internal */
export interface BuiltProviders {
  readonly provider: AuthProvider;
  /** The OIDC provider inside, when issuers are configured. */
  readonly oidc: OidcAuthProvider | undefined;
}

/** Builds the providers of a resolved configuration (which has credentials: resolution checked). @internal */
export function buildProviders(
  config: ResolvedConfig,
  runtime: { readonly logger?: AuditLogger; readonly now?: () => number },
): BuiltProviders {
  if (config.disableAuth) {
    const message =
      'AUTHENTICATION IS DISABLED: every request passes as an anonymous admin. Development only.';
    runtime.logger?.warn({ event: 'gatehouse.config.auth_disabled' }, message);
    console.warn(`\n${'!'.repeat(80)}\n  GATEHOUSE: ${message}\n${'!'.repeat(80)}\n`);
    return { provider: new DevelopmentAuthProvider(), oidc: undefined };
  }
  const admins = new AdminPolicy(config.admins);
  const providers: AuthProvider[] = [];
  if (config.apiKeys !== undefined) providers.push(new ApiKeyAuthProvider({ keys: config.apiKeys, admins }));
  let oidc: OidcAuthProvider | undefined;
  if (config.oidc !== undefined) {
    oidc = new OidcAuthProvider({ ...config.oidc, admins, logger: runtime.logger, now: runtime.now });
    providers.push(oidc);
    // Opaque tokens go last: API keys and JWTs are claimed before, so they are never sent out.
    const introspection = introspectionFor(config.oidc, admins, runtime);
    if (introspection !== undefined) providers.push(introspection);
  }
  const provider = providers.length === 1 ? providers[0]! : new MultiAuthProvider(providers);
  return { provider, oidc };
}

function introspectionFor(
  oidc: OidcSettings,
  admins: AdminPolicy,
  runtime: { readonly logger?: AuditLogger; readonly now?: () => number },
): IntrospectionAuthProvider | undefined {
  const introspected = oidc.issuers.find((entry) => entry.introspection !== undefined);
  if (introspected?.introspection === undefined) return undefined;
  const audiences = oidc.issuers
    .filter((entry) => entry.issuer === introspected.issuer)
    .flatMap((entry) => (typeof entry.audience === 'string' ? [entry.audience] : entry.audience));
  const { clientId, clientSecret, endpoint } = introspected.introspection;
  return new IntrospectionAuthProvider({
    issuer: introspected.issuer,
    audience: audiences,
    client: { clientId, clientSecret },
    endpoint,
    discoveryUrl: resolveIssuer(introspected).discoveryUrl,
    tokenCacheSize: oidc.tokenCacheSize,
    tokenCacheTtlSecs: oidc.tokenCacheTtlSecs,
    clockToleranceSecs: oidc.clockToleranceSecs,
    httpTimeoutMs: oidc.httpTimeoutMs,
    maxResponseBytes: oidc.maxResponseBytes,
    admins,
    logger: runtime.logger,
    now: runtime.now,
  });
}
