import { type Env, type ServiceSourceConfig, serviceSourceConfigFromEnv } from '../config/env.js';
import { InvalidOptionsError } from '../errors.js';
import { createOidcClient, type OidcClientOptions } from '../oidc/client.js';
import { createApiKeySource } from './api-key.js';
import { type ClientCredentialsSourceOptions, createClientCredentialsSource } from './client-credentials.js';
import type { TokenSource } from './token-source.js';

/**
 * Builds a service's token source from configuration: a static API key or client credentials, behind one
 * interface.
 *
 * @example
 * ```ts
 * import { createServiceTokenSource } from '@gatehouse/client';
 *
 * const source = createServiceTokenSource({
 *   type: 'client_credentials',
 *   issuer: 'https://idp.example.com',
 *   clientId: 'billing-service',
 *   clientSecret: process.env.BILLING_CLIENT_SECRET ?? '',
 *   audience: 'urn:gatehouse:example-api',
 * });
 * ```
 */
export function createServiceTokenSource(
  config: ServiceSourceConfig,
  options: {
    env?: Env;
    client?: Partial<OidcClientOptions>;
    source?: ClientCredentialsSourceOptions;
  } = {},
): TokenSource {
  if (config.type === 'api_key') return createApiKeySource({ variable: config.variable, env: options.env });
  const client = createOidcClient({
    ...options.client,
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    ...(config.scope ? { scope: config.scope } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
    ...(config.tokenEndpoint ? { tokenEndpoint: config.tokenEndpoint } : {}),
  });
  return createClientCredentialsSource(client, options.source);
}

/**
 * The service token source configured by the environment (see {@link serviceSourceConfigFromEnv}): switching
 * a service from `GATEHOUSE_API_KEY` to client credentials only changes variables.
 *
 * @example
 * ```ts
 * import { createAuthenticatedFetch, serviceTokenSourceFromEnv } from '@gatehouse/client';
 *
 * const fetchWithAuth = createAuthenticatedFetch(serviceTokenSourceFromEnv());
 * ```
 */
export function serviceTokenSourceFromEnv(env: Env = process.env): TokenSource {
  const config = serviceSourceConfigFromEnv(env);
  if (typeof config === 'string')
    throw new InvalidOptionsError('environment', `No service credentials: ${config}`);
  return createServiceTokenSource(config, { env });
}
