/**
 * Loads the Cedar engine, `@cedar-policy/cedar-wasm` (an optional peer dependency: only services that
 * choose the Cedar backend install it, and core stays light for everyone else). Its Node build is
 * CommonJS and instantiates its WebAssembly synchronously, so the engine loads (and policies are
 * validated) while the gate is built: a bad policy stops start-up there and then.
 */
import { ConfigError } from '../errors.js';
import { loadOptionalPackage } from '../pipeline/optional-package.js';

/**
 * The Cedar engine's package: an optional peer dependency, installed by services that use Cedar.
 *
 * @example
 * ```ts
 * console.log(`npm install ${CEDAR_PACKAGE}`);
 * ```
 */
export const CEDAR_PACKAGE = '@cedar-policy/cedar-wasm';

/** A Cedar error as the engine reports it (offsets into the text it was given). */
export interface CedarDetailedError {
  readonly message: string;
  readonly help: string | null;
  readonly sourceLocations?: readonly { readonly start: number; readonly end: number }[];
}

type Failure = { readonly type: 'failure'; readonly errors: readonly CedarDetailedError[] };

/** The part of the engine's API Gatehouse uses. @internal */
export interface CedarEngine {
  getCedarVersion(): string;
  checkParsePolicySet(policies: { staticPolicies: string }): { readonly type: 'success' } | Failure;
  checkParseSchema(schema: string): { readonly type: 'success' } | Failure;
  policySetTextToParts(text: string):
    | {
        readonly type: 'success';
        readonly policies: readonly string[];
        readonly policy_templates: readonly string[];
      }
    | Failure;
  validate(call: {
    schema: string;
    policies: { staticPolicies: string };
    validationSettings: { mode: 'strict' };
  }):
    | {
        readonly type: 'success';
        readonly validationErrors: readonly {
          readonly policyId: string;
          readonly error: CedarDetailedError;
        }[];
      }
    | Failure;
  preparsePolicySet(
    id: string,
    policies: { staticPolicies: Record<string, string> },
  ): { readonly type: 'success' } | Failure;
  statefulIsAuthorized(call: {
    principal: CedarUid;
    action: CedarUid;
    resource: CedarUid;
    context: Record<string, unknown>;
    preparsedPolicySetId: string;
    entities: readonly CedarEntity[];
  }):
    | {
        readonly type: 'success';
        readonly response: {
          readonly decision: 'allow' | 'deny';
          readonly diagnostics: { readonly reason: readonly string[] };
        };
      }
    | Failure;
}

/** An entity reference. @internal */
export interface CedarUid {
  readonly type: string;
  readonly id: string;
}

/** An entity with its attributes. @internal */
export interface CedarEntity {
  readonly uid: CedarUid;
  readonly attrs: Record<string, unknown>;
  readonly parents: readonly CedarUid[];
}

let engine: CedarEngine | undefined;

/**
 * The Cedar engine, loaded once per process; a `ConfigError` naming the package when it is not installed.
 * @internal
 */
export function loadCedarEngine(where: { variable?: string; field?: string } = {}): CedarEngine {
  if (engine !== undefined) return engine;
  let loaded: unknown;
  try {
    loaded = loadOptionalPackage(`${CEDAR_PACKAGE}/nodejs`);
  } catch (cause) {
    throw new ConfigError(
      'invalid_config',
      `the Cedar engine (${CEDAR_PACKAGE}) failed to load: ${(cause as Error).message}`,
      where,
    );
  }
  if (loaded === undefined) {
    throw new ConfigError(
      'missing_config',
      `the Cedar backend needs the package ${CEDAR_PACKAGE}: npm install ${CEDAR_PACKAGE}`,
      where,
    );
  }
  engine = loaded as CedarEngine;
  return engine;
}
