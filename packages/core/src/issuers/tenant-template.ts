import { TENANT_PLACEHOLDER } from './presets.js';

/**
 * A multi-tenant issuer such as Entra's `https://login.microsoftonline.com/{tenantid}/v2.0`: the token's
 * `tid` fills the placeholder, and only the tenants of an explicit allow-list are trusted. Turning issuer
 * checks off for such issuers (the usual workaround) would let any tenant in the world sign in.
 */
export interface TenantTemplate {
  /** The template as configured. */
  readonly template: string;
  readonly prefix: string;
  readonly suffix: string;
}

/** Whether `value` holds the `{tenantid}` placeholder. */
export function isTenantTemplate(value: string): boolean {
  return value.includes(TENANT_PLACEHOLDER);
}

/** Splits a template around its (single) placeholder. */
export function parseTenantTemplate(template: string): TenantTemplate {
  const at = template.indexOf(TENANT_PLACEHOLDER);
  if (at < 0 || template.indexOf(TENANT_PLACEHOLDER, at + 1) >= 0) {
    throw new RangeError('a tenant template holds {tenantid} exactly once');
  }
  return {
    template,
    prefix: template.slice(0, at),
    suffix: template.slice(at + TENANT_PLACEHOLDER.length),
  };
}

/** The issuer of one tenant. A string without the placeholder is returned unchanged. */
export function fillTenant(template: string, tenant: string): string {
  return template.split(TENANT_PLACEHOLDER).join(tenant);
}

/**
 * The tenant an issuer names when it has the template's shape (whether or not the tenant is trusted), else
 * undefined. Used only to explain a refusal: trusted issuers are expanded in advance and found by lookup.
 */
export function tenantOf(template: TenantTemplate, issuer: string): string | undefined {
  const { prefix, suffix } = template;
  if (issuer.length <= prefix.length + suffix.length) return undefined;
  if (!issuer.startsWith(prefix) || !issuer.endsWith(suffix)) return undefined;
  const tenant = issuer.slice(prefix.length, issuer.length - suffix.length);
  return /^[A-Za-z0-9._-]+$/.test(tenant) ? tenant : undefined;
}
