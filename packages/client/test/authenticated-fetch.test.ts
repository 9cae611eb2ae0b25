import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiKeySource, createAuthenticatedFetch, type TokenSource } from '../src/index.js';
import { startTestService, type TestService } from './helpers/service.js';

/** A source handing out token-1, token-2… and counting renewals. */
function countingSource(): TokenSource & { renewals: number } {
  let current = 1;
  let stale = false;
  const source = {
    renewals: 0,
    async getToken() {
      if (stale) {
        stale = false;
        current += 1;
        source.renewals += 1;
      }
      return `token-${current}`;
    },
    invalidate(token: string) {
      if (token === `token-${current}`) stale = true;
    },
  };
  return source;
}

let service: TestService;
beforeEach(async () => {
  service = await startTestService({
    apiKeys: { 'svc-a': 'token-1', 'svc-b': 'token-2', legacy: 'key-123' },
  });
});
afterEach(async () => {
  await service.close();
});

describe('createAuthenticatedFetch', () => {
  it('adds Authorization: Bearer', async () => {
    const res = await createAuthenticatedFetch(countingSource())(`${service.url}/v1/whoami`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ subject: 'svc-a' });
    expect(service.hits.map((h) => h.authorization)).toEqual(['Bearer token-1']);
  });

  it('on a 401, renews the token once and retries once, with the same body', async () => {
    const source = countingSource();
    service.rejectNext(1);
    const res = await createAuthenticatedFetch(source)(`${service.url}/ingest`, {
      method: 'POST',
      body: 'payload-1',
    });
    expect(res.status).toBe(200);
    expect(source.renewals).toBe(1);
    expect(service.hits.map((h) => [h.authorization, h.body, h.status])).toEqual([
      ['Bearer token-1', 'payload-1', 401],
      ['Bearer token-2', 'payload-1', 200],
    ]);
  });

  it('never loops: a second 401 is returned to the caller', async () => {
    const source = countingSource();
    service.rejectNext(5);
    const res = await createAuthenticatedFetch(source)(`${service.url}/v1/whoami`);
    expect(res.status).toBe(401);
    expect(service.hits).toHaveLength(2);
    expect(source.renewals).toBe(1);
  });

  it('does not retry when the source cannot renew (a static API key)', async () => {
    const source = createApiKeySource({ variable: 'KEY', env: { KEY: 'key-123' } });
    service.rejectNext(1);
    const res = await createAuthenticatedFetch(source)(`${service.url}/v1/whoami`);
    expect(res.status).toBe(401);
    expect(service.hits).toHaveLength(1);
  });

  it('concurrent 401s with the same token lead to one renewal', async () => {
    const source = countingSource();
    service.rejectNext(3);
    const authed = createAuthenticatedFetch(source);
    const results = await Promise.all([1, 2, 3].map(() => authed(`${service.url}/v1/whoami`)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(source.renewals).toBe(1);
  });
});
