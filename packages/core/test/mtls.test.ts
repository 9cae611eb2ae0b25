import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authErrorResponse,
  certificateThumbprint,
  createAuthContext,
  isAuthError,
  NodeRequestView,
  parseForwardedCertificate,
  SenderConstraints,
} from '../src/index.js';
import { senderRequest } from './helpers/sender.js';

const ISSUER = 'https://idp.example.com';

/** A self-signed certificate and key made by openssl, and its SHA-256 thumbprint as openssl computes it. */
function makeCertificate(dir: string, name: string): { cert: string; key: string; x5t: string } {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const fingerprint = execFileSync('openssl', [
    'x509',
    '-in',
    certFile,
    '-noout',
    '-fingerprint',
    '-sha256',
  ]).toString();
  const hex = fingerprint.split('=')[1]!.trim().replaceAll(':', '');
  return {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    x5t: Buffer.from(hex, 'hex').toString('base64url'),
  };
}

// The certificates are made by the openssl command (Debian's `openssl`, which `.ci/run` relies on).
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)('certificate-bound tokens (RFC 8705)', () => {
  let dir: string;
  let server: Server;
  let port: number;
  let serverCert: ReturnType<typeof makeCertificate>;
  let alice: ReturnType<typeof makeCertificate>;
  let mallory: ReturnType<typeof makeCertificate>;
  const senders = new SenderConstraints({ publicUrl: 'https://127.0.0.1' });
  let boundTo = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-mtls-'));
    [serverCert, alice, mallory] = ['server', 'alice', 'mallory'].map((name) =>
      makeCertificate(dir, name),
    ) as [
      ReturnType<typeof makeCertificate>,
      ReturnType<typeof makeCertificate>,
      ReturnType<typeof makeCertificate>,
    ];
    // Self-signed client certificates are the point of RFC 8705 §3: the binding, not a CA, identifies them.
    server = createServer(
      { key: serverCert.key, cert: serverCert.cert, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const auth = createAuthContext({
          subject: 'alice',
          issuer: ISSUER,
          authType: 'oidc',
          claims: { cnf: { 'x5t#S256': boundTo } },
        });
        try {
          // The pipeline's own view of a Node request reads the TLS peer certificate.
          senders.check(auth, { scheme: 'Bearer', token: 'opaque' }, new NodeRequestView(req));
          res.writeHead(200).end('ok');
        } catch (err) {
          if (!isAuthError(err)) throw err;
          const { status, headers, body } = authErrorResponse(err);
          res.writeHead(status, headers).end(JSON.stringify(body));
        }
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (client?: { cert: string; key: string }) =>
    new Promise<{ status: number; challenge: string | undefined }>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/whoami',
          ca: serverCert.cert,
          cert: client?.cert,
          key: client?.key,
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ status: res.statusCode!, challenge: res.headers['www-authenticate'] }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });

  it('matches cnf x5t#S256 against the client certificate of the TLS connection', async () => {
    boundTo = alice.x5t;
    expect((await call(alice)).status).toBe(200);
    const other = await call(mallory);
    expect(other.status).toBe(401);
    expect(other.challenge).toContain('error="invalid_token"');
    const none = await call();
    expect(none.status).toBe(401);
  });

  it('computes the same thumbprint as openssl', () => {
    const der = parseForwardedCertificate(alice.cert);
    expect(der).toBeDefined();
    expect(certificateThumbprint(der!)).toBe(alice.x5t);
  });

  it('reads a certificate forwarded by a trusted proxy, only from the configured header', () => {
    const proxied = new SenderConstraints({ clientCertificateHeader: 'X-Client-Cert' });
    const der = parseForwardedCertificate(alice.cert)!;
    const auth = createAuthContext({
      subject: 'alice',
      issuer: ISSUER,
      authType: 'oidc',
      claims: { cnf: { 'x5t#S256': alice.x5t } },
    });
    const base = { scheme: 'Bearer' as const, token: 't' };
    const encodings = [
      encodeURIComponent(alice.cert), // nginx $ssl_client_escaped_cert, AWS ALB
      `:${Buffer.from(der).toString('base64')}:`, // RFC 9440 Client-Cert
      alice.cert.replaceAll('\n', ' '), // PEM with its line breaks flattened
      Buffer.from(der).toString('base64'),
    ];
    for (const value of encodings) {
      expect(
        proxied.check(
          auth,
          ...senderRequest({ ...base, header: (name) => (name === 'x-client-cert' ? value : undefined) }),
        ),
      ).toBeUndefined();
    }
    // The TLS certificate does not count once a header is configured, and a header does not count otherwise.
    expect(() =>
      proxied.check(auth, ...senderRequest({ ...base, peerCertificate: der, header: () => undefined })),
    ).toThrow();
    const direct = new SenderConstraints();
    expect(() =>
      direct.check(auth, ...senderRequest({ ...base, header: () => encodeURIComponent(alice.cert) })),
    ).toThrow();
    expect(() =>
      proxied.check(auth, ...senderRequest({ ...base, header: () => [encodings[0]!, encodings[0]!] })),
    ).toThrow();
    expect(parseForwardedCertificate('%%%')).toBeUndefined();
    expect(parseForwardedCertificate(':bm90IGEgY2VydA==:')).toBeUndefined();
  });
});
