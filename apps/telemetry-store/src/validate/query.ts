/**
 * Validation of the read API's query parameters, shared by the NestJS and Koa analytics apps so that both
 * answer the same 400s. Input is the framework's parsed query object (`string | string[]` values).
 * Unknown parameters are refused, so a typo (`processid`) never silently widens a query.
 */
import { LIMITS } from '../limits.js';
import { LOG_LEVELS, type LogLevel } from '../records.js';
import {
  DATE_TIME_HINT,
  ID_HINT,
  ID_PATTERN,
  Issues,
  METRIC_NAME_HINT,
  METRIC_NAME_PATTERN,
  parseDateTime,
  safeKey,
  text,
} from './fields.js';

export type QueryInput = Readonly<Record<string, unknown>>;

/** `[from, to)` in epoch ms. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

export interface ProcessListQuery {
  readonly limit: number;
}

export interface LogQuery extends TimeRange {
  readonly processId?: string;
  /** Entries at this level or more severe. */
  readonly minLevel?: LogLevel;
  readonly limit: number;
}

export interface MetricQuery extends TimeRange {
  readonly processId?: string;
  readonly name?: string;
  readonly limit: number;
}

export interface MetricSummaryQuery extends TimeRange {
  readonly processId?: string;
  readonly name?: string;
}

export interface RetentionRequest {
  /** Records with a timestamp before this (epoch ms) are deleted. */
  readonly before: number;
  /** Count what would be deleted without deleting. */
  readonly dryRun: boolean;
}

/** `GET /v1/processes?limit=` */
export function parseProcessListQuery(query: QueryInput): ProcessListQuery {
  return Issues.collect((issues) => {
    const q = params(issues, query, ['limit']);
    return { limit: limit(issues, q.limit) };
  });
}

/** `GET /v1/logs?from=&to=&processId=&level=&limit=` */
export function parseLogQuery(query: QueryInput, now: number = Date.now()): LogQuery {
  return Issues.collect((issues) => {
    const q = params(issues, query, ['from', 'to', 'processId', 'level', 'limit']);
    const level = q.level;
    if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
      issues.add('level', `must be one of ${LOG_LEVELS.join(', ')}`);
    }
    return {
      ...timeRange(issues, q.from, q.to, now),
      ...optional('processId', processId(issues, q.processId)),
      ...optional('minLevel', level as LogLevel | undefined),
      limit: limit(issues, q.limit),
    };
  });
}

/** `GET /v1/metrics?from=&to=&processId=&name=&limit=` */
export function parseMetricQuery(query: QueryInput, now: number = Date.now()): MetricQuery {
  return Issues.collect((issues) => {
    const q = params(issues, query, ['from', 'to', 'processId', 'name', 'limit']);
    return {
      ...timeRange(issues, q.from, q.to, now),
      ...optional('processId', processId(issues, q.processId)),
      ...optional('name', metricName(issues, q.name)),
      limit: limit(issues, q.limit),
    };
  });
}

/** `GET /v1/metrics/summary?from=&to=&processId=&name=` */
export function parseMetricSummaryQuery(query: QueryInput, now: number = Date.now()): MetricSummaryQuery {
  return Issues.collect((issues) => {
    const q = params(issues, query, ['from', 'to', 'processId', 'name']);
    return {
      ...timeRange(issues, q.from, q.to, now),
      ...optional('processId', processId(issues, q.processId)),
      ...optional('name', metricName(issues, q.name)),
    };
  });
}

/** `POST /v1/admin/retention?before=<date-time>` or `?olderThanDays=<n>`, plus `dryRun=true`. */
export function parseRetentionRequest(query: QueryInput, now: number = Date.now()): RetentionRequest {
  return Issues.collect((issues) => {
    const q = params(issues, query, ['before', 'olderThanDays', 'dryRun']);
    let before: number | undefined;
    if ((q.before === undefined) === (q.olderThanDays === undefined)) {
      issues.add('before', 'or "olderThanDays" is required (exactly one of them)');
    } else if (q.before !== undefined) {
      before = parseDateTime(q.before);
      if (before === undefined) issues.add('before', `must be ${DATE_TIME_HINT}`);
      else if (before > now) issues.add('before', 'must not be in the future');
    } else {
      const days = integerParam(issues, 'olderThanDays', q.olderThanDays!, 1, LIMITS.maxRetentionDays);
      if (days !== undefined) before = now - days * 24 * 60 * 60 * 1000;
    }
    let dryRun = false;
    if (q.dryRun !== undefined) {
      if (q.dryRun === 'true' || q.dryRun === '1') dryRun = true;
      else if (q.dryRun !== 'false' && q.dryRun !== '0') issues.add('dryRun', 'must be true or false');
    }
    return { before: before ?? 0, dryRun };
  });
}

/** The allowed parameters, each present at most once and never empty. */
function params<K extends string>(
  issues: Issues,
  query: QueryInput,
  allowed: readonly K[],
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!(allowed as readonly string[]).includes(key)) {
      issues.add(safeKey(key), `is not a known parameter (known: ${allowed.join(', ')})`);
    } else if (typeof value !== 'string') {
      issues.add(key, 'must be given once, as a plain value');
    } else if (value === '') {
      issues.add(key, 'must not be empty');
    } else {
      out[key as K] = value;
    }
  }
  return out;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function integerParam(issues: Issues, field: string, value: string, min: number, max: number) {
  if (!/^\d{1,9}$/.test(value)) return issues.add(field, `must be an integer from ${min} to ${max}`);
  const n = Number(value);
  if (n < min || n > max) return issues.add(field, `must be an integer from ${min} to ${max}`);
  return n;
}

function limit(issues: Issues, value: string | undefined): number {
  if (value === undefined) return LIMITS.defaultLimit;
  return integerParam(issues, 'limit', value, 1, LIMITS.maxLimit) ?? LIMITS.defaultLimit;
}

function processId(issues: Issues, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return text(issues, 'processId', value, {
    max: LIMITS.maxIdLength,
    pattern: ID_PATTERN,
    patternHint: ID_HINT,
  });
}

function metricName(issues: Issues, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return text(issues, 'name', value, {
    max: LIMITS.maxNameLength,
    pattern: METRIC_NAME_PATTERN,
    patternHint: METRIC_NAME_HINT,
  });
}

function timeRange(issues: Issues, fromText: string | undefined, toText: string | undefined, now: number) {
  const from = fromText === undefined ? undefined : parseDateTime(fromText);
  const to = toText === undefined ? undefined : parseDateTime(toText);
  if (fromText !== undefined && from === undefined) issues.add('from', `must be ${DATE_TIME_HINT}`);
  if (toText !== undefined && to === undefined) issues.add('to', `must be ${DATE_TIME_HINT}`);
  const end = to ?? now;
  const start = from ?? end - LIMITS.defaultRangeMs;
  if (start >= end) {
    issues.add(fromText === undefined ? 'to' : 'from', 'must come before "to" (default: now)');
  } else if (end - start > LIMITS.maxRangeMs) {
    issues.add(fromText === undefined ? 'to' : 'from', 'and "to" may be at most 31 days apart');
  }
  return { from: start, to: end };
}
