/**
 * The only reader of the environment: which record the variables come from, and how one variable is read
 * (text, JSON or a flag). What each variable means is the field table's (`fields.ts`).
 */
import { ConfigError } from '../errors.js';
import type { EnvRecord } from './options.js';

/**
 * `process.env` where the runtime has one (Node, Bun, Deno with its Node compatibility), else an empty
 * record (a Worker passes its `env` bindings as the `env` option instead).
 */
export function processEnv(): EnvRecord {
  const proc = (globalThis as { process?: { env?: EnvRecord } }).process;
  return proc?.env ?? {};
}

/** A variable's trimmed text; undefined when unset or blank; a binding that is not text names the variable. */
export function readText(env: EnvRecord, variable: string): string | undefined {
  const value = env[variable];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new ConfigError('invalid_config', `must be text, not ${describe(value)}`, { variable });
  }
  const text = value.trim();
  return text ? text : undefined;
}

/**
 * A variable's JSON; undefined when unset or blank. A Worker's JSON `vars` entry arrives parsed, and is
 * taken as it is. The parse error's text is not repeated: it would quote the value, which may hold secrets.
 */
export function readJson(env: EnvRecord, variable: string): unknown {
  const value = env[variable];
  if (value !== undefined && value !== null && typeof value !== 'string') return value;
  const raw = readText(env, variable);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new ConfigError('invalid_config', 'is not valid JSON', { variable });
  }
}

/** A flag: `1`/`true` or `0`/`false`; undefined when unset or blank; anything else names the variable. */
export function readFlag(env: EnvRecord, variable: string, meaning: string): boolean | undefined {
  const given = env[variable];
  // A Worker's JSON `vars` entry: `true` or `false` as such.
  if (typeof given === 'boolean') return given;
  const value = readText(env, variable)?.toLowerCase();
  if (value === undefined) return undefined;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new ConfigError('invalid_config', `must be 1 (or true) ${meaning}, 0 (or unset) otherwise`, {
    variable,
  });
}

// What kind of value a binding holds, never the value itself (it may be a secret).
function describe(value: unknown): string {
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
