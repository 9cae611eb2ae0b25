/**
 * Request bodies of the operational routes, read by the adapter for core with a size limit: from a Node
 * request's stream, from a Web `Request`, or taken as the framework already parsed it.
 */
import { RequestBodyError } from '../errors.js';
import { concatBytes, readStreamCapped } from '../platform/encoding.js';

/** A body as an adapter hands it over: its raw text, or the value a framework's body parser made of it. */
export type RequestBody = { readonly text: string } | { readonly parsed: unknown };

/**
 * Reads the request's body, refusing more than `limit` bytes with a `RequestBodyError` (413), and a body
 * cut short with one (400).
 */
export type BodyReader = (limit: number) => Promise<RequestBody>;

/** The part of a Node `IncomingMessage` {@link nodeBodyReader} reads. */
export interface NodeBodySource {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Set by a framework's body parser that ran first (Express `express.json()`, Nest, koa-bodyparser). */
  readonly body?: unknown;
  readonly readableEnded?: boolean;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end' | 'error' | 'aborted', listener: () => void): unknown;
  resume(): unknown;
}

/**
 * A {@link BodyReader} over a Node request. When a body parser already consumed the stream, its result
 * (`parsed`) is used; otherwise the raw bytes are read up to the limit.
 *
 * @example
 * ```ts
 * const answer = await gate.routes!.serve(match, new NodeRequestView(req), nodeBodyReader(req));
 * ```
 */
export function nodeBodyReader(req: NodeBodySource, parsed?: () => unknown): BodyReader {
  return (limit) => {
    const declared = Number(req.headers['content-length']);
    const already = parsed?.() ?? req.body;
    if (already !== undefined && req.readableEnded !== false) {
      return declared > limit ? Promise.reject(tooLarge(limit)) : Promise.resolve({ parsed: already });
    }
    return new Promise((resolve, reject) => {
      if (declared > limit) {
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      let done = false;
      const finish = (outcome: () => void) => {
        if (done) return;
        done = true;
        outcome();
      };
      req.on('data', (chunk: Uint8Array) => {
        if (done) return;
        size += chunk.byteLength;
        if (size > limit) finish(() => reject(tooLarge(limit)));
        else chunks.push(chunk);
      });
      req.on('end', () => finish(() => resolve({ text: textOf(concatBytes(chunks)) })));
      const cut = () =>
        finish(() => reject(new RequestBodyError('incomplete', 'the request body was incomplete')));
      req.on('error', cut);
      req.on('aborted', cut);
    });
  };
}

/**
 * A {@link BodyReader} over a Web `Request` (fetch API: Hono, Workers, Deno, Bun).
 *
 * @example
 * ```ts
 * const answer = await gate.routes!.serve(match, view, webBodyReader(request));
 * ```
 */
export function webBodyReader(request: {
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;
}): BodyReader {
  return async (limit) => {
    const declared = Number(request.headers.get('content-length'));
    if (declared > limit) throw tooLarge(limit);
    if (request.body === null) return { text: '' };
    let bytes: Uint8Array | undefined;
    try {
      bytes = await readStreamCapped(request.body, limit);
    } catch {
      throw new RequestBodyError('incomplete', 'the request body was incomplete');
    }
    if (bytes === undefined) throw tooLarge(limit);
    return { text: textOf(bytes) };
  };
}

function tooLarge(limit: number): RequestBodyError {
  return new RequestBodyError('too_large', `the body is larger than ${limit} bytes`);
}

// TextDecoder drops a leading byte order mark, which JSON.parse would refuse.
function textOf(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
