import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A GATEHOUSE_BROWSER command that hands the URL to the test process instead of opening a browser. */
export const RELAY_SCRIPT = fileURLToPath(new URL('../fixtures/browser-relay.mjs', import.meta.url));

/**
 * Receives the URLs `gatehouse login` "opens" (through GATEHOUSE_BROWSER) and lets the test drive them:
 * headlessly through the provider, or in a real browser.
 */
export interface BrowserRelay {
  /** The value for GATEHOUSE_BROWSER. */
  command: string;
  /** Every URL opened so far. */
  opened: string[];
  /** Errors thrown by the test's handler (a failed headless or browser flow). */
  failures: unknown[];
  close(): Promise<void>;
}

export async function startBrowserRelay(onOpen: (url: string) => Promise<unknown>): Promise<BrowserRelay> {
  const opened: string[] = [];
  const failures: unknown[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = Buffer.concat(chunks).toString('utf8');
      opened.push(url);
      res.end('ok');
      void onOpen(url).catch((err: unknown) => {
        failures.push(err);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    command: `"${process.execPath}" "${RELAY_SCRIPT}" ${origin}`,
    opened,
    failures,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
