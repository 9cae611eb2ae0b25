import type { AuditLogger } from '../audit.js';
import type { AuthContext } from '../context.js';
import type { AuthError } from '../errors.js';

// One audit line per decision (`logger` option): the identity, or the code and the precise reason of a
// refusal (its fields: the expected audience, the unknown kid…), never a token, a key or a secret.

/**
 * The accepted line; `authz` is the detail of the route's authorization step when it ran with the
 * authentication (see `authzDetail`).
 * @internal
 */
export function logAccepted(
  logger: AuditLogger,
  auth: AuthContext,
  authz?: Readonly<Record<string, unknown>>,
): void {
  logger.info(
    {
      event: 'gatehouse.auth.accepted',
      subject: auth.subject,
      email: auth.email,
      issuer: auth.issuer,
      authType: auth.authType,
      isAdmin: auth.isAdmin,
      ...(authz !== undefined ? { authz } : {}),
    },
    authz === undefined ? 'request authenticated' : 'request authenticated and authorized',
  );
}

/**
 * A route's authorization step allowed an identity an earlier step had admitted (and logged): its own line.
 * @internal
 */
export function logAuthorized(
  logger: AuditLogger,
  auth: AuthContext,
  authz: Readonly<Record<string, unknown>>,
): void {
  logger.info(
    { event: 'gatehouse.authz.allowed', subject: auth.subject, issuer: auth.issuer, authz },
    'request authorized',
  );
}

/** @internal */
export function logRejected(logger: AuditLogger, err: AuthError, auth?: AuthContext): void {
  const {
    name: _name,
    message,
    stack: _stack,
    cause: _cause,
    final: _final,
    ...detail
  } = err as AuthError & { cause?: unknown };
  logger.warn(
    {
      ...detail,
      event: 'gatehouse.auth.rejected',
      code: err.code,
      status: err.status,
      description: message,
      subject: auth?.subject,
      cause: err.cause instanceof Error ? err.cause.message : undefined,
    },
    'request rejected',
  );
}
