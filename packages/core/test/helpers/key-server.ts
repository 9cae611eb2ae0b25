import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/** A private or public key as jose produces it. */
export type JoseKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** How the key server answers: normally, or one of the failures the tests need. */
export type Behaviour = 'ok' | 'error' | 'reset' | 'hang' | 'redirect';

export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: JoseKey;
  readonly publicJwk: JWK;
}

export interface SignOptions {
  kid?: string;
  alg?: string;
  /** Extra or overriding protected header parameters (jku, x5u, jwk, crit…). */
  header?: Record<string, unknown>;
  /** Sign with this key instead of a published one. */
  key?: JoseKey;
}

/**
 * A small OpenID issuer the tests control: a discovery document and a JWKS on 127.0.0.1, keys made
 * with jose, request counts, and switchable failures (down, hanging, redirecting).
 */
export class KeyServer {
  readonly keys: SigningKey[] = [];
  readonly hits = { discovery: 0, jwks: 0 };
  behaviour: Behaviour = 'ok';
  /** Overrides the JWKS document served (hostile key sets). */
  jwksOverride: unknown;
  /** Overrides the discovery document served. */
  discoveryOverride: Record<string, unknown> | undefined;
  /** Where redirects point. */
  redirectTo = 'http://127.0.0.1:9/elsewhere';
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    readonly audience: string,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(
    options: { audience?: string; alg?: string; issuerPath?: string } = {},
  ): Promise<KeyServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const issuer = `http://127.0.0.1:${port}${options.issuerPath ?? ''}`;
    const keyServer = new KeyServer(server, issuer, options.audience ?? 'urn:test:api');
    server.on('request', (req, res) => keyServer.handle(req, res));
    await keyServer.addKey(options.alg ?? 'RS256');
    return keyServer;
  }

  get jwksUri(): string {
    return `${new URL(this.issuer).origin}/jwks`;
  }

  /** Generates and publishes a new key; returns it. */
  async addKey(alg = 'RS256', kid: string = randomUUID()): Promise<SigningKey> {
    const key = await makeKey(alg, kid);
    this.keys.push(key);
    return key;
  }

  removeKey(kid: string): void {
    const index = this.keys.findIndex((k) => k.kid === kid);
    if (index >= 0) this.keys.splice(index, 1);
  }

  /** Signs `claims` with defaults: iss, aud, sub, iat now, exp in 5 minutes (relative to `nowSecs`). */
  async sign(
    claims: JWTPayload & Record<string, unknown> = {},
    options: SignOptions = {},
    nowSecs = now(),
  ): Promise<string> {
    const key = options.kid ? this.keys.find((k) => k.kid === options.kid) : this.keys[0];
    const alg = options.alg ?? key?.alg ?? 'RS256';
    const payload: Record<string, unknown> = {
      iss: this.issuer,
      aud: this.audience,
      sub: 'user-1',
      iat: nowSecs,
      exp: nowSecs + 300,
      ...claims,
    };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    return new SignJWT(payload)
      .setProtectedHeader({ alg, kid: options.kid ?? key?.kid, ...options.header } as never)
      .sign(options.key ?? key!.privateKey);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const issuerPath = new URL(this.issuer).pathname.replace(/\/$/, '');
    const isDiscovery = path === `${issuerPath}/.well-known/openid-configuration`;
    const isJwks = path === '/jwks';
    if (isDiscovery) this.hits.discovery++;
    if (isJwks) this.hits.jwks++;
    if (!isDiscovery && !isJwks) return void res.writeHead(404).end();

    switch (this.behaviour) {
      case 'error':
        return void res.writeHead(500).end('down');
      case 'reset':
        return void req.socket.destroy();
      case 'hang':
        return;
      case 'redirect':
        return void res.writeHead(302, { location: this.redirectTo }).end();
    }
    const body = isDiscovery
      ? (this.discoveryOverride ?? { issuer: this.issuer, jwks_uri: this.jwksUri })
      : (this.jwksOverride ?? { keys: this.keys.map((k) => k.publicJwk) });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

export async function makeKey(alg: string, kid: string = randomUUID()): Promise<SigningKey> {
  const crv = alg === 'EdDSA' || alg === 'Ed25519' ? 'Ed25519' : undefined;
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, crv });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

export function now(): number {
  return Math.floor(Date.now() / 1000);
}
