/**
 * RFC 9728, the client side: where a resource publishes its protected resource metadata, fetching it, and
 * checking that it describes the resource asked about (§3.3), so that a client learns which authorization
 * server to ask, and for which resource indicator (RFC 8707), from the resource alone.
 */
import { RESOURCE_METADATA_PATH, resourceMetadataUrl } from '@gatehouse/core';
import { describe, InvalidOptionsError, ResourceMetadataError } from '../errors.js';
import type { FetchLike } from '../fetch/fetch-like.js';
import { DEFAULT_HTTP_TIMEOUT_SECS } from '../oidc/client.js';
import { isSecureOrLoopbackUrl } from '../oidc/loopback.js';
import { readResourceChallenge } from './challenge.js';

/**
 * A protected resource metadata document (RFC 9728 §2); fields beyond these are kept as they came.
 *
 * @example
 * ```ts
 * import type { ProtectedResourceMetadata } from '@gatehouse/client';
 * const metadata: ProtectedResourceMetadata = {
 *   resource: 'https://mcp.example.com/mcp',
 *   authorization_servers: ['https://idp.example.com'],
 *   scopes_supported: ['telemetry:read'],
 * };
 * ```
 */
export interface ProtectedResourceMetadata {
  /** The resource identifier: the value to send as RFC 8707 `resource`. */
  resource: string;
  /** Issuers of the authorization servers that issue tokens for it. */
  authorization_servers?: string[];
  scopes_supported?: string[];
  bearer_methods_supported?: string[];
  resource_name?: string;
  resource_documentation?: string;
  dpop_signing_alg_values_supported?: string[];
  dpop_bound_access_tokens_required?: boolean;
  tls_client_certificate_bound_access_tokens?: boolean;
  [field: string]: unknown;
}

/**
 * Options of {@link discoverProtectedResource}.
 *
 * @example
 * ```ts
 * import type { DiscoverResourceOptions } from '@gatehouse/client';
 * const options: DiscoverResourceOptions = { probe: true, timeoutSecs: 10 };
 * ```
 */
export interface DiscoverResourceOptions {
  /**
   * The metadata URL a 401 named in its `resource_metadata` parameter (see `readResourceChallenge`): read it
   * instead of the well-known locations.
   */
  metadataUrl?: string | URL;
  /**
   * First send one request without credentials to the resource and follow the `resource_metadata` of its
   * 401, as MCP clients do; the well-known locations are the fallback. Default false.
   */
  probe?: boolean;
  /** Allows `http://` on hosts that are not loopback. Off by default. */
  allowInsecureRequests?: boolean;
  /** Timeout of each request, in seconds. Default 30. */
  timeoutSecs?: number;
  fetch?: FetchLike;
}

/**
 * Where a resource's metadata lives (RFC 9728 §3.1): `/.well-known/oauth-protected-resource` inserted
 * between the host and the path (a terminating slash dropped), the query kept.
 *
 * @example
 * ```ts
 * import { protectedResourceMetadataUrl } from '@gatehouse/client';
 * protectedResourceMetadataUrl('https://api.example.com/mcp').href;
 * // "https://api.example.com/.well-known/oauth-protected-resource/mcp"
 * ```
 */
export function protectedResourceMetadataUrl(resource: string | URL): URL {
  // The one computation of it, shared with the resource server side (@gatehouse/core).
  return new URL(resourceMetadataUrl(String(resource)));
}

/**
 * Finds and checks a resource's protected resource metadata: from `metadataUrl` (a challenge's
 * `resource_metadata`), else from the 401 of a probe (`probe: true`), else at the path-inserted well-known
 * URL and then at the origin's. The document's `resource` must be on the same origin as `resource` and
 * name it or a path above it (RFC 9728 §3.3, as MCP clients apply it); its `resource` is the identifier to
 * ask tokens for. Rejects with {@link ResourceMetadataError}.
 *
 * @example
 * ```ts
 * import { createOidcClient, discoverProtectedResource } from '@gatehouse/client';
 *
 * const metadata = await discoverProtectedResource('https://mcp.example.com/mcp');
 * const client = createOidcClient({
 *   issuer: metadata.authorization_servers![0]!,
 *   clientId: 'my-cli',
 *   audience: metadata.resource, // sent as RFC 8707 `resource`
 * });
 * ```
 */
export async function discoverProtectedResource(
  resource: string | URL,
  options: DiscoverResourceOptions = {},
): Promise<ProtectedResourceMetadata> {
  const target = parseResource(resource, options.allowInsecureRequests === true);
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const timeout = (options.timeoutSecs ?? DEFAULT_HTTP_TIMEOUT_SECS) * 1000;
  const get = (url: URL) =>
    fetchFn(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeout) });

  const candidates: URL[] = [];
  if (options.metadataUrl !== undefined) {
    candidates.push(metadataLocation(target, options.metadataUrl, options.allowInsecureRequests === true));
  } else {
    if (options.probe) {
      const challenged = await probe(target, get);
      if (challenged)
        candidates.push(metadataLocation(target, challenged, options.allowInsecureRequests === true));
    }
    candidates.push(protectedResourceMetadataUrl(target));
    const root = new URL(`${target.origin}${RESOURCE_METADATA_PATH}`);
    if (!candidates.some((url) => url.href === root.href)) candidates.push(root);
  }

  let lastReason = 'no metadata found';
  let lastUrl: string | undefined;
  for (const url of candidates) {
    lastUrl = url.href;
    let response: Response;
    try {
      response = await get(url);
    } catch (err) {
      throw new ResourceMetadataError(target.href, url.href, `unreachable: ${describe(err)}`, err);
    }
    if (response.status === 404) {
      await response.body?.cancel();
      lastReason = 'not found (404)';
      continue;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new ResourceMetadataError(target.href, url.href, `answered ${response.status}`);
    }
    const document = await response.json().catch(() => undefined);
    return checkDocument(target, url, document);
  }
  throw new ResourceMetadataError(target.href, lastUrl, lastReason);
}

function parseResource(resource: string | URL, insecure: boolean): URL {
  const text = String(resource);
  if (!URL.canParse(text)) {
    throw new InvalidOptionsError('resource', `"resource" must be an absolute URL, got "${text}"`);
  }
  const url = new URL(text);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hash) {
    throw new InvalidOptionsError(
      'resource',
      `"resource" must be an http(s) URL without a fragment, got "${text}"`,
    );
  }
  if (!insecure && !isSecureOrLoopbackUrl(url)) {
    throw new InvalidOptionsError(
      'resource',
      `"resource" must be https:// (http:// only on loopback), got "${text}"`,
    );
  }
  return url;
}

/** A metadata URL named by the resource: absolute, and held to the same transport rule as the resource. */
function metadataLocation(target: URL, value: string | URL, insecure: boolean): URL {
  const text = String(value);
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (
    !url ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    (!insecure && !isSecureOrLoopbackUrl(url))
  ) {
    throw new ResourceMetadataError(target.href, text, 'the resource_metadata URL is not an https:// URL');
  }
  return url;
}

/** The `resource_metadata` of the resource's 401 to a request without credentials, if it has one. */
async function probe(target: URL, get: (url: URL) => Promise<Response>): Promise<string | undefined> {
  let response: Response;
  try {
    response = await get(target);
  } catch (err) {
    throw new ResourceMetadataError(target.href, undefined, `unreachable: ${describe(err)}`, err);
  }
  await response.body?.cancel();
  if (response.status !== 401) return undefined;
  return readResourceChallenge(response)?.resourceMetadata;
}

function checkDocument(target: URL, url: URL, document: unknown): ProtectedResourceMetadata {
  const fail = (reason: string) => new ResourceMetadataError(target.href, url.href, reason);
  if (!document || typeof document !== 'object' || Array.isArray(document)) throw fail('not a JSON object');
  const metadata = document as ProtectedResourceMetadata;
  if (typeof metadata.resource !== 'string' || !URL.canParse(metadata.resource)) {
    throw fail('"resource" is missing or not a URL');
  }
  if (!covers(new URL(metadata.resource), target)) {
    throw fail(`it describes "${metadata.resource}", not this resource (RFC 9728 §3.3)`);
  }
  const servers = metadata.authorization_servers;
  if (servers !== undefined && (!Array.isArray(servers) || servers.some((s) => typeof s !== 'string'))) {
    throw fail('"authorization_servers" must be an array of issuer URLs');
  }
  const scopes = metadata.scopes_supported;
  if (scopes !== undefined && (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string'))) {
    throw fail('"scopes_supported" must be an array of strings');
  }
  return metadata;
}

/** Same origin, and `target`'s path is `declared`'s or below it (at a segment boundary). */
function covers(declared: URL, target: URL): boolean {
  if (declared.origin !== target.origin) return false;
  const base = declared.pathname.replace(/\/$/, '');
  const path = target.pathname.replace(/\/$/, '');
  return path === base || path.startsWith(`${base}/`);
}
