/**
 * How every validator of the configuration reads a value and fails: one `Checker`, told where the value
 * came from (an environment variable in snake_case, or options in camelCase under a prefix), so that each
 * error names the variable and the field the way the user wrote them.
 */
import { ConfigError } from '../errors.js';

/** Where a value came from, and how its fields are spelled there. */
export interface Spelling {
  /** The environment variable the value came from, if any. */
  readonly variable?: string;
  /** Prefix of field paths (e.g. `oidc.` for nested programmatic options). */
  readonly prefix?: string;
  /** External names of the fields, by camelCase name (snake_case in the environment). */
  readonly names?: Readonly<Record<string, string>>;
}

/** Reads and checks configuration values, throwing a {@link ConfigError} that names the field. */
export class Checker {
  constructor(readonly spelling: Spelling) {}

  /** The spelling of a camelCase field where the value came from. */
  name(field: string): string {
    return this.spelling.names?.[field] ?? field;
  }

  fail(path: string, problem: string): never {
    throw new ConfigError('invalid_config', problem, {
      variable: this.spelling.variable,
      field: path
        ? `${this.spelling.prefix ?? ''}${path}`
        : this.spelling.prefix?.replace(/\.$/, '') || undefined,
    });
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      this.fail(path, 'must be an object');
    return value as Record<string, unknown>;
  }

  nonEmptyString(value: unknown, path: string): string {
    if (value === undefined || value === null) this.fail(path, 'is required');
    if (typeof value !== 'string') this.fail(path, 'must be a string');
    if (value.trim().length === 0) this.fail(path, 'must not be empty');
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') this.fail(path, 'must be true or false');
    return value;
  }

  integer(value: unknown, path: string, min: number, max: number): number {
    if (value === undefined || value === null) this.fail(path, 'is required');
    if (typeof value !== 'number' || !Number.isInteger(value)) this.fail(path, 'must be an integer');
    if (value < min || value > max) this.fail(path, `must be between ${min} and ${max}`);
    return value;
  }

  list(value: unknown, path: string, { nonEmpty }: { nonEmpty: boolean }): unknown[] {
    if (value === undefined || value === null) this.fail(path, 'is required');
    if (!Array.isArray(value)) this.fail(path, 'must be an array');
    if (nonEmpty && value.length === 0) this.fail(path, 'must not be empty');
    return value;
  }

  noUnknownFields(
    value: Record<string, unknown>,
    path: string,
    known: readonly string[],
    ignored?: ReadonlySet<string>,
  ): void {
    const allowed = new Set(known.map((k) => this.name(k)));
    for (const key of Object.keys(value)) {
      if (!allowed.has(key) && !ignored?.has(key)) this.fail(join(path, key), 'is not a known field');
    }
  }
}

/** `a.b`, or `b` at the top. */
export function join(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}
