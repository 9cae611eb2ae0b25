/** Codes of {@link ConfigError}. */
export type ConfigErrorCode = 'missing_config' | 'invalid_config';

/**
 * Configuration that Gatehouse refuses to start with. The message names the environment variable
 * (when the value came from one) and the field.
 *
 * @example
 * ```ts
 * try {
 *   resolveConfig();
 * } catch (err) {
 *   if (err instanceof ConfigError) {
 *     console.error(err.message); // GATEHOUSE_OIDC_CONFIG: "issuers[0].audience" is required
 *     process.exit(1);
 *   }
 *   throw err;
 * }
 * ```
 */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  /** The environment variable at fault, when configuration came from the environment. */
  readonly variable: string | undefined;
  /** The path of the field at fault (`issuers[0].audience`), if one is. */
  readonly field: string | undefined;
  constructor(code: ConfigErrorCode, problem: string, where: { variable?: string; field?: string } = {}) {
    const prefix = where.variable ? `${where.variable}: ` : '';
    const subject = where.field ? `"${where.field}" ` : '';
    super(`${prefix}${subject}${problem}`);
    this.name = 'ConfigError';
    this.code = code;
    this.variable = where.variable;
    this.field = where.field;
  }
}
