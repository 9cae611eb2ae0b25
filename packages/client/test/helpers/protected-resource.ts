import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in protected resource for the client's RFC 9728 tests: it answers every request without
 * credentials with a 401 whose challenge names its metadata, and serves that metadata at the well-known
 * URLs the test chooses. (The real resource server, Gatehouse itself, is tested in the adapter suite.)
 */
export interface FixtureResource {
  readonly origin: string;
  /** Metadata documents by path, served as JSON; `undefined` removes one. */
  readonly documents: Map<string, unknown>;
  /** The 401 challenge's `resource_metadata` (an absolute URL), or none. */
  challengeMetadata: string | undefined;
  /** Paths requested, in order. */
  readonly requested: string[];
  /** Forgets the documents, the requests and the challenge (between tests). */
  reset(): void;
  close(): Promise<void>;
}

export async function startFixtureResource(): Promise<FixtureResource> {
  const documents = new Map<string, unknown>();
  const requested: string[] = [];
  const fixture = { documents, requested, challengeMetadata: undefined as string | undefined };
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    requested.push(path);
    if (documents.has(path)) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(documents.get(path)));
      return;
    }
    if (path.startsWith('/.well-known/')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    const metadata = fixture.challengeMetadata ? `, resource_metadata="${fixture.challengeMetadata}"` : '';
    res.writeHead(401, { 'www-authenticate': `Bearer realm="fixture"${metadata}` }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fixture, {
    origin,
    reset() {
      documents.clear();
      requested.length = 0;
      fixture.challengeMetadata = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
