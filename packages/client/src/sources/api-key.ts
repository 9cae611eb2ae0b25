import { ENV, type Env, readVariable } from '../config/env.js';
import { ApiKeyMissingError } from '../errors.js';
import type { TokenSource } from './token-source.js';

/**
 * Options of {@link createApiKeySource}.
 *
 * @example
 * ```ts
 * import type { ApiKeySourceOptions } from '@gatehouse/client';
 * const options: ApiKeySourceOptions = { variable: 'INGESTION_API_KEY' };
 * ```
 */
export interface ApiKeySourceOptions {
  /** The environment variable holding the key. Default `GATEHOUSE_API_KEY`. */
  variable?: string;
  /** The environment to read. Default `process.env`. */
  env?: Env;
}

/**
 * A static API key, read from an environment variable, behind the same {@link TokenSource} interface as the
 * OAuth sources, so that moving a service from keys to client credentials is a configuration change (see
 * {@link createServiceTokenSource}). The variable is read when the source is created; a missing key throws
 * then.
 *
 * @example
 * ```ts
 * import { createApiKeySource, createAuthenticatedFetch } from '@gatehouse/client';
 *
 * const fetchWithKey = createAuthenticatedFetch(createApiKeySource({ variable: 'INGESTION_API_KEY' }));
 * ```
 */
export function createApiKeySource(options: ApiKeySourceOptions = {}): TokenSource {
  const variable = options.variable ?? ENV.apiKey;
  const key = readVariable(variable, options.env);
  if (!key) throw new ApiKeyMissingError(variable);
  // No invalidate(): a static key cannot be renewed, so a 401 is final.
  return { getToken: async () => key };
}
