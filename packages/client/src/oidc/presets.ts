/**
 * The identity providers whose requests differ from the standard ones. `generic` follows the RFCs: the
 * audience as RFC 8707 `resource`, the `offline_access` scope (with `prompt=consent`, OpenID Connect Core §11)
 * for a refresh token.
 *
 * @example
 * ```ts
 * import { createOidcClient, type ProviderPreset } from '@gatehouse/client';
 * const preset: ProviderPreset = 'auth0';
 * const client = createOidcClient({ issuer: 'https://tenant.eu.auth0.com/', clientId: 'cli', preset, audience: 'https://api.example.com' });
 * ```
 */
export type ProviderPreset = 'generic' | 'google' | 'entra' | 'okta' | 'auth0' | 'keycloak';

/**
 * The values of {@link ProviderPreset}.
 *
 * @example
 * ```ts
 * import { PROVIDER_PRESETS } from '@gatehouse/client';
 * console.log(PROVIDER_PRESETS.join(', '));
 * ```
 */
export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  'generic',
  'google',
  'entra',
  'okta',
  'auth0',
  'keycloak',
];

/**
 * How a provider is asked for an API audience: RFC 8707 `resource`, Auth0's `audience` parameter, Entra's
 * `<audience>/.default` scope, or not at all (Google: the audience of an ID token is the client id).
 *
 * @example
 * ```ts
 * import { type AudienceParameter, createOidcClient } from '@gatehouse/client';
 * const audienceParameter: AudienceParameter = 'audience'; // Auth0 style
 * const client = createOidcClient({ issuer: 'https://tenant.auth0.com/', clientId: 'c', audience: 'https://api', audienceParameter });
 * ```
 */
export type AudienceParameter = 'resource' | 'audience' | 'scope' | 'none';

/**
 * What a preset changes in the requests.
 *
 * @example
 * ```ts
 * import { PRESET_BEHAVIOUR, type PresetBehaviour } from '@gatehouse/client';
 * const entra: PresetBehaviour = PRESET_BEHAVIOUR.entra;
 * console.log(entra.audienceParameter); // 'scope'
 * ```
 */
export interface PresetBehaviour {
  /** How the audience is requested. */
  audienceParameter: AudienceParameter;
  /**
   * How a refresh token is asked for: the `offline_access` scope, or Google's `access_type=offline` (Google
   * refuses the `offline_access` scope).
   */
  offlineAccess: 'scope' | 'access_type';
  /** Whether an offline request also sends `prompt=consent` (unless the caller chose a prompt). */
  consentForOffline: boolean;
  /** Whether a refresh repeats the scope (Entra's v2 endpoint expects it). */
  scopeOnRefresh: boolean;
}

/**
 * One table: what each preset does.
 *
 * @example
 * ```ts
 * import { PRESET_BEHAVIOUR } from '@gatehouse/client';
 * console.log(PRESET_BEHAVIOUR.google.offlineAccess); // 'access_type'
 * ```
 */
export const PRESET_BEHAVIOUR: Readonly<Record<ProviderPreset, PresetBehaviour>> = {
  generic: {
    audienceParameter: 'resource',
    offlineAccess: 'scope',
    consentForOffline: true,
    scopeOnRefresh: false,
  },
  keycloak: {
    audienceParameter: 'resource',
    offlineAccess: 'scope',
    consentForOffline: true,
    scopeOnRefresh: false,
  },
  // Okta and Auth0 issue refresh tokens for offline_access alone; prompt=consent would show a consent screen.
  okta: {
    audienceParameter: 'resource',
    offlineAccess: 'scope',
    consentForOffline: false,
    scopeOnRefresh: false,
  },
  auth0: {
    audienceParameter: 'audience',
    offlineAccess: 'scope',
    consentForOffline: false,
    scopeOnRefresh: false,
  },
  // Entra v2 rejects `resource`; an API is asked for as `<app id URI>/.default`.
  entra: {
    audienceParameter: 'scope',
    offlineAccess: 'scope',
    consentForOffline: false,
    scopeOnRefresh: true,
  },
  // Google: access_type=offline and prompt=consent (a refresh token only comes with a fresh consent).
  google: {
    audienceParameter: 'none',
    offlineAccess: 'access_type',
    consentForOffline: true,
    scopeOnRefresh: false,
  },
};

/**
 * The preset an issuer URL implies: Google, Entra ID (v1 and v2, and External ID), Okta, Auth0 and Keycloak
 * are recognised by their host names and paths; any other issuer is `generic`.
 *
 * @example
 * ```ts
 * import { detectPreset } from '@gatehouse/client';
 * detectPreset('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0'); // 'entra'
 * detectPreset('https://idp.example.com/realms/acme'); // 'keycloak'
 * ```
 */
export function detectPreset(issuer: string | URL): ProviderPreset {
  let url: URL;
  try {
    url = new URL(String(issuer));
  } catch {
    return 'generic';
  }
  const host = url.hostname.toLowerCase();
  if (host === 'accounts.google.com') return 'google';
  if (host === 'login.microsoftonline.com' || host === 'sts.windows.net' || host.endsWith('.ciamlogin.com')) {
    return 'entra';
  }
  if (/\.(okta|oktapreview|okta-emea|okta-gov)\.com$/.test(host)) return 'okta';
  if (host.endsWith('.auth0.com')) return 'auth0';
  if (/\/realms\/[^/]+\/?$/.test(url.pathname)) return 'keycloak';
  return 'generic';
}

/** The scope string without duplicates or empty parts. */
function scopeList(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(/\s+/).filter(Boolean))];
}

/**
 * The scope and audience parameters of a request, as the provider expects them: Entra gets the audience as
 * a `.default` scope, Google gets no `offline_access` scope (it asks with `access_type`).
 */
export function audienceAndScope(
  behaviour: PresetBehaviour,
  scope: string | undefined,
  audience: string | undefined,
): Record<string, string> {
  const scopes = scopeList(scope);
  const params: Record<string, string> = {};
  if (audience) {
    switch (behaviour.audienceParameter) {
      case 'resource':
        params.resource = audience;
        break;
      case 'audience':
        params.audience = audience;
        break;
      case 'scope': {
        const value = audience.endsWith('/.default') ? audience : `${audience.replace(/\/+$/, '')}/.default`;
        if (!scopes.includes(value)) scopes.push(value);
        break;
      }
      default:
        break;
    }
  }
  const kept =
    behaviour.offlineAccess === 'access_type' ? scopes.filter((s) => s !== 'offline_access') : scopes;
  if (kept.length) params.scope = kept.join(' ');
  return params;
}

/**
 * The front-channel parameters that ask for a refresh token: `prompt=consent` (OpenID Connect Core §11) where
 * the provider needs it, and Google's `access_type=offline`.
 */
export function offlineParameters(
  behaviour: PresetBehaviour,
  scope: string | undefined,
): Record<string, string> {
  if (!scopeList(scope).includes('offline_access')) return {};
  const params: Record<string, string> = {};
  if (behaviour.offlineAccess === 'access_type') params.access_type = 'offline';
  if (behaviour.consentForOffline) params.prompt = 'consent';
  return params;
}
