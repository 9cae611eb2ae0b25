/**
 * The protected resource metadata document (RFC 9728 §2) a service serves about itself, where it serves it
 * (§3.1), and the absolute URL its 401 challenges point to (§5.1).
 */
import type { ResolvedResource } from './resource-option.js';

/**
 * The well-known path of protected resource metadata (RFC 9728 §3).
 *
 * @example
 * ```ts
 * const url = new URL(RESOURCE_METADATA_PATH, 'https://api.example.com');
 * ```
 */
export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * What a configured resource gives a gate (`gate.resourceMetadata`): its metadata document (RFC 9728 §2),
 * which `routes` serve, and the URL its challenges name in `resource_metadata` (§5.1).
 *
 * @example
 * ```ts
 * // Serving the document yourself (routes off), at the path the challenges name:
 * const metadata = gate.resourceMetadata;
 * if (metadata) app.get(new URL(metadata.url).pathname, (_req, res) => res.json(metadata.document));
 * ```
 */
export interface ResourceMetadata {
  readonly url: string;
  readonly document: Readonly<Record<string, unknown>>;
}

/**
 * What the document says beyond the `resource` setting: facts of the rest of the configuration.
 *
 * @example
 * ```ts
 * const facts: MetadataFacts = { issuers: ['https://idp.example.com'], dpopAlgorithms: ['ES256'] };
 * ```
 */
export interface MetadataFacts {
  /** The configured issuers: `authorization_servers` unless the setting names its own. */
  readonly issuers: readonly string[];
  /** The JWS algorithms accepted in DPoP proofs, when any issuer accepts DPoP. */
  readonly dpopAlgorithms?: readonly string[];
  /** Every issuer requires DPoP-bound tokens. */
  readonly dpopRequired?: boolean;
  /** Certificate-bound tokens (RFC 8705) are checked. */
  readonly certificateBound?: boolean;
}

/**
 * The metadata document: `resource` exactly as configured, `authorization_servers`, `bearer_methods_supported`
 * (the `Authorization` header only: Gatehouse never reads a token from a body or a query), and the optional
 * fields that are known.
 *
 * @example
 * ```ts
 * const document = protectedResourceMetadata(
 *   { resource: 'https://mcp.example.com/mcp', scopesSupported: ['telemetry:read'] },
 *   { issuers: ['https://idp.example.com'] },
 * );
 * ```
 */
export function protectedResourceMetadata(
  setting: ResolvedResource,
  facts: MetadataFacts,
): Readonly<Record<string, unknown>> {
  const servers = setting.authorizationServers ?? facts.issuers;
  const document: Record<string, unknown> = { resource: setting.resource };
  // Omitted rather than empty when no issuer is configured (API keys only): the field is optional.
  if (servers.length > 0) document.authorization_servers = [...new Set(servers)];
  document.bearer_methods_supported = ['header'];
  if (setting.scopesSupported) document.scopes_supported = [...setting.scopesSupported];
  if (setting.resourceName) document.resource_name = setting.resourceName;
  if (setting.resourceDocumentation) document.resource_documentation = setting.resourceDocumentation;
  if (facts.dpopAlgorithms && facts.dpopAlgorithms.length > 0) {
    document.dpop_signing_alg_values_supported = [...facts.dpopAlgorithms];
    if (facts.dpopRequired) document.dpop_bound_access_tokens_required = true;
  }
  if (facts.certificateBound) document.tls_client_certificate_bound_access_tokens = true;
  return Object.freeze(document);
}

/**
 * The paths the document is served at: the path-inserted form for a resource with a path (RFC 9728 §3.1:
 * `/.well-known/oauth-protected-resource/mcp` for `https://host/mcp`, a terminating slash dropped), and the
 * origin's well-known path.
 *
 * @example
 * ```ts
 * resourceMetadataPaths('https://host/mcp'); // ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']
 * ```
 */
export function resourceMetadataPaths(resource: string): readonly string[] {
  const inserted = new URL(resourceMetadataUrl(resource)).pathname;
  return inserted === RESOURCE_METADATA_PATH ? [inserted] : [inserted, RESOURCE_METADATA_PATH];
}

/**
 * The absolute URL of the document, as clients compute it from the resource identifier (RFC 9728 §3.1)
 * and as 401 challenges name it in `resource_metadata` (§5.1). Built from configuration alone, never
 * from a request's `Host`.
 *
 * @example
 * ```ts
 * resourceMetadataUrl('https://host/mcp'); // 'https://host/.well-known/oauth-protected-resource/mcp'
 * ```
 */
export function resourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}${RESOURCE_METADATA_PATH}${path}${url.search}`;
}

/**
 * The absolute URL that 401 challenges name in `resource_metadata` (RFC 9728 §5.1): where this service
 * serves the document, the public URL (`GATEHOUSE_PUBLIC_URL`, else the listening origin) followed by the
 * document's path; without a public URL, the URL clients compute from the resource identifier. Built from
 * configuration alone, never from a request's `Host` or `X-Forwarded-*`.
 *
 * @example
 * ```ts
 * challengeMetadataUrl('https://api.example.com/mcp', 'https://api.example.com');
 * // 'https://api.example.com/.well-known/oauth-protected-resource/mcp'
 * ```
 */
export function challengeMetadataUrl(resource: string, publicUrl: string | undefined): string {
  if (publicUrl === undefined) return resourceMetadataUrl(resource);
  return `${publicUrl}${resourceMetadataPaths(resource)[0]}`;
}
