import { afterAll, beforeAll } from 'vitest';
import { type BackendChoice, useVerificationBackend } from '../../src/index.js';

/** The two signature backends every JWS, JWKS and DPoP check runs against, with the same answers. */
export const BACKENDS = ['node', 'webcrypto'] as const satisfies readonly BackendChoice[];

/** Forces `backend` for the keys imported by the enclosing `describe`'s tests, then restores `auto`. */
export function useBackendIn(backend: BackendChoice): void {
  beforeAll(() => useVerificationBackend(backend));
  afterAll(() => useVerificationBackend('auto'));
}
