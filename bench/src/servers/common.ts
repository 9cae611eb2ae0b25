import type { GatehouseOptions, ObservabilityOptions } from '@gatehouse/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { ServerConfig } from '../fixture.js';

/** The algorithms every peer is told to accept (the key server publishes one RS256 and one ES256 key). */
export const ALGORITHMS = ['RS256', 'ES256'];

/** Auth0's documented jwks-rsa settings, the same for every peer that uses jwks-rsa. */
export const jwksOptions = (config: ServerConfig) => ({
  jwksUri: config.jwksUri,
  cache: true,
  rateLimit: true,
  jwksRequestsPerMinute: 5,
});

/** The configuration every Gatehouse variant uses: the run's API key and the one issuer, nothing from the environment. */
export const gatehouseConfig = (config: ServerConfig): GatehouseOptions => ({
  apiKeys: [{ name: config.apiKeyName, key: config.apiKey }],
  oidc: { issuers: [{ issuer: config.issuer, audience: config.audience }] },
  env: false,
});

/**
 * Metrics on: a real OpenTelemetry SDK `MeterProvider` read by the Prometheus exporter (its server not
 * started), as the example apps set it up. The "metrics off" variants install nothing, so Gatehouse's
 * instruments are the API's no-ops.
 */
export function metricsOn(): ObservabilityOptions {
  const reader = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  return { meterProvider: new MeterProvider({ readers: [reader] }) };
}
