import type { TokenFileSummary } from '@gatehouse/client';
import { decodeJwt } from 'jose';

/** Who a token file belongs to, from its ID token (or its access token's `sub`), never the tokens. */
export function identityOf(summary: Pick<TokenFileSummary, 'idToken' | 'accessToken'>): {
  subject?: string;
  email?: string;
  name?: string;
} {
  const out: { subject?: string; email?: string; name?: string } = {};
  // The ID token first; the access token (a JWT at many providers) fills in what it lacks.
  for (const token of [summary.idToken, summary.accessToken]) {
    if (!token) continue;
    let claims: Record<string, unknown>;
    try {
      claims = decodeJwt(token);
    } catch {
      continue; // an opaque token
    }
    if (out.subject !== undefined && claims.sub !== out.subject) continue;
    if (typeof claims.sub === 'string') out.subject ??= claims.sub;
    if (typeof claims.email === 'string') out.email ??= claims.email;
    if (typeof claims.name === 'string') out.name ??= claims.name;
  }
  return out;
}

/** "alice (Alice Admin <alice@example.com>)". */
export function describeIdentity(id: { subject?: string; email?: string; name?: string }): string {
  if (!id.subject) return 'unknown identity';
  const extra = [id.name, id.email ? `<${id.email}>` : undefined].filter(Boolean).join(' ');
  return extra ? `${id.subject} (${extra})` : id.subject;
}

/** "in 9 min (2026-11-22T12:40:00Z)" or "3 min ago (…)". */
export function describeExpiry(expiresAt: number | undefined, nowSecs: number): string {
  if (expiresAt === undefined) return 'unknown (the provider gave no expiry)';
  const delta = expiresAt - nowSecs;
  const iso = new Date(expiresAt * 1000).toISOString().replace('.000Z', 'Z');
  return delta > 0 ? `in ${duration(delta)} (${iso})` : `${duration(-delta)} ago (${iso})`;
}

function duration(secs: number): string {
  if (secs < 90) return `${Math.round(secs)} s`;
  if (secs < 90 * 60) return `${Math.round(secs / 60)} min`;
  if (secs < 48 * 3600) return `${Math.round(secs / 3600)} h`;
  return `${Math.round(secs / 86400)} days`;
}
