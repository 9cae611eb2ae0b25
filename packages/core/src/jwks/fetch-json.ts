import { readStreamCapped, utf8Text } from '../platform/encoding.js';
import { urlProblem } from './url.js';

/** Limits of every outbound request (discovery and key sets). */
export interface FetchLimits {
  /** Abort after this many milliseconds. */
  readonly timeoutMs: number;
  /** Refuse bodies larger than this many bytes. */
  readonly maxBytes: number;
}

/** An outbound fetch that failed; `message` names the URL and the reason, never a credential. */
export class FetchError extends Error {
  constructor(
    message: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(`${message} (${url})`, options);
    this.name = 'FetchError';
  }
}

/** A POST body and its headers, for {@link fetchJson} (e.g. an RFC 7662 introspection request). */
export interface JsonPost {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * GETs (or, given `post`, POSTs) a JSON object with the safety rules of the core: `https://` only
 * (loopback `http://` allowed), redirects refused rather than followed (a redirect could point the
 * verifier at an attacker's keys), a timeout, and a size cap enforced while reading.
 */
export async function fetchJson(
  url: string,
  limits: FetchLimits,
  post?: JsonPost,
): Promise<Record<string, unknown>> {
  const problem = urlProblem(url);
  if (problem) throw new FetchError(`refusing URL that ${problem.replace(/^must/, 'does not')}`, url);
  let response: Response;
  try {
    response = await fetch(url, {
      method: post ? 'POST' : 'GET',
      redirect: 'manual',
      signal: AbortSignal.timeout(limits.timeoutMs),
      headers: { accept: 'application/json', ...post?.headers },
      body: post?.body,
    });
  } catch (cause) {
    throw new FetchError('request failed', url, { cause });
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => {});
    const what = response.status >= 300 && response.status < 400 ? 'redirect refused' : 'unexpected status';
    throw new FetchError(`${what} ${response.status}`, url);
  }
  const declared = Number(response.headers.get('content-length'));
  if (declared > limits.maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new FetchError(`response larger than ${limits.maxBytes} bytes`, url);
  }
  const text = await readCapped(response, limits.maxBytes, url);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FetchError('response is not JSON', url);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FetchError('response is not a JSON object', url);
  }
  return value as Record<string, unknown>;
}

async function readCapped(response: Response, maxBytes: number, url: string): Promise<string> {
  if (!response.body) return '';
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readStreamCapped(response.body, maxBytes);
  } catch (cause) {
    throw new FetchError('reading the response failed', url, { cause });
  }
  if (bytes === undefined) throw new FetchError(`response larger than ${maxBytes} bytes`, url);
  return utf8Text(bytes);
}
