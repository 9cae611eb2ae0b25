/**
 * A `fetch`-compatible function.
 *
 * @example
 * ```ts
 * import type { FetchLike } from '@gatehouse/client';
 * const logged: FetchLike = async (input, init) => fetch(input, init);
 * ```
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
