import type { GatehouseOptions, Revocation } from '@gatehouse/core';
import { createRedisState } from '@gatehouse/redis';
import type { ServerConfig } from '../fixture.js';

/** What the shared-state variants configure on top of the plain Gatehouse one. */
export type SharedStateVariant = 'revocation' | 'limits';

/**
 * A few revocations in force that cover none of the bench's credentials (the hot path still looks each
 * kind up): two by `jti`, two by subject, one by API key name. Fixed ids: a server started again (cold
 * start, a second run) replaces them instead of adding more.
 */
export function benchRevocations(issuer: string): Revocation[] {
  const createdAt = Date.now();
  const expiresAt = createdAt + 24 * 3600 * 1000;
  return [
    { id: 'bench-jti-1', kind: 'jti', issuer, jti: 'revoked-jti-1', createdAt, expiresAt },
    { id: 'bench-jti-2', kind: 'jti', issuer, jti: 'revoked-jti-2', createdAt, expiresAt },
    {
      id: 'bench-subject-1',
      kind: 'subject',
      issuer,
      subject: 'revoked-user-1',
      issuedBefore: Math.floor(createdAt / 1000),
      createdAt,
      expiresAt,
    },
    {
      id: 'bench-subject-2',
      kind: 'subject',
      issuer,
      subject: 'revoked-user-2',
      issuedBefore: Math.floor(createdAt / 1000),
      createdAt,
      expiresAt,
    },
    { id: 'bench-key-1', kind: 'api_key', apiKey: 'revoked-key', createdAt, expiresAt: null },
  ];
}

/** A rate limit no bench run reaches: the limiter does all its work and never refuses. */
export const BENCH_RATE_LIMIT = Object.freeze({ requests: 1_000_000_000, windowSecs: 60 });

/**
 * The gate options of a shared-state variant, on the run's redis-server: `revocation` (Redis state, the
 * revocations above in force) or `limits` (Redis state in another database, a per-identity rate limit).
 * Resolves once connected and, for `revocation`, once the revocations are in force here.
 */
export async function sharedStateOptions(
  variant: SharedStateVariant,
  config: ServerConfig,
): Promise<Pick<GatehouseOptions, 'state' | 'rateLimit'>> {
  if (config.redisUrl === undefined) throw new Error(`the ${variant} variant needs redis-server`);
  const state = createRedisState({ url: variant === 'limits' ? `${config.redisUrl}/1` : config.redisUrl });
  await state.ready(10_000);
  if (variant === 'limits') return { state, rateLimit: BENCH_RATE_LIMIT };
  for (const revocation of benchRevocations(config.issuer)) await state.revocations.store(revocation);
  return { state };
}
