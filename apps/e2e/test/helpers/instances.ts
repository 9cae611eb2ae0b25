/**
 * Requests to several app instances that share one Redis (contract, "Many instances, one truth"). The
 * apps run with GATEHOUSE_TRUST_PROXY=1 and every request comes from an address of its own unless it
 * names one, so that the 401s a test provokes on purpose never get 127.0.0.1 blocked by the failed-auth
 * throttle.
 */
import type { RunningProcess } from './processes.js';

let address = 0;

/** A request with `Authorization: Bearer <key>` (when given) from a fresh address, or from `from`. */
export function call(
  url: string,
  key: string | undefined,
  init: RequestInit & { from?: string } = {},
): Promise<Response> {
  address++;
  const headers: Record<string, string> = {
    'x-forwarded-for': init.from ?? `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`,
    ...(init.headers as Record<string, string>),
  };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  return fetch(url, { ...init, headers });
}

/** `GET /v1/whoami`'s status on `app` with `key`. */
export async function whoamiStatus(app: RunningProcess, key: string): Promise<number> {
  const res = await call(`${app.url}/v1/whoami`, key);
  await res.body?.cancel();
  return res.status;
}

/** `whoamiStatus` on every instance, in order. */
export function statusesOf(apps: readonly RunningProcess[], key: string): Promise<number[]> {
  return Promise.all(apps.map((app) => whoamiStatus(app, key)));
}

/** `POST /v1/admin/revocations` with `body`, as the admin key `adminKey`. */
export function revoke(app: RunningProcess, adminKey: string, body: unknown): Promise<Response> {
  return call(`${app.url}/v1/admin/revocations`, adminKey, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
