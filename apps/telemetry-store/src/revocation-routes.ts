/**
 * The contract's revocation and back-channel logout routes for every example app, written once: the body
 * is read here from the Node request (the same in Express, Koa and Nest), and the answer comes from core's
 * `RevocationRoutes`. Each app only maps its four routes to {@link answerRevocationRoute}.
 */
import type { IncomingMessage } from 'node:http';
import type { HttpAnswer, RevocationRoutes } from '@gatehouse/core';

/** Which route: `POST`, `GET` and `DELETE /v1/admin/revocations[/{id}]`, `POST /v1/backchannel-logout`. */
export type RevocationRoute = 'create' | 'list' | 'remove' | 'backchannel-logout';

/** Largest body these routes read. */
export const MAX_REVOCATION_BODY_BYTES = 16 * 1024;

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * Answers one of the revocation routes; `id` is the path parameter of `DELETE`. Never rejects for
 * client input (a bad body is a 400, a huge one a 413).
 *
 * @example
 * ```ts
 * app.delete('/v1/admin/revocations/:id', async (req, res) => {
 *   const answer = await answerRevocationRoute(gate.revocationRoutes, 'remove', req, req.params.id);
 *   res.status(answer.status).set(answer.headers);
 *   answer.body === undefined ? res.end() : res.json(answer.body);
 * });
 * ```
 */
export async function answerRevocationRoute(
  routes: Pick<RevocationRoutes, 'create' | 'list' | 'remove' | 'backchannelLogout'>,
  route: RevocationRoute,
  req: IncomingMessage,
  id?: string,
): Promise<HttpAnswer> {
  switch (route) {
    case 'list':
      return routes.list();
    case 'remove':
      return routes.remove(id);
    case 'create': {
      const body = await readBody(req);
      if (typeof body !== 'string') return body;
      if (!isType(req, 'application/json')) return invalid('send the revocation as application/json');
      try {
        return await routes.create(JSON.parse(body));
      } catch (err) {
        if (err instanceof SyntaxError) return invalid('the body is not valid JSON');
        throw err;
      }
    }
    case 'backchannel-logout': {
      const body = await readBody(req);
      if (typeof body !== 'string') return body;
      if (!isType(req, 'application/x-www-form-urlencoded')) {
        return invalid('send logout_token as application/x-www-form-urlencoded');
      }
      const form = new URLSearchParams(body);
      if (form.getAll('logout_token').length > 1) return invalid('logout_token is given more than once');
      return routes.backchannelLogout({ logout_token: form.get('logout_token') ?? undefined });
    }
  }
}

function isType(req: IncomingMessage, type: string): boolean {
  const value = req.headers['content-type'];
  return typeof value === 'string' && value.split(';')[0]!.trim().toLowerCase() === type;
}

// The raw body, up to the limit; an answer (413, 400) when it cannot be read.
function readBody(req: IncomingMessage): Promise<string | HttpAnswer> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_REVOCATION_BODY_BYTES) {
      resolve(tooLarge());
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > MAX_REVOCATION_BODY_BYTES) {
        done = true;
        resolve(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks).toString('utf8'));
      done = true;
    });
    req.on('error', () => {
      if (!done) resolve(invalid('the request body was incomplete'));
      done = true;
    });
  });
}

function invalid(description: string): HttpAnswer {
  return {
    status: 400,
    headers: NO_STORE,
    body: { error: 'invalid_request', error_description: description },
  };
}

function tooLarge(): HttpAnswer {
  return {
    status: 413,
    headers: NO_STORE,
    body: {
      error: 'payload_too_large',
      error_description: `the body is larger than ${MAX_REVOCATION_BODY_BYTES} bytes`,
    },
  };
}
