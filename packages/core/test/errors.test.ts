import { describe, expect, it } from 'vitest';
import { InvalidTokenError, MissingCredentialsError } from '../src/index.js';

describe('AuthError', () => {
  // Capturing a stack trace was the largest cost of answering 401 (see BENCHMARKS.md, invalid tokens).
  it('captures no stack frames, and leaves the global stack limit as it was', () => {
    const limit = Error.stackTraceLimit;
    const err = new InvalidTokenError('invalid token signature', {
      reason: 'signature',
      issuer: 'https://idp',
    });
    expect(err.stack).toBe('InvalidTokenError: invalid token signature');
    expect(new MissingCredentialsError().stack?.split('\n')).toHaveLength(1);
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('other').stack?.split('\n').length).toBeGreaterThan(1);
  });

  it('keeps the cause, with its own stack', () => {
    const cause = new Error('socket hang up');
    const err = new InvalidTokenError('x', { reason: 'malformed', cause });
    expect(err.name).toBe('InvalidTokenError');
    expect(err).toBeInstanceOf(Error);
    expect((err as Error & { cause?: Error }).cause?.stack).toContain('socket hang up');
  });
});
