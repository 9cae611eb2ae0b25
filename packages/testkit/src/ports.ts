/** Free loopback ports, for every real server a test, the bench or the demo starts. */
import { createServer } from 'node:net';

/**
 * A TCP port that is free on `host` right now (the kernel's choice for port 0).
 *
 * @example
 * ```ts
 * const port = await freePort();
 * ```
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Whether `port` can be bound on `host` now (the demo's fixed ports).
 *
 * @example
 * ```ts
 * if (!(await isPortFree(4401))) throw new Error('port 4401 is taken');
 * ```
 */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * Polls `predicate` until it holds; returns the milliseconds it took, or throws after `timeoutMs`.
 *
 * @example
 * ```ts
 * await waitFor(() => state.isReachable(), 5000);
 * ```
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 3000,
  intervalMs = 5,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await predicate()) return performance.now() - start;
    if (performance.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
