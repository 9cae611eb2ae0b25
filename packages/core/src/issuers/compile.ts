import { AudienceMismatchError, type AuthError, InvalidTokenError } from '../errors.js';
import {
  type ClaimReader,
  compileClaimReader,
  compileClientReader,
  compileListReader,
} from './claim-reader.js';
import type { ClaimValue, ResolvedIssuer } from './options.js';
import { MICROSOFT_GRAPH_AUDIENCES } from './presets.js';
import {
  fillTenant,
  isTenantTemplate,
  parseTenantTemplate,
  type TenantTemplate,
  tenantOf,
} from './tenant-template.js';

type Payload = Readonly<Record<string, unknown>>;

/** One concrete `iss` value an issuer accepts. */
export interface IssuerName {
  /** The tenant this spelling names (`{tenantid}` issuers only). */
  readonly tenant: string | undefined;
  /** The issuer reported in `auth.issuer`: the configured issuer, its tenant filled in, whatever alias was used. */
  readonly canonical: string;
}

/** What the issuer's rules read from a token once they have passed. */
export interface IssuerClaims {
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
}

interface RequiredClaim {
  readonly claim: string;
  readonly read: ClaimReader;
  readonly values: readonly ClaimValue[];
}

/**
 * An issuer's rules compiled once, at construction: every `iss` spelling it accepts (aliases, and each
 * trusted tenant of a `{tenantid}` template) resolved to a map entry, its claim readers built, its checks
 * reduced to the ones configured. Verifying a token then costs a lookup and the checks that apply.
 *
 * @example
 * ```ts
 * const google = new CompiledIssuer(resolveIssuer({ issuer: 'https://accounts.google.com', audience: 'id', preset: 'google' }));
 * google.names.has('accounts.google.com'); // true
 * ```
 */
export class CompiledIssuer {
  /** Every concrete `iss` value accepted. */
  readonly names: ReadonlyMap<string, IssuerName>;
  private readonly templates: readonly TenantTemplate[];
  private readonly readScopes: (payload: Payload) => readonly string[];
  private readonly readRoles: (payload: Payload) => readonly string[];
  private readonly readClient: ReturnType<typeof compileClientReader>;
  private readonly clients: ReadonlySet<string> | undefined;
  private readonly required: readonly RequiredClaim[];
  private readonly presetTyp: ReadonlySet<string>;

  constructor(readonly rules: ResolvedIssuer) {
    const names = new Map<string, IssuerName>();
    const templates: TenantTemplate[] = [];
    for (const spelling of [rules.issuer, ...rules.aliases]) {
      if (!isTenantTemplate(spelling)) {
        names.set(spelling, { tenant: undefined, canonical: rules.issuer });
        continue;
      }
      templates.push(parseTenantTemplate(spelling));
      for (const tenant of rules.tenants) {
        names.set(fillTenant(spelling, tenant), { tenant, canonical: fillTenant(rules.issuer, tenant) });
      }
    }
    this.names = names;
    this.templates = templates;
    this.readScopes = compileListReader(rules.scopeClaims);
    this.readRoles = compileListReader(rules.roleClaims);
    this.readClient = compileClientReader(rules.clientClaims);
    this.clients = rules.clients ? new Set(rules.clients) : undefined;
    this.required = Object.entries(rules.requiredClaims).map(([claim, values]) => ({
      claim,
      read: compileClaimReader(claim),
      values,
    }));
    // The preset's own `typ` rule (Keycloak) says which token type was refused, not just which claim.
    this.presetTyp = new Set(rules.preset === 'keycloak' ? ['typ'] : []);
  }

  /** The configured issuer, as written (possibly a `{tenantid}` template). */
  get issuer(): string {
    return this.rules.issuer;
  }

  /**
   * Refusals decided from the unverified payload, before any key is fetched or signature checked: a token
   * whose signature could never verify here (Microsoft Graph's) deserves its real reason, not "signature".
   */
  precheck(payload: Payload, name: IssuerName): void {
    if (this.rules.refuseGraphAudience) {
      const { aud } = payload;
      const graph =
        typeof aud === 'string'
          ? MICROSOFT_GRAPH_AUDIENCES.has(aud)
          : Array.isArray(aud) && aud.some((a) => MICROSOFT_GRAPH_AUDIENCES.has(a));
      if (graph) {
        throw new AudienceMismatchError(
          name.canonical,
          this.rules.audiences,
          audiences(aud),
          'microsoft_graph',
        );
      }
    }
    if (
      this.rules.oktaOrgServer &&
      (typeof payload.cid === 'string' || String(payload.jti).startsWith('AT.'))
    ) {
      throw new InvalidTokenError(
        "access tokens of Okta's org authorization server are checked by Okta alone",
        {
          reason: 'token_type',
          issuer: name.canonical,
        },
      );
    }
  }

  /**
   * The issuer's rules for a payload whose signature and registered claims have been checked: the tenant,
   * the signing key's own issuer, the token type, the client, the required claims. Returns the scopes and
   * roles, or throws the refusal.
   */
  check(payload: Payload, name: IssuerName, key: { readonly issuer?: string }): IssuerClaims {
    const issuer = name.canonical;
    this.checkSigner(payload, name, key);
    if (this.rules.tokenType === 'id_token') {
      checkIdTokenAudience(payload, this.rules.audiences, issuer);
    } else if (this.rules.accessTokensNameClient && this.readClient(payload) === undefined) {
      throw new InvalidTokenError('token is not an access token (it names no client)', {
        reason: 'token_type',
        claim: this.rules.clientClaims[0],
        issuer,
      });
    }
    if (this.clients !== undefined) {
      const client = this.readClient(payload);
      if (client === undefined || !this.clients.has(client.id)) {
        throw new InvalidTokenError('token client not accepted', {
          reason: 'client',
          claim: client?.claim ?? this.rules.clientClaims[0],
          issuer,
        });
      }
    }
    for (const { claim, read, values } of this.required) {
      if (!matches(read(payload), values)) {
        if (this.presetTyp.has(claim)) {
          const expected = this.rules.tokenType === 'id_token' ? 'an ID token' : 'an access token';
          throw new InvalidTokenError(`token is not ${expected}`, { reason: 'token_type', claim, issuer });
        }
        throw new InvalidTokenError('token claim not accepted', { reason: 'claim', claim, issuer });
      }
    }
    return { scopes: this.readScopes(payload), roles: this.readRoles(payload) };
  }

  /**
   * Whether the token could have been signed for its `iss` by that key: a `{tenantid}` issuer's tenant is
   * the token's `tid`, and a key that names its issuer signs only for it. Part of {@link check}, and all
   * that is checked of a JWT whose claims the caller checks itself (a logout token).
   */
  checkSigner(payload: Payload, name: IssuerName, key: { readonly issuer?: string }): void {
    if (name.tenant !== undefined && payload.tid !== name.tenant) {
      throw new InvalidTokenError('token tenant does not match its issuer', {
        reason: 'tenant',
        claim: 'tid',
        issuer: name.canonical,
      });
    }
    if (key.issuer !== undefined) this.checkKeyIssuer(payload, key.issuer, name.canonical);
  }

  /**
   * Why an `iss` that no issuer claims was refused, when it has the shape of one of this issuer's templates
   * (a tenant that is not trusted); undefined otherwise. Only refusals call this.
   */
  explainUnknown(iss: string): AuthError | undefined {
    for (const template of this.templates) {
      if (tenantOf(template, iss) !== undefined) {
        return new InvalidTokenError('token tenant not accepted', {
          reason: 'tenant',
          claim: 'tid',
          issuer: this.rules.issuer,
        });
      }
    }
    return undefined;
  }

  // Microsoft's rule (Microsoft.IdentityModel's ValidateSigningKeyIssuer): a key that names an issuer
  // signs only for it, `{tenantid}` standing for the token's `tid`; the configured issuer with the same
  // tenant also passes, so that v1 tokens (sts.windows.net) verify with v2 keys.
  private checkKeyIssuer(payload: Payload, keyIssuer: string, issuer: string): void {
    const tid = typeof payload.tid === 'string' && TENANT.test(payload.tid) ? payload.tid : undefined;
    if (tid === undefined && isTenantTemplate(keyIssuer)) {
      throw new InvalidTokenError('token has no tenant for its signing key', {
        reason: 'key_issuer',
        claim: 'tid',
        issuer,
      });
    }
    const effective = tid === undefined ? keyIssuer : fillTenant(keyIssuer, tid);
    const configured = tid === undefined ? this.rules.issuer : fillTenant(this.rules.issuer, tid);
    if (effective !== payload.iss && effective !== configured) {
      throw new InvalidTokenError('token signed with a key of another issuer', {
        reason: 'key_issuer',
        claim: 'iss',
        issuer,
      });
    }
  }
}

const TENANT = /^[A-Za-z0-9._-]+$/;

// OpenID Connect Core §3.1.3.7: an ID token's `aud` names the client; with several audiences, `azp` must
// be present and name an accepted client (the one it was issued to).
function checkIdTokenAudience(payload: Payload, accepted: readonly string[], issuer: string): void {
  const { aud, azp } = payload;
  if (Array.isArray(aud) && aud.length > 1 && !(typeof azp === 'string' && accepted.includes(azp))) {
    throw new InvalidTokenError('ID token with several audiences has no accepted azp', {
      reason: 'claim',
      claim: 'azp',
      issuer,
    });
  }
}

function matches(value: unknown, expected: readonly ClaimValue[]): boolean {
  if (Array.isArray(value)) return value.some((item) => expected.includes(item as ClaimValue));
  return expected.includes(value as ClaimValue);
}

function audiences(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}
