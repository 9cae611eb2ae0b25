/**
 * Validation of the settings several instances share (`GATEHOUSE_REDIS_URL`, `GATEHOUSE_RATE_LIMIT`,
 * `GATEHOUSE_FAILED_AUTH_LIMIT`), for the environment (snake_case) and for options (camelCase) alike.
 */
import type { FailedAuthLimitOptions } from '../limits/failed-auth.js';
import type { RateLimitOptions } from '../limits/rate-limiter.js';
import { Checker, type Spelling } from './checker.js';
import { parseRedisUrl } from './redis-url.js';

const MAX_WINDOW_SECS = 7 * 24 * 3600;
const MAX_COUNT = 1_000_000_000;

/** Validates a Redis URL, never quoting it (it may hold a password). */
export function validateRedisUrl(value: unknown, spelling: Spelling = {}): string {
  const parts = parseRedisUrl(value);
  if (typeof parts === 'string') new Checker(spelling).fail('', parts);
  return value as string;
}

/** Validates `{requests, window_secs, identities?}` (`windowSecs` in options). */
export function validateRateLimit(input: unknown, spelling: Spelling = {}): RateLimitOptions {
  const c = new Checker(spelling);
  const value = c.object(input, '');
  c.noUnknownFields(value, '', ['requests', 'windowSecs', 'identities']);
  const requests = c.integer(value.requests, 'requests', 1, MAX_COUNT);
  const windowSecs = c.integer(value[c.name('windowSecs')], c.name('windowSecs'), 1, MAX_WINDOW_SECS);
  if (value.identities === undefined) return { requests, windowSecs };
  const identities: Record<string, { requests: number }> = {};
  for (const [name, entry] of Object.entries(c.object(value.identities, 'identities'))) {
    const field = `identities.${name}`;
    if (name.trim().length === 0) c.fail('identities', 'must not have an empty name');
    const override = c.object(entry, field);
    c.noUnknownFields(override, field, ['requests']);
    identities[name] = { requests: c.integer(override.requests, `${field}.requests`, 0, MAX_COUNT) };
  }
  return { requests, windowSecs, identities };
}

/** Validates `{attempts, window_secs}` (`windowSecs` in options). */
export function validateFailedAuthLimit(input: unknown, spelling: Spelling = {}): FailedAuthLimitOptions {
  const c = new Checker(spelling);
  const value = c.object(input, '');
  c.noUnknownFields(value, '', ['attempts', 'windowSecs']);
  return {
    attempts: c.integer(value.attempts, 'attempts', 1, MAX_COUNT),
    windowSecs: c.integer(value[c.name('windowSecs')], c.name('windowSecs'), 1, MAX_WINDOW_SECS),
  };
}
