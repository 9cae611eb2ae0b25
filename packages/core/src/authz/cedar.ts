/**
 * The Cedar backend: policies (and an optional schema) from files, evaluated in process by the Cedar
 * engine, synchronously. Validated when the backend is built (a bad policy throws, naming file and line);
 * reloaded on SIGHUP or when a file changes, atomically: the new set is parsed and validated beside the
 * serving one, which keeps serving until the new one has passed, and keeps serving if it fails.
 */
import type { FSWatcher } from 'node:fs';
import type { AuditLogger } from '../audit.js';
import { AuthzUnavailableError, ConfigError } from '../errors.js';
import { nodeBuiltin } from '../platform/builtins.js';
import { unrefTimer } from '../platform/timers.js';
import { type CedarEngine, loadCedarEngine } from './cedar-engine.js';
import { cedarRequest } from './cedar-entities.js';
import { CedarPolicyError, readCedarPolicies } from './cedar-policies.js';
import type { ConfigSource } from './rules.js';
import type { AuthzRequest, DecisionPoint, PointAnswer } from './types.js';

/**
 * Options of the Cedar backend.
 *
 * @example
 * ```ts
 * const options: CedarOptions = { policies: ['policies/telemetry.cedar'], schema: 'policies/telemetry.cedarschema' };
 * ```
 */
export interface CedarOptions {
  /** Policy files (`.cedar`), read in this order. */
  readonly policies: readonly string[];
  /** A Cedar schema file (`.cedarschema`): policies are validated against it (strict mode). */
  readonly schema?: string;
  /** A namespace for every entity type (`Telemetry` → `Telemetry::User`). */
  readonly namespace?: string;
  /** Reload when a file changes (default true); SIGHUP reloads either way. */
  readonly watch?: boolean;
  /** Reports `gatehouse.authz.reloaded` and `gatehouse.authz.reload_failed`. */
  readonly logger?: AuditLogger;
}

/**
 * A Cedar {@link DecisionPoint} that can be reloaded by hand too.
 *
 * @example
 * ```ts
 * const point: CedarPoint = createCedarPoint({ policies: ['policies/telemetry.cedar'], watch: false });
 * if (!point.reload()) console.error('the previous policies keep serving');
 * ```
 */
export interface CedarPoint extends DecisionPoint {
  /** Re-reads the files; resolves to whether the new set now serves (the old one serves otherwise). */
  reload(): boolean;
}

let instances = 0;

/**
 * Builds the Cedar backend; throws a `ConfigError` naming the file and line of a bad policy, or the
 * package when `@cedar-policy/cedar-wasm` is not installed.
 *
 * @example
 * ```ts
 * const point = createCedarPoint({ policies: ['policies/telemetry.cedar'], schema: 'policies/telemetry.cedarschema' });
 * ```
 */
export function createCedarPoint(options: CedarOptions, source: ConfigSource = {}): CedarPoint {
  const field = (name: string) => (source.field ? `${source.field}.${name}` : name);
  if (!Array.isArray(options.policies) || options.policies.length === 0) {
    throw new ConfigError('invalid_config', 'must list at least one policy file', {
      variable: source.variable,
      field: field('policies'),
    });
  }
  const engine = loadCedarEngine({ variable: source.variable, field: field('policies') });
  const namespace = options.namespace ? `${options.namespace}::` : '';
  const instance = ++instances;
  let slot = 0;
  let serving = '';
  let version = '';
  let generation = 0;

  // Parses and validates into the slot that is not serving, then switches to it.
  const load = (): void => {
    const set = readCedarPolicies(engine, options.policies, options.schema);
    const next = `gatehouse-${instance}-${slot === 0 ? 1 : 0}`;
    const parsed = engine.preparsePolicySet(next, { staticPolicies: { ...set.policies } });
    if (parsed.type === 'failure')
      throw new CedarPolicyError(
        options.policies.join(', '),
        undefined,
        undefined,
        parsed.errors[0]?.message ?? 'invalid',
      );
    slot = slot === 0 ? 1 : 0;
    serving = next;
    version = `cedar:${++generation}:${set.digest}`;
  };
  try {
    load();
  } catch (err) {
    if (!(err instanceof CedarPolicyError)) throw err;
    throw new ConfigError('invalid_config', `bad Cedar policy set: ${err.message}`, {
      variable: source.variable,
      field: field(err.file === options.schema ? 'schema' : 'policies'),
    });
  }

  const reload = (): boolean => {
    try {
      load();
      options.logger?.info(
        { event: 'gatehouse.authz.reloaded', backend: 'cedar', version },
        'Cedar policies reloaded',
      );
      return true;
    } catch (err) {
      options.logger?.warn(
        { event: 'gatehouse.authz.reload_failed', backend: 'cedar', version, reason: (err as Error).message },
        'Cedar policies not reloaded; the previous set keeps serving',
      );
      return false;
    }
  };
  const stop = watchFiles(
    [...options.policies, ...(options.schema ? [options.schema] : [])],
    options.watch !== false,
    reload,
  );

  const evaluate = (request: AuthzRequest): PointAnswer => decide(engine, serving, request, namespace);
  return {
    backend: 'cedar',
    get version() {
      return version;
    },
    evaluate,
    evaluateMany: (requests) => requests.map(evaluate),
    reload,
    close: stop,
  };
}

function decide(engine: CedarEngine, serving: string, request: AuthzRequest, namespace: string): PointAnswer {
  const answer = engine.statefulIsAuthorized({
    ...cedarRequest(request, namespace),
    preparsedPolicySetId: serving,
  });
  if (answer.type === 'failure') {
    throw new AuthzUnavailableError('cedar', 'engine', {
      cause: new Error(answer.errors[0]?.message ?? 'failed'),
    });
  }
  const { decision, diagnostics } = answer.response;
  return { allowed: decision === 'allow', policies: diagnostics.reason };
}

// SIGHUP always; file changes when asked. Watching the directories survives editors that replace a file
// (rename over it). Nothing here keeps the process alive.
function watchFiles(files: readonly string[], onChange: boolean, reload: () => void): () => void {
  const hangup = () => reload();
  process.on('SIGHUP', hangup);
  const watchers: FSWatcher[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Loaded here, not by a static import: core also loads where node:fs and node:path do not exist, and
  // policies read from files (this backend) run only where they do.
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
  const path = nodeBuiltin<typeof import('node:path')>('node:path');
  if (onChange && fs !== undefined && path !== undefined) {
    const byDir = new Map<string, Set<string>>();
    for (const file of files) {
      const dir = path.dirname(path.resolve(file));
      byDir.set(dir, (byDir.get(dir) ?? new Set()).add(path.basename(file)));
    }
    for (const [dir, names] of byDir) {
      const watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
        if (name !== null && !names.has(name.toString())) return;
        clearTimeout(timer);
        timer = unrefTimer(setTimeout(reload, 50));
      });
      watcher.on('error', () => {});
      watchers.push(watcher);
    }
  }
  return () => {
    process.off('SIGHUP', hangup);
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
