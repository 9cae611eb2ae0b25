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

/**
 * Sends `requests` `whoami`s with `key` to the instances in turn and counts those admitted (200); any
 * other answer must be 429, and the last one is returned (its body unread) for its headers.
 */
export async function admittedInTurn(
  apps: readonly RunningProcess[],
  key: string,
  requests: number,
): Promise<{ admitted: number; refused: Response | undefined; others: number[] }> {
  let admitted = 0;
  let refused: Response | undefined;
  const others: number[] = [];
  for (let n = 0; n < requests; n++) {
    const res = await call(`${apps[n % apps.length]!.url}/v1/whoami`, key);
    if (res.status === 200) admitted++;
    else if (res.status === 429) refused = res;
    else others.push(res.status);
    if (res !== refused) await res.body?.cancel();
  }
  return { admitted, refused, others };
}

/** Fails authentication `attempts` times from `from`, on the instances in turn; returns the statuses. */
export async function failFrom(
  apps: readonly RunningProcess[],
  from: string,
  attempts: number,
): Promise<number[]> {
  const statuses: number[] = [];
  for (let n = 0; n < attempts; n++) {
    const res = await call(`${apps[n % apps.length]!.url}/v1/whoami`, 'wrong-key-123', { from });
    await res.body?.cancel();
    statuses.push(res.status);
  }
  return statuses;
}
