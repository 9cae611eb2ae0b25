/**
 * `--resource` (RFC 9728, RFC 8707): the profile names a protected resource, and the login is made at the
 * authorization server its metadata lists, for tokens whose audience is that resource.
 */
import { chooseAuthorizationServer, discoverProtectedResource } from '@gatehouse/client';
import type { Settings } from '../config/settings.js';
import { ConfigError } from '../errors.js';
import type { CliIO } from '../io.js';
import { DEFAULT_USER_SCOPE } from './client.js';
import { say } from './output.js';
import { openStoreForReading } from './store.js';

/** When the resource's metadata is read: for every new login, or only when no stored login names it. */
export type ResourceDiscovery = 'always' | 'unless-stored';

/**
 * The settings with the resource applied: `audience` is the resource, and without a configured issuer the
 * issuer comes from the resource's metadata (read with a probe of the resource, as MCP clients do), or,
 * with `unless-stored`, from a stored login for the same resource, so that `token` and `exec` never wait
 * on the resource once logged in. Scopes default to the user scopes plus the resource's `scopes_supported`.
 */
export async function withResource(
  settings: Settings,
  io: CliIO,
  discovery: ResourceDiscovery,
): Promise<Settings> {
  const { resource } = settings;
  if (resource === undefined) return settings;
  if (settings.audience !== undefined && settings.audience !== resource) {
    throw new ConfigError(
      'audience',
      `--audience ${settings.audience} and --resource ${resource} name different targets: give one of them.`,
    );
  }
  if (settings.issuer !== undefined) return { ...settings, audience: resource };

  if (discovery === 'unless-stored') {
    const stored = await openStoreForReading(settings.tokenFile, io)
      .inspect()
      .catch(() => undefined);
    if (stored?.audience === resource) return { ...settings, issuer: stored.issuer, audience: resource };
  }
  const metadata = await discoverProtectedResource(resource, { probe: true });
  const issuer = chooseAuthorizationServer(metadata);
  say(io, `${metadata.resource_name ?? resource}: tokens from ${issuer} (its protected resource metadata).`);
  const resolved: Settings = { ...settings, issuer, audience: metadata.resource };
  const scopes = metadata.scopes_supported ?? [];
  if (settings.scope === undefined && scopes.length > 0) {
    const own = settings.grant === 'client_credentials' ? [] : [DEFAULT_USER_SCOPE];
    resolved.scope = [...own, ...scopes].join(' ');
  }
  return resolved;
}
