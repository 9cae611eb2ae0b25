import { request } from 'node:http';
import type { ServerConfig } from '../fixture.js';
import type { KeyServer } from '../key-server.js';
import { startServer, stopProcess } from './processes.js';

export interface ColdStartResult {
  readonly variant: string;
  readonly concurrency: number;
  readonly discoveryFetches: number;
  readonly jwksFetches: number;
  readonly statuses: Record<string, number>;
  readonly elapsedMs: number;
}

function get(url: string, authorization: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${url}/v1/whoami`, { headers: { authorization }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/**
 * A freshly started server (nothing fetched yet) receives `concurrency` requests at once, each with a
 * distinct valid token, while the issuer answers after `delayMs` (a remote issuer's latency). Counts the
 * discovery and JWKS fetches the key server saw: the target is one of each per issuer.
 */
export async function coldStart(
  variant: string,
  config: ServerConfig,
  keyServer: KeyServer,
  tokens: readonly string[],
  concurrency = 500,
  delayMs = 100,
): Promise<ColdStartResult> {
  const server = await startServer(variant, config);
  try {
    keyServer.resetHits();
    keyServer.delayMs = delayMs;
    const started = Date.now();
    const statuses: Record<string, number> = {};
    const codes = await Promise.all(
      Array.from({ length: concurrency }, (_, i) => get(server.url, `Bearer ${tokens[i % tokens.length]}`)),
    );
    for (const code of codes) statuses[code] = (statuses[code] ?? 0) + 1;
    return {
      variant,
      concurrency,
      discoveryFetches: keyServer.hits.discovery,
      jwksFetches: keyServer.hits.jwks,
      statuses,
      elapsedMs: Date.now() - started,
    };
  } finally {
    keyServer.delayMs = 0;
    await stopProcess(server.child);
  }
}
