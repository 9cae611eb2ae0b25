import { IssuerUnavailableError, type StateUnavailableError } from '../errors.js';
import type { Revocation } from '../state/revocation.js';
import { type BackchannelLogout, LogoutTokenError } from './backchannel-logout.js';
import type { RevocationSelector, Revocations } from './revocations.js';

/** A framework-neutral answer: the app writes the status, the headers and (when present) the JSON body. */
export interface HttpAnswer {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

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
const NO_STORE = Object.freeze({ 'cache-control': 'no-store' });

/**
 * The contract's revocation routes and back-channel logout route, written once for every app: each
 * method takes what the framework parsed (a JSON body, a path parameter, a form) and returns the
 * {@link HttpAnswer} to write. The admin requirement is the app's (its `/v1/admin` guard).
 *
 * | route | method |
 * |---|---|
 * | `POST /v1/admin/revocations` | {@link create} (201, 400, 503) |
 * | `GET /v1/admin/revocations` | {@link list} (200) |
 * | `DELETE /v1/admin/revocations/{id}` | {@link remove} (204, 404, 503) |
 * | `POST /v1/backchannel-logout` (public) | {@link backchannelLogout} (200, 400, 503) |
 *
 * @example
 * ```ts
 * const routes = new RevocationRoutes(revocations, logout);
 * app.post('/v1/admin/revocations', express.json(), async (req, res) => {
 *   const answer = await routes.create(req.body);
 *   res.status(answer.status).set(answer.headers).json(answer.body);
 * });
 * ```
 */
export class RevocationRoutes {
  constructor(
    private readonly revocations: Revocations,
    private readonly logout?: BackchannelLogout,
  ) {}

  /** `POST /v1/admin/revocations`: 201 once in force here; 400 for a malformed body; 503 if not stored. */
  async create(body: unknown): Promise<HttpAnswer> {
    const selector = parseSelector(body);
    if (typeof selector === 'string') return invalid(selector);
    try {
      const revocation = await this.revocations.revoke(selector);
      return {
        status: 201,
        headers: { ...NO_STORE, location: `/v1/admin/revocations/${encodeURIComponent(revocation.id)}` },
        body: revocationView(revocation),
      };
    } catch (err) {
      return unavailable(err);
    }
  }

  /** `GET /v1/admin/revocations`: the revocations in force, oldest first. */
  list(): HttpAnswer {
    return { status: 200, headers: NO_STORE, body: this.revocations.list().map(revocationView) };
  }

  /** `DELETE /v1/admin/revocations/{id}`: 204 once lifted everywhere (within 1 s); 404 unknown; 503. */
  async remove(id: unknown): Promise<HttpAnswer> {
    if (typeof id !== 'string' || id.length === 0 || id.length > 128) return notFound();
    try {
      return (await this.revocations.lift(id)) ? { status: 204, headers: NO_STORE } : notFound();
    } catch (err) {
      return unavailable(err);
    }
  }

  /**
   * `POST /v1/backchannel-logout` with the form (`application/x-www-form-urlencoded`) parsed into an
   * object: 200 once the logout is in force; 400 for an invalid, replayed or too old logout token; 503
   * while the revocation cannot be stored or the issuer's keys cannot be fetched.
   */
  async backchannelLogout(form: unknown): Promise<HttpAnswer> {
    if (this.logout === undefined) {
      return invalid('back-channel logout needs an OIDC issuer (GATEHOUSE_OIDC_CONFIG)');
    }
    const token =
      form !== null && typeof form === 'object' ? (form as Record<string, unknown>).logout_token : undefined;
    if (typeof token !== 'string') return invalid('logout_token is required');
    try {
      await this.logout.handle(token);
      return { status: 200, headers: NO_STORE };
    } catch (err) {
      if (err instanceof LogoutTokenError) return invalid(err.message);
      if (err instanceof IssuerUnavailableError) {
        return {
          status: 503,
          headers: { ...NO_STORE, 'retry-after': String(err.retryAfterSecs) },
          body: { error: 'temporarily_unavailable', error_description: err.message },
        };
      }
      return unavailable(err);
    }
  }
}

/**
 * The shape a revocation takes in the admin routes' answers.
 *
 * @example
 * ```ts
 * res.json(revocations.list().map(revocationView));
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

function invalid(description: string): HttpAnswer {
  return {
    status: 400,
    headers: NO_STORE,
    body: { error: 'invalid_request', error_description: description },
  };
}

function notFound(): HttpAnswer {
  return {
    status: 404,
    headers: NO_STORE,
    body: { error: 'not_found', error_description: 'no revocation with this id' },
  };
}

// By code, not instanceof: the store may come from the other copy of core (ESM next to CommonJS).
function unavailable(err: unknown): HttpAnswer {
  if (!(err instanceof Error) || (err as Partial<StateUnavailableError>).code !== 'state_unavailable')
    throw err;
  return {
    status: 503,
    headers: { ...NO_STORE, 'retry-after': '1' },
    body: { error: 'temporarily_unavailable', error_description: err.message },
  };
}
