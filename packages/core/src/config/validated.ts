// Options are validated once, where they enter (createGatehouse, createAuthProvider, loadConfigFromEnv, or a
// provider's constructor when it is built directly). What a validator returned is marked here, so the
// objects built from it trust it instead of checking it again.
const VALIDATED = new WeakSet<object>();

/** Marks `value` as the output of a validator. @internal */
export function markValidated<T extends object>(value: T): T {
  VALIDATED.add(value);
  return value;
}

/** Whether `value` came out of a validator. @internal */
export function isValidated(value: unknown): boolean {
  return typeof value === 'object' && value !== null && VALIDATED.has(value);
}
