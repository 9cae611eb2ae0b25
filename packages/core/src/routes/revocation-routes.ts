/**
 * The contract's revocation routes and back-channel logout route, written once: each takes what the
 * request carried (a parsed JSON body, a path parameter, a form) and returns the answer, or throws the
 * `AuthError` the one error table answers (400, 404, 503).
 */
import { LogoutTokenError, NotFoundError, RequestBodyError } from '../errors.js';
import type { BackchannelLogout } from '../revocation/backchannel-logout.js';
import type { RevocationSelector, Revocations } from '../revocation/revocations.js';
import type { Revocation } from '../state/revocation.js';
import { emptyAnswer, type HttpAnswer, jsonAnswer } from './answer.js';

/** A revocation as the admin routes show it (times as ISO 8601). */
export interface RevocationView {
  readonly id: string;
  readonly kind: Revocation['kind'];
  readonly issuer?: string;
  readonly jti?: string;
  readonly subject?: string;
  readonly apiKey?: string;
  readonly sid?: string;
  readonly issuedBefore?: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly source?: Revocation['source'];
}

const MAX_FIELD_LENGTH = 2048;
const SELECTORS: readonly (readonly string[])[] = [['jti', 'issuer'], ['subject', 'issuer'], ['apiKey']];
const FIELDS = new Set(['jti', 'issuer', 'subject', 'apiKey']);

/** `POST /v1/admin/revocations`: 201 once in force here; 400 for a malformed body; 503 when not stored. */
export async function createRevocation(
  revocations: Revocations,
  body: unknown,
  path: string,
): Promise<HttpAnswer> {
  const selector = parseSelector(body);
  if (typeof selector === 'string') throw new RequestBodyError('malformed', selector);
  const revocation = await revocations.revoke(selector);
  return jsonAnswer(201, revocationView(revocation), {
    location: `${path}/${encodeURIComponent(revocation.id)}`,
  });
}

/** `GET /v1/admin/revocations`: the revocations in force, oldest first. */
export function listRevocations(revocations: Revocations): HttpAnswer {
  return jsonAnswer(200, revocations.list().map(revocationView));
}

/** `DELETE /v1/admin/revocations/{id}`: 204 once lifted everywhere (within 1 s); 404 unknown; 503. */
export async function removeRevocation(revocations: Revocations, id: string): Promise<HttpAnswer> {
  if (id.length === 0 || id.length > 128 || !(await revocations.lift(id))) {
    throw new NotFoundError('no revocation with this id');
  }
  return emptyAnswer(204);
}

/**
 * `POST /v1/backchannel-logout` with its form: 200 once the logout is in force; 400 for an invalid,
 * replayed or too old logout token; 503 while the revocation cannot be stored or the issuer's keys
 * cannot be fetched.
 */
export async function backchannelLogout(
  logout: BackchannelLogout | undefined,
  form: URLSearchParams,
): Promise<HttpAnswer> {
  if (logout === undefined) {
    throw new LogoutTokenError(
      'untrusted',
      'back-channel logout needs an OIDC issuer (GATEHOUSE_OIDC_CONFIG)',
    );
  }
  const tokens = form.getAll('logout_token');
  if (tokens.length > 1) throw new LogoutTokenError('malformed', 'logout_token is given more than once');
  if (tokens.length === 0 || tokens[0] === '')
    throw new LogoutTokenError('malformed', 'logout_token is required');
  await logout.handle(tokens[0]!);
  return emptyAnswer(200);
}

/**
 * The shape a revocation takes in the admin routes' answers.
 *
 * @example
 * ```ts
 * res.json(gate.revocations.list().map(revocationView));
 * ```
 */
export function revocationView(r: Revocation): RevocationView {
  return {
    id: r.id,
    kind: r.kind,
    ...(r.issuer !== undefined ? { issuer: r.issuer } : {}),
    ...(r.jti !== undefined ? { jti: r.jti } : {}),
    ...(r.subject !== undefined ? { subject: r.subject } : {}),
    ...(r.apiKey !== undefined ? { apiKey: r.apiKey } : {}),
    ...(r.sid !== undefined ? { sid: r.sid } : {}),
    ...(r.issuedBefore !== undefined ? { issuedBefore: new Date(r.issuedBefore * 1000).toISOString() } : {}),
    createdAt: new Date(r.createdAt).toISOString(),
    expiresAt: r.expiresAt === null ? null : new Date(r.expiresAt).toISOString(),
    ...(r.source !== undefined ? { source: r.source } : {}),
  };
}

/**
 * Validates a revocation request body: exactly one of `{jti, issuer}`, `{subject, issuer}`, `{apiKey}`,
 * non-empty strings, no other field. Returns the selector, or the problem as a string.
 *
 * @example
 * ```ts
 * const selector = parseSelector({ apiKey: 'billing' }); // { apiKey: 'billing' }
 * ```
 */
export function parseSelector(body: unknown): RevocationSelector | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return 'the body must be a JSON object';
  }
  const fields = Object.keys(body);
  for (const field of fields) {
    if (!FIELDS.has(field)) return `"${field.slice(0, 64)}" is not a known field`;
  }
  for (const field of fields) {
    const value = (body as Record<string, unknown>)[field];
    if (typeof value !== 'string') return `"${field}" must be a string`;
    if (value.trim().length === 0) return `"${field}" must not be empty`;
    if (value.length > MAX_FIELD_LENGTH) return `"${field}" is longer than ${MAX_FIELD_LENGTH} characters`;
  }
  const matches = SELECTORS.filter(
    (selector) => selector.length === fields.length && selector.every((f) => fields.includes(f)),
  );
  if (matches.length !== 1) {
    return 'give exactly one of {"jti", "issuer"}, {"subject", "issuer"} or {"apiKey"}';
  }
  return body as RevocationSelector;
}
