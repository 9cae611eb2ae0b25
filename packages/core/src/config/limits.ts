/**
 * Validation of the settings several instances share (`GATEHOUSE_REDIS_URL`, `GATEHOUSE_REDIS_CONFIG`,
 * `GATEHOUSE_RATE_LIMIT`, `GATEHOUSE_FAILED_AUTH_LIMIT`), for the environment (snake_case) and for
 * options (camelCase) alike.
 */
import type { FailedAuthLimitOptions } from '../limits/failed-auth.js';
import type { RateLimitOptions } from '../limits/rate-limiter.js';
import { Checker, type Spelling } from './checker.js';
import type { RedisSettings } from './options.js';
import { parseRedisUrl } from './redis-url.js';

const MAX_WINDOW_SECS = 7 * 24 * 3600;
const MAX_COUNT = 1_000_000_000;

/** Validates a Redis URL, never quoting it (it may hold a password). */
export function validateRedisUrl(value: unknown, spelling: Spelling = {}): string {
  const parts = parseRedisUrl(value);
  if (typeof parts === 'string') new Checker(spelling).fail('', parts);
  return value as string;
}

const REDIS_FIELDS = ['sentinelUsername', 'sentinelPassword', 'keyPrefix', 'replicaAcks', 'replicaWaitMs'];

/**
 * Validates the Redis settings beside the URL, never quoting a value (the sentinel password). Whether
 * they fit the URL is checked once both are resolved (`checkRedisSettings`).
 */
export function validateRedisSettings(input: unknown, spelling: Spelling = {}): RedisSettings {
  const c = new Checker(spelling);
  const value = c.object(input, '');
  c.noUnknownFields(value, '', REDIS_FIELDS);
  const out: Record<string, string | number> = {};
  for (const field of ['sentinelUsername', 'sentinelPassword']) {
    const given = value[c.name(field)];
    if (given !== undefined) out[field] = c.nonEmptyString(given, c.name(field));
  }
  const prefix = value[c.name('keyPrefix')];
  if (prefix !== undefined) {
    out.keyPrefix = c.nonEmptyString(prefix, c.name('keyPrefix'));
    if (!/^[\x21-\x7e]{1,100}$/.test(out.keyPrefix)) {
      c.fail(c.name('keyPrefix'), 'must be 1 to 100 printable characters without spaces');
    }
  }
  const acks = value[c.name('replicaAcks')];
  if (acks !== undefined) out.replicaAcks = c.integer(acks, c.name('replicaAcks'), 0, 16);
  const wait = value[c.name('replicaWaitMs')];
  if (wait !== undefined) out.replicaWaitMs = c.integer(wait, c.name('replicaWaitMs'), 1, 60_000);
  return out as RedisSettings;
}

/** Whether the Redis settings fit the URL: they need one, and sentinel credentials a Sentinel URL. */
export function checkRedisSettings(
  settings: RedisSettings | undefined,
  redisUrl: string | undefined,
  spelling: Spelling,
  urlName: string,
): void {
  if (settings === undefined) return;
  const c = new Checker(spelling);
  if (redisUrl === undefined) c.fail('', `has no effect without ${urlName}: set it too, or unset this`);
  const parts = parseRedisUrl(redisUrl);
  if (typeof parts === 'string' || parts.topology === 'sentinel') return;
  for (const field of ['sentinelUsername', 'sentinelPassword'] as const) {
    if (settings[field] !== undefined) {
      c.fail(
        c.name(field),
        `is only for a redis+sentinel:// URL (${urlName} names ${parts.topology === 'cluster' ? 'a cluster' : 'one server'})`,
      );
    }
  }
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
