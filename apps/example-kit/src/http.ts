/**
 * The example apps' own error answers (not Gatehouse's 401/403, which the adapters write): one JSON shape,
 * `{"error", "error_description"}` like RFC 6750's, so clients parse every failure the same way. Client
 * input never yields a 5xx; messages never echo the input.
 */
import { LIMITS, ValidationError, type ValidationIssue } from '@gatehouse/example-telemetry-store';

export interface ErrorBody {
  readonly error: string;
  readonly error_description: string;
  /** For validation failures: the first field at fault, and up to ten issues. */
  readonly field?: string;
  readonly issues?: readonly ValidationIssue[];
}

export interface ErrorAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ErrorBody;
}

/** The identity fields the contract's `GET /v1/whoami` returns (an `AuthContext` has them all). */
export interface WhoamiSource {
  readonly subject: string;
  readonly email?: string | undefined;
  readonly issuer: string;
  readonly authType: string;
  readonly isAdmin: boolean;
  readonly scopes: readonly string[];
}

/** The contract's `GET /v1/whoami` body: `{subject, email?, issuer, authType, isAdmin, scopes}`. */
export function whoamiBody(auth: WhoamiSource) {
  return {
    subject: auth.subject,
    ...(auth.email !== undefined ? { email: auth.email } : {}),
    issuer: auth.issuer,
    authType: auth.authType,
    isAdmin: auth.isAdmin,
    scopes: [...auth.scopes],
  };
}

export function errorBody(error: string, description: string): ErrorBody {
  return { error, error_description: description };
}

/** 404 for a path or method the app does not serve (only reached by authenticated requests). */
export const NOT_FOUND: ErrorAnswer = Object.freeze({
  status: 404,
  headers: {},
  body: errorBody('not_found', 'no such endpoint'),
});

// Error types of body-parser / raw-body (Express) and co-body (Koa): what the client sent is at fault.
const CLIENT_ERROR_TYPES: Readonly<Record<string, ErrorAnswer>> = {
  'entity.too.large': answer(
    413,
    'payload_too_large',
    `the body is larger than ${LIMITS.maxBodyBytes} bytes`,
  ),
  'entity.parse.failed': answer(400, 'invalid_json', 'the body is not valid JSON'),
  'entity.verify.failed': answer(400, 'invalid_request', 'the body was refused'),
  'encoding.unsupported': answer(415, 'unsupported_media_type', 'unsupported content encoding'),
  'charset.unsupported': answer(415, 'unsupported_media_type', 'unsupported charset; send UTF-8'),
  'request.aborted': answer(400, 'invalid_request', 'the request body was incomplete'),
  'request.size.invalid': answer(400, 'invalid_request', 'the body length does not match Content-Length'),
  'stream.encoding.set': answer(400, 'invalid_request', 'the body could not be read'),
};

const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  411: 'length_required',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  431: 'request_header_fields_too_large',
};

/**
 * The answer for an error thrown while handling a request: a validation error, a body parser's or
 * router's client error (4xx), a busy database (503) or anything else (500; the caller logs it).
 */
export function errorAnswer(err: unknown): ErrorAnswer {
  if (err instanceof ValidationError) {
    return {
      status: 400,
      headers: {},
      body: { ...errorBody('invalid_request', err.message), field: err.field, issues: err.issues },
    };
  }
  const e = (err ?? {}) as { type?: unknown; status?: unknown; statusCode?: unknown; code?: unknown };
  if (typeof e.type === 'string' && CLIENT_ERROR_TYPES[e.type]) return CLIENT_ERROR_TYPES[e.type]!;
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return answer(status, STATUS_NAMES[status] ?? 'invalid_request', 'the request was refused');
  }
  if (err instanceof URIError) return answer(400, 'invalid_request', 'the URL is not correctly encoded');
  if (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED') {
    return {
      ...answer(503, 'temporarily_unavailable', 'the database is busy; retry'),
      headers: { 'retry-after': '1' },
    };
  }
  return answer(500, 'internal_error', 'an unexpected error occurred');
}

function answer(status: number, error: string, description: string): ErrorAnswer {
  return { status, headers: {}, body: errorBody(error, description) };
}
