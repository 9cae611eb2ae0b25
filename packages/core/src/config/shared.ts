/**
 * Validation of the settings that several instances share (`GATEHOUSE_REDIS_URL`, `GATEHOUSE_RATE_LIMIT`,
 * `GATEHOUSE_FAILED_AUTH_LIMIT`), for the environment (snake_case) and for options (camelCase) alike.
 * Every error names the variable (when there is one) and the field.
 */
import { ConfigError } from '../errors.js';
import type { FailedAuthLimitOptions } from '../limits/failed-auth.js';
import type { RateLimitOptions } from '../limits/rate-limiter.js';
import { parseRedisUrl } from './redis-url.js';

interface Where {
  readonly variable?: string;
  /** Field prefix (`rateLimit.`) for programmatic options. */
  readonly prefix?: string;
  /** `window_secs` in the environment, `windowSecs` in options. */
  readonly snake?: boolean;
}

const MAX_WINDOW_SECS = 7 * 24 * 3600;
const MAX_COUNT = 1_000_000_000;

function fail(where: Where, field: string | undefined, problem: string): never {
  const path = field === undefined ? where.prefix?.replace(/\.$/, '') : `${where.prefix ?? ''}${field}`;
  throw new ConfigError('invalid_config', problem, { variable: where.variable, field: path || undefined });
}

function object(value: unknown, where: Where, field?: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    fail(where, field, 'must be an object');
  return value as Record<string, unknown>;
}

function integer(value: unknown, where: Where, field: string, min: number, max: number): number {
  if (value === undefined || value === null) fail(where, field, 'is required');
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(where, field, 'must be an integer');
  if (value < min || value > max) fail(where, field, `must be between ${min} and ${max}`);
  return value;
}

function known(value: Record<string, unknown>, where: Where, fields: readonly string[], base = ''): void {
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) fail(where, `${base}${key}`, 'is not a known field');
  }
}

/** Validates a Redis URL (`redis://host:port[/db]`), never quoting it (it may hold a password). */
export function validateRedisUrl(value: unknown, where: Where = {}): string {
  const parts = parseRedisUrl(value);
  if (typeof parts === 'string') fail(where, where.variable ? undefined : 'redisUrl', parts);
  return value as string;
}

/** Validates `{requests, window_secs, identities?}` (or `windowSecs` in options). */
export function validateRateLimit(input: unknown, where: Where = {}): RateLimitOptions {
  const windowName = where.snake ? 'window_secs' : 'windowSecs';
  const value = object(input, where);
  known(value, where, ['requests', windowName, 'identities']);
  const requests = integer(value.requests, where, 'requests', 1, MAX_COUNT);
  const windowSecs = integer(value[windowName], where, windowName, 1, MAX_WINDOW_SECS);
  if (value.identities === undefined) return { requests, windowSecs };
  const identities: Record<string, { requests: number }> = {};
  for (const [name, entry] of Object.entries(object(value.identities, where, 'identities'))) {
    const field = `identities.${name}`;
    if (name.trim().length === 0) fail(where, 'identities', 'must not have an empty name');
    const override = object(entry, where, field);
    known(override, where, ['requests'], `${field}.`);
    identities[name] = { requests: integer(override.requests, where, `${field}.requests`, 0, MAX_COUNT) };
  }
  return { requests, windowSecs, identities };
}

/** Validates `{attempts, window_secs}` (or `windowSecs` in options). */
export function validateFailedAuthLimit(input: unknown, where: Where = {}): FailedAuthLimitOptions {
  const windowName = where.snake ? 'window_secs' : 'windowSecs';
  const value = object(input, where);
  known(value, where, ['attempts', windowName]);
  return {
    attempts: integer(value.attempts, where, 'attempts', 1, MAX_COUNT),
    windowSecs: integer(value[windowName], where, windowName, 1, MAX_WINDOW_SECS),
  };
}
