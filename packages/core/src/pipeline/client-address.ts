import type { RequestView } from './request.js';

/**
 * The client address the failed-authentication throttle counts: the socket's peer, or with
 * `GATEHOUSE_TRUST_PROXY=1` the last `X-Forwarded-For` hop (the one the trusted proxy appended; hops
 * before it are the client's to forge).
 */
export function clientAddress(view: RequestView, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const header = view.header('x-forwarded-for');
    const value = typeof header === 'string' ? header : header?.[header.length - 1];
    if (value !== undefined) {
      const hops = value.split(',');
      const last = hops[hops.length - 1]!.trim();
      if (last.length > 0 && last.length <= 64) return last;
    }
  }
  return view.remoteAddress;
}
