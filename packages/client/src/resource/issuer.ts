import { InvalidOptionsError, ResourceMetadataError } from '../errors.js';
import type { ProtectedResourceMetadata } from './metadata.js';

/**
 * The authorization server to log in at for a resource: `preferred` when given (it must be one the
 * resource lists), else the first of its `authorization_servers`. Throws {@link ResourceMetadataError}
 * when the resource lists none, and {@link InvalidOptionsError} (option `issuer`) for a `preferred` issuer
 * that it does not list.
 *
 * @example
 * ```ts
 * import { chooseAuthorizationServer, discoverProtectedResource } from '@gatehouse/client';
 * const metadata = await discoverProtectedResource('https://mcp.example.com/mcp');
 * const issuer = chooseAuthorizationServer(metadata); // e.g. "https://idp.example.com"
 * ```
 */
export function chooseAuthorizationServer(metadata: ProtectedResourceMetadata, preferred?: string): string {
  const servers = metadata.authorization_servers ?? [];
  if (preferred !== undefined) {
    if (servers.length === 0 || servers.includes(preferred)) return preferred;
    throw new InvalidOptionsError(
      'issuer',
      `"issuer" ${preferred} is not an authorization server of ${metadata.resource} (it lists ${servers.join(', ')})`,
    );
  }
  const first = servers[0];
  if (!first) {
    throw new ResourceMetadataError(
      metadata.resource,
      undefined,
      'it names no authorization_servers: give the issuer yourself',
    );
  }
  return first;
}
