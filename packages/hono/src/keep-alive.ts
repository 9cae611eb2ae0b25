import type { Gatehouse } from '@gatehouse/core';
import type { Context } from 'hono';

// Cloudflare workerd (and Workers) name themselves so; they cancel a request's unfinished I/O once it has
// answered, unless it is handed to the execution context's waitUntil.
const PER_REQUEST_IO =
  (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent === 'Cloudflare-Workers';

/**
 * On workerd, hands the gate's background work (a key set loading) to `c.executionCtx.waitUntil`, so
 * that it outlives the request that started it. Elsewhere nothing: no lookup on the hot path.
 */
export function keepAlive(c: Context, gate: Gatehouse): void {
  if (!PER_REQUEST_IO) return;
  const pending = gate.pendingWork();
  if (pending === undefined) return;
  try {
    c.executionCtx.waitUntil(pending);
  } catch {
    // No execution context (app.fetch called without one, as in tests): nothing to keep alive with.
  }
}
