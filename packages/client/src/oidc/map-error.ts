import { ResponseBodyError, WWWAuthenticateChallengeError } from 'openid-client';
import { GatehouseClientError, NetworkError, TokenRequestError } from '../errors.js';

/**
 * Turns whatever openid-client (or fetch) threw during a token-endpoint request into one of our typed errors,
 * keeping only secret-free detail.
 */
export function mapGrantError(grantType: string, err: unknown, url?: string): GatehouseClientError {
  if (err instanceof GatehouseClientError) return err;
  if (err instanceof ResponseBodyError) {
    return new TokenRequestError(
      grantType,
      { error: err.error, errorDescription: err.error_description, status: err.status },
      err,
    );
  }
  if (err instanceof WWWAuthenticateChallengeError) {
    const challenge = err.cause[0];
    const error = challenge?.parameters.error;
    const description = challenge?.parameters.error_description;
    return new TokenRequestError(
      grantType,
      { error: error ?? 'unauthorized', errorDescription: description, status: err.status },
      err,
    );
  }
  if (isNetworkFailure(err)) return new NetworkError(url, err);
  const e = err as { message?: unknown; code?: unknown };
  const reason = typeof e?.message === 'string' ? e.message : 'unexpected response';
  return new TokenRequestError(grantType, { reason }, err);
}

/** fetch() failures (connection refused, DNS, timeouts) as opposed to answers from the server. */
export function isNetworkFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return true;
  return err instanceof TypeError && err.message === 'fetch failed';
}
