import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type Provider from 'oidc-provider';
import { applyConventions, type Conventions, type Endpoint } from './conventions.js';
import { errorPage } from './pages.js';

const ENDPOINTS: Record<string, Endpoint> = {
  '/auth': 'authorization',
  '/token': 'token',
  '/device/auth': 'device_authorization',
};
const MAX_FORM_BYTES = 64 * 1024;
/** RFC 8414 §3: authorization server metadata, the well-known suffix inserted before the issuer's path. */
const OAUTH_METADATA_PATH = '/.well-known/oauth-authorization-server';

export interface ProtocolRequestOptions {
  /** The issuer's path without a trailing slash (`/oauth2/default`), or '' for an issuer at the origin. */
  mountPath: string;
  conventions: Conventions;
  audiences: readonly string[];
}

/**
 * Hands protocol requests to oidc-provider: under the issuer's path (as when mounted in a framework, the
 * prefix is stripped and kept in `originalUrl`, which oidc-provider reads to build its URLs), after the
 * imitated provider's request conventions have been applied (see `applyConventions`).
 */
export function createProtocolHandler(provider: Provider, options: ProtocolRequestOptions) {
  const handle = provider.callback();
  const standard =
    options.conventions.audienceParameter === 'resource' && options.conventions.offlineAccess === 'scope';
  const { mountPath } = options;

  return async function handleProtocolRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url = req.url ?? '/';
    // The OpenID discovery document is also a valid RFC 8414 document (same issuer, same fields), and
    // clients that speak plain OAuth (MCP clients among them) look for it there first.
    const [requestPath = '/', requestQuery] = url.split(/\?(.*)/s);
    if (requestPath === `${OAUTH_METADATA_PATH}${mountPath}`) {
      url = `${mountPath}/.well-known/openid-configuration${requestQuery ? `?${requestQuery}` : ''}`;
    }
    if (mountPath) {
      const rest = url.slice(mountPath.length);
      if (!url.startsWith(mountPath) || (rest !== '' && !rest.startsWith('/') && !rest.startsWith('?'))) {
        res
          .writeHead(404, { 'content-type': 'text/html; charset=utf-8' })
          .end(errorPage({ error: 'not_found' }));
        return;
      }
      url = rest.startsWith('?') || rest === '' ? `/${rest}` : rest;
    }
    let request = req;
    const [path = '/', query = ''] = url.split(/\?(.*)/s);
    const endpoint = ENDPOINTS[path];
    if (endpoint && !standard) {
      const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      if (req.method === 'GET') {
        const params = new URLSearchParams(query);
        const failure = applyConventions(params, options.conventions, endpoint, options.audiences);
        if (failure) return refuse(res, endpoint, failure.error, failure.description);
        url = `${path}?${params}`;
      } else if (req.method === 'POST' && isForm) {
        const body = await readBody(req).catch(() => undefined);
        if (body === undefined) return refuse(res, endpoint, 'invalid_request', 'unreadable request body');
        const params = new URLSearchParams(body);
        const failure = applyConventions(params, options.conventions, endpoint, options.audiences);
        if (failure) return refuse(res, endpoint, failure.error, failure.description);
        request = replay(req, Buffer.from(params.toString(), 'utf8'));
      }
    }
    request.url = url;
    if (mountPath) (request as IncomingMessage & { originalUrl?: string }).originalUrl = `${mountPath}${url}`;
    handle(request, res);
  };
}

function refuse(res: ServerResponse, endpoint: Endpoint, error: string, description: string): void {
  if (endpoint === 'authorization') {
    res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
    res.end(errorPage({ error, error_description: description }));
    return;
  }
  res.writeHead(400, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error, error_description: description }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A readable request with the same head and a new (rewritten) body, for oidc-provider to parse. */
function replay(req: IncomingMessage, body: Buffer): IncomingMessage {
  const stream = Readable.from([body]) as unknown as IncomingMessage;
  return Object.assign(stream, {
    headers: { ...req.headers, 'content-length': String(body.length) },
    rawHeaders: req.rawHeaders,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    socket: req.socket,
    connection: req.socket,
    complete: true,
  });
}
