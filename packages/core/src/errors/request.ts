/** Requests whose credentials are absent or malformed, and request bodies the operational routes refuse. */
import { AuthError } from './auth-error.js';

/** No bearer credentials: no `Authorization` header, or one with another scheme (RFC 6750 §3.1: no error code). */
export class MissingCredentialsError extends AuthError {
  readonly code = 'missing_credentials';
  readonly status = 401;
  readonly bearerError = undefined;
  /** The scheme that was presented instead of `Bearer`, if any (never its credentials). */
  readonly scheme: string | undefined;
  constructor(scheme?: string) {
    super(
      scheme === undefined ? 'bearer credentials required' : 'the Bearer authentication scheme is required',
    );
    this.scheme = scheme;
  }
}

/** Why an `Authorization` header was malformed. */
export type InvalidRequestReason = 'duplicate_header' | 'malformed' | 'empty_token' | 'too_long';

/** A malformed `Authorization` header: two of them, an empty token, bad characters, or too long. */
export class InvalidRequestError extends AuthError {
  readonly code = 'invalid_request';
  readonly status = 400;
  readonly bearerError = 'invalid_request';
  readonly reason: InvalidRequestReason;
  constructor(reason: InvalidRequestReason) {
    super(INVALID_REQUEST_MESSAGES[reason]);
    this.reason = reason;
  }
}

const INVALID_REQUEST_MESSAGES: Record<InvalidRequestReason, string> = {
  duplicate_header: 'more than one Authorization header',
  malformed: 'malformed Authorization header',
  empty_token: 'empty bearer token',
  too_long: 'Authorization header too long',
};

/** Why an operational route refused a request body. */
export type RequestBodyProblem = 'malformed' | 'too_large' | 'unsupported_media_type' | 'incomplete';

const BODY_STATUS = { malformed: 400, incomplete: 400, too_large: 413, unsupported_media_type: 415 } as const;
const BODY_ERROR = {
  malformed: 'invalid_request',
  incomplete: 'invalid_request',
  too_large: 'payload_too_large',
  unsupported_media_type: 'unsupported_media_type',
} as const;

/**
 * A body that an operational route (`routes: true`: revocations, back-channel logout) cannot take: not
 * valid for the route (400), larger than its limit (413), of another media type (415), or cut short.
 *
 * @example
 * ```ts
 * if (err instanceof RequestBodyError && err.problem === 'too_large') console.warn(err.message);
 * ```
 */
export class RequestBodyError extends AuthError {
  readonly code = 'invalid_body';
  readonly status: 400 | 413 | 415;
  readonly bearerError = undefined;
  override readonly bodyError: string;
  readonly problem: RequestBodyProblem;
  constructor(problem: RequestBodyProblem, description: string) {
    super(description);
    this.problem = problem;
    this.status = BODY_STATUS[problem];
    this.bodyError = BODY_ERROR[problem];
  }
}

/**
 * Nothing at this path of an operational route (an unknown revocation id).
 *
 * @example
 * ```ts
 * throw new NotFoundError('no revocation with this id');
 * ```
 */
export class NotFoundError extends AuthError {
  readonly code = 'not_found';
  readonly status = 404;
  readonly bearerError = undefined;
}

/** Why a logout token was refused. */
export type LogoutTokenProblem = 'malformed' | 'untrusted' | 'claim' | 'too_old' | 'replayed';

/**
 * A logout token that is not valid, or was seen before: answered 400 `invalid_request` (Back-Channel
 * Logout 1.0 §2.8). The message never quotes the token.
 *
 * @example
 * ```ts
 * if (err instanceof LogoutTokenError && err.problem === 'replayed') console.warn('logout token replayed');
 * ```
 */
export class LogoutTokenError extends AuthError {
  readonly code = 'invalid_logout_token';
  readonly status = 400;
  readonly bearerError = undefined;
  override readonly bodyError = 'invalid_request';
  readonly problem: LogoutTokenProblem;
  /** The claim or header parameter at fault, if one is. */
  readonly claim: string | undefined;
  constructor(
    problem: LogoutTokenProblem,
    message: string,
    detail: { claim?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: detail.cause });
    this.problem = problem;
    this.claim = detail.claim;
  }
}

/** Every error of this group: a request without usable credentials or body. */
export type RequestError =
  | MissingCredentialsError
  | InvalidRequestError
  | RequestBodyError
  | NotFoundError
  | LogoutTokenError;
