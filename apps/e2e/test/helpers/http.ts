/** Small HTTP helpers shared by the e2e tests. */
import { request } from 'node:http';
import { expect } from 'vitest';

// biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely
export type Json = Record<string, any>;

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function getJson(url: string, headers: Record<string, string> = {}, init: RequestInit = {}) {
  const res = await fetch(url, { ...init, headers: { ...headers, ...(init.headers as object) } });
  const text = await res.text();
  let body: Json | undefined;
  try {
    body = JSON.parse(text) as Json;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** A 401 with an RFC 6750 challenge; `error` is the challenge's `error` parameter, if any. */
export function expectChallenge(
  res: { status: number; headers: Headers; body?: Json },
  error?: 'invalid_token' | 'invalid_request',
): void {
  expect(res.status).toBe(error === 'invalid_request' ? 400 : 401);
  const challenge = res.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer realm="[^"]+"/);
  if (error) expect(challenge).toContain(`error="${error}"`);
  else expect(challenge).not.toContain('error=');
  expect(res.body).toMatchObject({ error: expect.any(String), error_description: expect.any(String) });
}

/** A raw request with repeated headers (fetch folds them into one). */
export function rawRequest(
  url: string,
  headers: [string, string][],
  method = 'GET',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const flat = headers.flat();
    const req = request(url, { method, headers: flat }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
