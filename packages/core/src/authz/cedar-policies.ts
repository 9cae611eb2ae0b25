import { nodeBuiltin } from '../platform/builtins.js';
import type { CedarDetailedError, CedarEngine } from './cedar-engine.js';
import { shortDigest } from './digest.js';

// Loaded without a static import: core also loads where there is no file system (workerd).
const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');

/**
 * A Cedar policy set read from files, parsed and (with a schema) validated: each policy is named by its
 * `@id("…")` annotation, else `<file>#<n>` (its position in its file), so audit lines say which decided.
 * @internal
 */
export interface CedarPolicySet {
  readonly policies: Readonly<Record<string, string>>;
  /** A digest of every file's text: equal texts, equal version. */
  readonly digest: string;
}

/** Why a policy set was refused: the file, line and column, and Cedar's message. */
export class CedarPolicyError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    detail: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}:${column}`}: ${detail}`);
    this.name = 'CedarPolicyError';
  }
}

/**
 * Reads and checks `files` (and the optional schema file). Throws a {@link CedarPolicyError} naming the
 * file and line of the first problem: a syntax error, or (with a schema) a policy the schema refutes.
 * @internal
 */
export function readCedarPolicies(
  engine: CedarEngine,
  files: readonly string[],
  schemaFile: string | undefined,
): CedarPolicySet {
  let schema: string | undefined;
  if (schemaFile !== undefined) {
    schema = readText(schemaFile);
    const parsed = engine.checkParseSchema(schema);
    if (parsed.type === 'failure') throw located(schemaFile, schema, parsed.errors[0]);
  }
  const policies: Record<string, string> = {};
  let digest = schema ?? '';
  for (const file of files) {
    const text = readText(file);
    digest += `\u0000${file}\u0000${text}`;
    const parsed = engine.checkParsePolicySet({ staticPolicies: text });
    if (parsed.type === 'failure') throw located(file, text, parsed.errors[0]);
    if (schema !== undefined) {
      const checked = engine.validate({
        schema,
        policies: { staticPolicies: text },
        validationSettings: { mode: 'strict' },
      });
      if (checked.type === 'failure') throw located(file, text, checked.errors[0]);
      const first = checked.validationErrors[0];
      if (first !== undefined) throw located(file, text, first.error);
    }
    const parts = engine.policySetTextToParts(text);
    if (parts.type === 'failure') throw located(file, text, parts.errors[0]);
    if (parts.policy_templates.length > 0) {
      throw new CedarPolicyError(file, undefined, undefined, 'policy templates are not supported');
    }
    parts.policies.forEach((policy, n) => {
      const name = ID_ANNOTATION.exec(policy)?.[1] ?? `${file}#${n}`;
      if (Object.hasOwn(policies, name)) {
        throw new CedarPolicyError(file, undefined, undefined, `two policies are named ${name}`);
      }
      policies[name] = policy;
    });
  }
  if (Object.keys(policies).length === 0) {
    throw new CedarPolicyError(
      files.join(', '),
      undefined,
      undefined,
      'no policy found: every request would be denied',
    );
  }
  return { policies, digest: shortDigest(digest) };
}

// `@id("…")` among the annotations that lead a policy.
const ID_ANNOTATION = /^(?:\s*@\w+(?:\("(?:[^"\\]|\\.)*"\))?)*?\s*@id\("((?:[^"\\]|\\.)+)"\)/;

function readText(file: string): string {
  if (fs === undefined) {
    throw new CedarPolicyError(
      file,
      undefined,
      undefined,
      'cannot be read (this runtime has no file system)',
    );
  }
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CedarPolicyError(
      file,
      undefined,
      undefined,
      `cannot be read (${(cause as { code?: string }).code ?? 'error'})`,
    );
  }
}

function located(file: string, text: string, error: CedarDetailedError | undefined): CedarPolicyError {
  const detail = error ? `${error.message}${error.help ? ` (${error.help})` : ''}` : 'invalid';
  const offset = error?.sourceLocations?.[0]?.start;
  if (offset === undefined) return new CedarPolicyError(file, undefined, undefined, detail);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return new CedarPolicyError(file, line, column, detail);
}
