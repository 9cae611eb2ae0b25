/**
 * Opens a URL for the user. Tests inject one that drives a headless login instead of a real browser.
 *
 * @example
 * ```ts
 * import type { BrowserOpener } from '@gatehouse/client';
 * const printOnly: BrowserOpener = (url) => {
 *   console.error(`Open ${url}`);
 * };
 * ```
 */
export type BrowserOpener = (url: string) => void | Promise<void>;

/**
 * The default opener: the `open` package (the system browser via `xdg-open`, `open` or `start`).
 *
 * @example
 * ```ts
 * import { openSystemBrowser } from '@gatehouse/client';
 * await openSystemBrowser('https://example.com');
 * ```
 */
export async function openSystemBrowser(url: string): Promise<void> {
  const { default: open } = await import('open');
  const child = await open(url);
  // A browser that cannot start (no display) must not crash the login: the URL is printed as well.
  child.on('error', () => {});
  child.unref();
}
