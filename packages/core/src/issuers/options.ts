import { discoveryUrlOf } from '../jwks/discovery.js';
import {
  GENERIC_DEFAULTS,
  type IssuerPreset,
  isOktaOrgServer,
  PRESET_DEFAULTS,
  presetDiscoveryUrl,
  type TokenType,
} from './presets.js';

/**
 * A value a `requiredClaims` entry compares with.
 *
 * @example
 * ```ts
 * import type { ClaimValue } from '@gatehouse/core';
 *
 * const verified: ClaimValue = true;
 * ```
 */
export type ClaimValue = string | number | boolean;

/**
 * The per-issuer options for the providers people run (camelCase; `GATEHOUSE_OIDC_CONFIG` spells them in
 * snake_case). Every one is optional; a `preset` fills in the provider's usual values.
 *
 * @example
 * ```ts
 * import type { IssuerRuleOptions } from '@gatehouse/core';
 *
 * const entra: IssuerRuleOptions = {
 *   preset: 'entra',
 *   tenants: ['72f988bf-86f1-41af-91ab-2d7cd011db47'],
 *   clients: ['0b5a4c4e-8f0a-4b8e-9c7e-3d0a2f1e6b21'],
 * };
 * ```
 */
export interface IssuerRuleOptions {
  /** A provider known by name; fills in the options below (explicit values win). */
  readonly preset?: IssuerPreset;
  /**
   * Other spellings of `iss` signed with this issuer's keys: Google's `accounts.google.com`, an Auth0
   * tenant's canonical domain next to its custom domain, Entra's v1 issuer next to its v2 one.
   */
  readonly aliases?: readonly string[];
  /**
   * The tenant ids trusted when the issuer (or an alias) holds `{tenantid}`; required then. The token's
   * `tid` must name the tenant of its `iss`.
   */
  readonly tenants?: readonly string[];
  /** Where the discovery document is, when not at `<issuer>/.well-known/openid-configuration`. */
  readonly discoveryUrl?: string;
  /**
   * The token callers present: `access_token` (default; `aud` is this API) or `id_token` (`aud` is the OAuth
   * client id; several audiences need a matching `azp`).
   */
  readonly tokenType?: TokenType;
  /** Client ids whose tokens are accepted (read from {@link clientClaims}); absent: any client. */
  readonly clients?: readonly string[];
  /** Claims naming the token's client, first present wins. Default `["azp", "client_id"]`. */
  readonly clientClaims?: readonly string[];
  /** Claims the scopes come from (`auth.scopes`), merged. Default `["scope", "scp"]`. */
  readonly scopeClaims?: readonly string[];
  /** Claims the roles come from (`auth.roles`), merged. Default none. */
  readonly roleClaims?: readonly string[];
  /**
   * Claims that must hold one of the given values (a claim that is an array must contain one), e.g.
   * `{ hd: 'example.com' }` for one Google Workspace domain.
   */
  readonly requiredClaims?: Readonly<Record<string, ClaimValue | readonly ClaimValue[]>>;
}

/** An issuer entry with its preset applied and every option filled in. */
export interface ResolvedIssuer {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly preset: IssuerPreset | undefined;
  readonly aliases: readonly string[];
  readonly tenants: readonly string[];
  readonly jwksUri: string | undefined;
  readonly discoveryUrl: string;
  readonly tokenType: TokenType;
  readonly clients: readonly string[] | undefined;
  readonly clientClaims: readonly string[];
  readonly scopeClaims: readonly string[];
  readonly roleClaims: readonly string[];
  readonly requiredClaims: Readonly<Record<string, readonly ClaimValue[]>>;
  readonly accessTokensNameClient: boolean;
  readonly refuseGraphAudience: boolean;
  /** An Okta org authorization server, whose access tokens only Okta can check. */
  readonly oktaOrgServer: boolean;
}

/**
 * Applies an issuer's preset: what the entry sets wins; aliases and required claims are merged with the
 * preset's. Expects options that passed validation.
 */
export function resolveIssuer(
  entry: IssuerRuleOptions & {
    readonly issuer: string;
    readonly audience: string | readonly string[];
    readonly jwksUri?: string;
  },
): ResolvedIssuer {
  const preset = entry.preset;
  const defaults = preset ? PRESET_DEFAULTS[preset] : GENERIC_DEFAULTS;
  const tokenType = entry.tokenType ?? defaults.tokenType;
  const aliases = new Set(entry.aliases ?? []);
  if (preset === 'google') {
    // Google writes its issuer both with and without the scheme (OpenID Connect Core allows neither
    // spelling to be dropped by a verifier that wants Google's tokens).
    const bare = entry.issuer.replace(/^https?:\/\//, '');
    if (bare !== entry.issuer) aliases.add(bare);
  }
  const requiredClaims: Record<string, readonly ClaimValue[]> = {};
  for (const [claim, value] of Object.entries(defaults.requiredClaims?.[tokenType] ?? {})) {
    requiredClaims[claim] = [value];
  }
  for (const [claim, value] of Object.entries(entry.requiredClaims ?? {})) {
    requiredClaims[claim] = Array.isArray(value) ? [...value] : [value as ClaimValue];
  }
  return {
    issuer: entry.issuer,
    audiences: typeof entry.audience === 'string' ? [entry.audience] : [...entry.audience],
    preset,
    aliases: [...aliases],
    tenants: [...(entry.tenants ?? [])],
    jwksUri: entry.jwksUri,
    discoveryUrl: discoveryUrlOf(
      entry.issuer,
      entry.discoveryUrl ?? presetDiscoveryUrl(preset, entry.issuer),
    ),
    tokenType,
    clients: entry.clients ? [...entry.clients] : undefined,
    clientClaims: [...(entry.clientClaims ?? defaults.clientClaims)],
    scopeClaims: [...(entry.scopeClaims ?? defaults.scopeClaims)],
    roleClaims: [...(entry.roleClaims ?? defaults.roleClaims)],
    requiredClaims,
    accessTokensNameClient: defaults.accessTokensNameClient && tokenType === 'access_token',
    refuseGraphAudience: defaults.refuseGraphAudience,
    oktaOrgServer: preset === 'okta' && isOktaOrgServer(entry.issuer),
  };
}
