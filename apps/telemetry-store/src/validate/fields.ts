/**
 * Small checks shared by the batch and query validators. Each returns the value when it fits, or records
 * an issue (the field's path and the problem) and returns undefined.
 */
import { MAX_REPORTED_ISSUES, ValidationError, type ValidationIssue } from '../errors.js';
import { LIMITS } from '../limits.js';
import type { Attributes } from '../records.js';

/** Raised internally once enough issues are collected: the rest of the input is not worth reading. */
class EnoughIssues extends Error {}

/** Collects issues; `finish()` throws a {@link ValidationError} when there is any. */
export class Issues {
  readonly list: ValidationIssue[] = [];

  add(field: string, problem: string): undefined {
    this.list.push({ field, problem });
    if (this.list.length >= MAX_REPORTED_ISSUES) throw new EnoughIssues();
    return undefined;
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** Runs `check`, then throws if anything was wrong. */
  static collect<T>(check: (issues: Issues) => T): T {
    const issues = new Issues();
    let result: T;
    try {
      result = check(issues);
    } catch (err) {
      if (!(err instanceof EnoughIssues)) throw err;
      throw new ValidationError(issues.list);
    }
    if (!issues.empty) throw new ValidationError(issues.list);
    return result;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The first problem with a string's characters, if any: control characters (other than tab and line
 * breaks where `multiline`) make logs and terminals lie; NUL breaks C string handling downstream; a lone
 * surrogate cannot be stored as UTF-8.
 */
function characterProblem(value: string, multiline: boolean): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      if (multiline && (c === 0x09 || c === 0x0a || c === 0x0d)) continue;
      return 'contains control characters';
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return 'contains invalid UTF-16';
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return 'contains invalid UTF-16';
    }
  }
  return undefined;
}

export interface TextRule {
  min?: number;
  max: number;
  /** Allow tabs and line breaks (log messages). Other control characters are always refused. */
  multiline?: boolean;
  pattern?: RegExp;
  patternHint?: string;
}

export function text(issues: Issues, field: string, value: unknown, rule: TextRule): string | undefined {
  if (typeof value !== 'string') return issues.add(field, 'must be a string');
  const min = rule.min ?? 1;
  if (value.length < min)
    return issues.add(field, min === 1 ? 'must not be empty' : `needs ${min}+ characters`);
  if (value.length > rule.max) return issues.add(field, `must be at most ${rule.max} characters`);
  const problem = characterProblem(value, rule.multiline ?? false);
  if (problem) return issues.add(field, problem);
  if (rule.pattern && !rule.pattern.test(value)) return issues.add(field, `must be ${rule.patternHint}`);
  return value;
}

/** `processId`: letters, digits and `._:-`, starting with a letter or digit. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const ID_HINT = 'letters, digits and . _ : - (starting with a letter or digit)';

export function identifier(issues: Issues, field: string, value: unknown): string | undefined {
  return text(issues, field, value, { max: LIMITS.maxIdLength, pattern: ID_PATTERN, patternHint: ID_HINT });
}

/** Metric names: `http.requests`, `memory_rss`, `queue/depth`. */
export const METRIC_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.:/-]*$/;
export const METRIC_NAME_HINT = 'letters, digits and _ . : / - (starting with a letter or _)';

export function integer(
  issues: Issues,
  field: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return issues.add(field, 'must be an integer');
  if (value < min || value > max) return issues.add(field, `must be between ${min} and ${max}`);
  return value;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-](\d{2}):(\d{2}))$/i;

/**
 * An RFC 3339 date-time with an explicit offset (`2025-06-01T12:00:00Z`, `…+02:00`), as epoch ms, or
 * undefined when it is not one. Fractions beyond milliseconds are truncated.
 */
export function parseDateTime(value: string): number | undefined {
  const m = DATE_TIME.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  let offset = 0;
  if (m[8]!.toUpperCase() !== 'Z') {
    const hours = Number(m[9]);
    const minutes = Number(m[10]);
    if (hours > 23 || minutes > 59) return undefined;
    offset = (m[8]!.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  return utc.getTime() - offset;
}

export const DATE_TIME_HINT = 'an RFC 3339 date-time with a time zone, e.g. 2025-06-01T12:00:00Z';

/** A record timestamp: an RFC 3339 string from 2000 on, at most {@link LIMITS.maxFutureSkewMs} ahead. */
export function timestamp(issues: Issues, field: string, value: unknown, now: number): number | undefined {
  if (typeof value !== 'string') return issues.add(field, `must be ${DATE_TIME_HINT}`);
  const ms = parseDateTime(value);
  if (ms === undefined) return issues.add(field, `must be ${DATE_TIME_HINT}`);
  if (ms < LIMITS.minTimestampMs) return issues.add(field, 'must not be before 2000-01-01T00:00:00Z');
  if (ms > now + LIMITS.maxFutureSkewMs)
    return issues.add(field, 'must not be more than 1 hour in the future');
  return ms;
}

const ATTRIBUTE_KEY = /^[A-Za-z0-9_.-]+$/;

export function attributes(issues: Issues, field: string, value: unknown): Attributes | undefined {
  if (!isPlainObject(value)) return issues.add(field, 'must be an object');
  const entries = Object.entries(value);
  if (entries.length > LIMITS.maxAttributes) {
    return issues.add(field, `must have at most ${LIMITS.maxAttributes} entries`);
  }
  const out: Record<string, string | number | boolean> = {};
  for (const [key, item] of entries) {
    if (key.length > LIMITS.maxAttributeKeyLength || !ATTRIBUTE_KEY.test(key)) {
      issues.add(
        `${field}`,
        `keys must be 1 to ${LIMITS.maxAttributeKeyLength} letters, digits or _ . - (one is not)`,
      );
      continue;
    }
    const path = `${field}.${key}`;
    if (typeof item === 'string') {
      const checked = text(issues, path, item, { min: 0, max: LIMITS.maxAttributeValueLength });
      if (checked !== undefined) out[key] = checked;
    } else if (typeof item === 'boolean' || (typeof item === 'number' && Number.isFinite(item))) {
      out[key] = item;
    } else {
      issues.add(path, 'must be a string, a finite number or a boolean');
    }
  }
  return out;
}

/** Refuses keys outside `allowed` (a typo must not be silently dropped). */
export function knownKeys(
  issues: Issues,
  field: string,
  value: Record<string, unknown>,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      issues.add(field ? `${field}.${safeKey(key)}` : safeKey(key), 'is not a known field');
  }
}

/** A key quoted in an error message, shortened and stripped of anything odd. */
export function safeKey(key: string): string {
  const clean = key.replace(/[^A-Za-z0-9_.:-]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean || '?';
}
