import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/**
 * The local OpenID issuer every variant uses: a discovery document and a JWKS on 127.0.0.1, with
 * request counts (for the cold-start test) and an optional delay that stands in for a remote issuer.
 */
export class KeyServer {
  readonly hits = { discovery: 0, jwks: 0 };
  /** Milliseconds before each answer (0: immediate). */
  delayMs = 0;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    private readonly keys: readonly JWK[],
  ) {}

  static async start(keys: readonly JWK[]): Promise<KeyServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const keyServer = new KeyServer(server, `http://127.0.0.1:${port}`, keys);
    server.on('request', (req, res) => {
      const answer = keyServer.answer(req.url ?? '/');
      const send = () => {
        res.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer ?? { error: 'not_found' }));
      };
      if (keyServer.delayMs > 0) setTimeout(send, keyServer.delayMs);
      else send();
    });
    return keyServer;
  }

  get jwksUri(): string {
    return `${this.issuer}/jwks`;
  }

  resetHits(): void {
    this.hits.discovery = 0;
    this.hits.jwks = 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(path: string): unknown {
    if (path === '/.well-known/openid-configuration') {
      this.hits.discovery++;
      return {
        issuer: this.issuer,
        jwks_uri: this.jwksUri,
        id_token_signing_alg_values_supported: ['RS256', 'ES256'],
        token_endpoint: `${this.issuer}/token`,
        authorization_endpoint: `${this.issuer}/authorize`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
      };
    }
    if (path === '/jwks') {
      this.hits.jwks++;
      return { keys: this.keys };
    }
    return undefined;
  }
}
