import { type AuthErrorResponse, bearerChallenge, type ConnectionCloseReason } from '@gatehouse/core';
import { Metadata, type StatusObject, status } from '@grpc/grpc-js';

/**
 * The gRPC status of each answer of the pipeline: 401 (and a malformed `authorization`, 400) is
 * `UNAUTHENTICATED`, 403 `PERMISSION_DENIED`, 429 `RESOURCE_EXHAUSTED`, 503 `UNAVAILABLE`.
 *
 * @example
 * ```ts
 * GRPC_STATUS_OF_HTTP[403]; // status.PERMISSION_DENIED
 * ```
 */
export const GRPC_STATUS_OF_HTTP: Readonly<Record<number, status>> = Object.freeze({
  400: status.UNAUTHENTICATED,
  401: status.UNAUTHENTICATED,
  403: status.PERMISSION_DENIED,
  429: status.RESOURCE_EXHAUSTED,
  503: status.UNAVAILABLE,
});

/** Trailing metadata that carries an answer's headers, with the error code as `gatehouse-error`. */
function trailers(headers: Readonly<Record<string, string>>, error: string): Metadata {
  const metadata = new Metadata();
  for (const [name, value] of Object.entries(headers)) {
    if (name !== 'cache-control') metadata.set(name, value);
  }
  metadata.set('gatehouse-error', error);
  return metadata;
}

/**
 * The status that ends a refused call: the code of {@link GRPC_STATUS_OF_HTTP}, the error description
 * as `details`, and the HTTP answer's headers (`www-authenticate` with the RFC 6750 challenge,
 * `retry-after`, `ratelimit-policy`, `ratelimit`, `dpop-nonce`) plus `gatehouse-error` (the error code)
 * in the trailing metadata.
 *
 * @example
 * ```ts
 * if (!decision.admitted) call.sendStatus(refusalStatus(decision));
 * ```
 */
export function refusalStatus(answer: AuthErrorResponse): StatusObject {
  return {
    code: GRPC_STATUS_OF_HTTP[answer.status] ?? status.UNAUTHENTICATED,
    details: answer.body.error_description,
    metadata: trailers(answer.headers, answer.body.error),
  };
}

/**
 * The status that ends a streaming call whose credentials ended: `UNAUTHENTICATED`, details `revoked`
 * or `expired`, and an `invalid_token` challenge in the trailers.
 *
 * @example
 * ```ts
 * call.sendStatus(endedStatus('revoked', gate.realm));
 * ```
 */
export function endedStatus(reason: ConnectionCloseReason, realm: string): StatusObject {
  if (reason === 'shutdown') {
    return { code: status.UNAVAILABLE, details: 'shutdown', metadata: trailers({}, 'shutdown') };
  }
  const challenge = bearerChallenge({
    realm,
    error: 'invalid_token',
    errorDescription: reason === 'revoked' ? 'token revoked' : 'token expired',
  });
  return {
    code: status.UNAUTHENTICATED,
    details: reason,
    metadata: trailers(
      { 'www-authenticate': challenge },
      reason === 'revoked' ? 'token_revoked' : 'token_expired',
    ),
  };
}
