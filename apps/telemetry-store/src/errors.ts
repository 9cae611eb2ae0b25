/** One problem with a client's input: the field (a JSON path or a query parameter) and what is wrong. */
export interface ValidationIssue {
  readonly field: string;
  readonly problem: string;
}

/**
 * Client input that does not fit (a 400). The message names the first field at fault; `issues` lists up to
 * {@link MAX_REPORTED_ISSUES} of them. Messages never quote the input itself.
 */
export class ValidationError extends Error {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[]) {
    const first = issues[0] ?? { field: '(input)', problem: 'is invalid' };
    super(`"${first.field}" ${first.problem}`);
    this.name = 'ValidationError';
    this.issues = issues;
  }

  /** The first field at fault. */
  get field(): string {
    return this.issues[0]?.field ?? '(input)';
  }
}

/** Validation stops collecting after this many issues (the rest of the input is not looked at). */
export const MAX_REPORTED_ISSUES = 10;

/** The database is missing, from a newer schema, or unusable: a start-up failure, not a client error. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}
