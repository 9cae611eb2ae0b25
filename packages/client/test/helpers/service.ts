import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';

/** A request the test service received. */
export interface ServiceHit {
  path: string;
  authorization: string | undefined;
  body: string;
  status: number;
}

/**
 * A tiny protected service: `GET /v1/whoami` answers the verified token's identity (the Gatehouse contract's
 * shape), API keys from `apiKeys` are accepted too, and `rejectNext(n)` makes the next n requests answer 401
 * whatever they carry.
 */
export interface TestService {
  readonly url: string;
  readonly hits: ServiceHit[];
  rejectNext(count: number): void;
  close(): Promise<void>;
}

export async function startTestService(options: {
  issuer?: string;
  audience?: string;
  apiKeys?: Record<string, string>;
  /** Default `<issuer>/jwks`. */
  jwksUri?: string;
}): Promise<TestService> {
  const jwksUri = options.jwksUri ?? (options.issuer ? `${options.issuer}/jwks` : undefined);
  const jwks = jwksUri ? createRemoteJWKSet(new URL(jwksUri)) : undefined;
  const hits: ServiceHit[] = [];
  let rejections = 0;

  const identify = async (req: IncomingMessage): Promise<Record<string, unknown> | undefined> => {
    const match = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return undefined;
    const credential = match[1]!;
    const keyName = Object.entries(options.apiKeys ?? {}).find(([, key]) => key === credential)?.[0];
    if (keyName)
      return { subject: keyName, issuer: 'api_key', authType: 'api_key', isAdmin: false, scopes: [] };
    if (!jwks || !options.issuer) return undefined;
    try {
      const { payload } = await jwtVerify(credential, jwks, {
        issuer: options.issuer,
        audience: options.audience,
      });
      return {
        subject: payload.sub,
        ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
        issuer: payload.iss,
        authType: 'oidc',
        isAdmin: false,
        scopes: typeof payload.scope === 'string' ? payload.scope.split(' ') : [],
      };
    } catch {
      return undefined;
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const hit: ServiceHit = {
        path: req.url ?? '/',
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString('utf8'),
        status: 0,
      };
      hits.push(hit);
      const identity = rejections > 0 ? undefined : await identify(req);
      if (rejections > 0) rejections -= 1;
      if (!identity) {
        hit.status = 401;
        res.writeHead(401, {
          'content-type': 'application/json',
          'www-authenticate': 'Bearer realm="test", error="invalid_token"',
        });
        res.end(JSON.stringify({ error: 'invalid_token', error_description: 'rejected' }));
        return;
      }
      hit.status = 200;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/v1/whoami' ? identity : { ok: true, echo: hit.body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    rejectNext(count) {
      rejections = count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
