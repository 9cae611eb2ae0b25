import { describe, expect, it } from 'vitest';
import { collectBatch } from '../src/collect.js';
import { SenderConfigError, senderConfigFromEnv } from '../src/config.js';

const clientCredentials = {
  GATEHOUSE_OIDC_ISSUER: 'http://127.0.0.1:4400',
  GATEHOUSE_OIDC_CLIENT_ID: 'gatehouse-service',
  GATEHOUSE_OIDC_CLIENT_SECRET: 'gatehouse-service-dev-secret',
};

describe('senderConfigFromEnv', () => {
  it('prefers an API key and defaults to one batch to the local ingestion app', () => {
    const config = senderConfigFromEnv({ GATEHOUSE_INGESTION_API_KEY: 'k', ...clientCredentials });
    expect(config).toMatchObject({
      credentials: { kind: 'api_key', variable: 'GATEHOUSE_INGESTION_API_KEY' },
      batches: 1,
      intervalSecs: 10,
    });
    expect(config.ingestionUrl.href).toBe('http://127.0.0.1:4401/');
  });

  it('reads client credentials with an optional audience and scope', () => {
    const config = senderConfigFromEnv({
      ...clientCredentials,
      GATEHOUSE_OIDC_AUDIENCE: 'urn:gatehouse:example-api',
      SENDER_BATCHES: '0',
    });
    expect(config.credentials).toEqual({
      kind: 'client_credentials',
      issuer: 'http://127.0.0.1:4400',
      clientId: 'gatehouse-service',
      clientSecret: 'gatehouse-service-dev-secret',
      audience: 'urn:gatehouse:example-api',
    });
    expect(config.batches).toBe(0);
  });

  it.each([
    [{}, /no credentials: set GATEHOUSE_INGESTION_API_KEY/],
    [{ GATEHOUSE_OIDC_ISSUER: 'http://127.0.0.1:4400' }, /GATEHOUSE_OIDC_CLIENT_ID is required/],
    [{ ...clientCredentials, INGESTION_URL: 'http://ingest.example.com' }, /INGESTION_URL must be https/],
    [{ ...clientCredentials, INGESTION_URL: 'not a url' }, /INGESTION_URL must be a URL/],
    [
      { ...clientCredentials, SENDER_INTERVAL_SECS: '0' },
      /SENDER_INTERVAL_SECS must be a whole number of at least 1/,
    ],
  ])('refuses %o, naming the variable', (env, message) => {
    expect(() => senderConfigFromEnv(env)).toThrow(SenderConfigError);
    expect(() => senderConfigFromEnv(env)).toThrow(message);
  });

  it('never puts a secret in its messages', () => {
    try {
      senderConfigFromEnv({ ...clientCredentials, GATEHOUSE_OIDC_CLIENT_ID: '', INGESTION_URL: 'ftp://x' });
    } catch (err) {
      expect((err as Error).message).not.toContain('dev-secret');
    }
  });
});

describe('collectBatch', () => {
  it('describes the process and a few runtime metrics', () => {
    const batch = collectBatch('sender.test', 3, new Date('2026-06-01T12:00:00Z'));
    expect(batch.processes[0]).toMatchObject({ processId: 'sender.test', pid: process.pid });
    expect(batch.logs[0]).toMatchObject({
      message: 'telemetry batch 3',
      timestamp: '2026-06-01T12:00:00.000Z',
    });
    expect(batch.metrics.map((m) => m.name)).toContain('process.memory.rss');
  });
});
