/**
 * Lets a background timer (a pruner, a retry loop) not keep the process alive: Node, Bun and Deno
 * return a timer object with `unref()`; workerd and browsers return a number, and have no process to
 * keep alive. @internal
 */
export function unrefTimer<T>(timer: T): T {
  (timer as { unref?: () => void } | undefined)?.unref?.();
  return timer;
}
