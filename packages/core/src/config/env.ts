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

/** A variable's trimmed text; undefined when unset or blank. */
export function readText(env: EnvRecord, variable: string): string | undefined {
  const value = env[variable]?.trim();
  return value ? value : undefined;
}

/**
 * A variable's JSON; undefined when unset or blank. The parse error's text is not repeated: it would quote
 * the value, which may hold secrets.
 */
export function readJson(env: EnvRecord, variable: string): unknown {
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
  const value = readText(env, variable)?.toLowerCase();
  if (value === undefined) return undefined;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new ConfigError('invalid_config', `must be 1 (or true) ${meaning}, 0 (or unset) otherwise`, {
    variable,
  });
}
