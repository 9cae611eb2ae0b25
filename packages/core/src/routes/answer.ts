/** What an operational route answers, framework-neutral: the adapter writes status, headers and body. */

/** A ready HTTP answer. */
export interface HttpAnswer {
  readonly status: number;
  /** Lower-case header names; `content-type` whenever there is a body. */
  readonly headers: Readonly<Record<string, string>>;
  /** The serialized body, if any. */
  readonly body?: string;
}

/** `cache-control: no-store`: nothing an operational route answers may be cached by the way. */
export const NO_STORE = Object.freeze({ 'cache-control': 'no-store' });

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * A JSON answer, never cached.
 *
 * @example
 * ```ts
 * return jsonAnswer(200, { status: 'ready' });
 * ```
 */
export function jsonAnswer(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): HttpAnswer {
  return {
    status,
    headers: { ...NO_STORE, ...headers, 'content-type': JSON_TYPE },
    body: JSON.stringify(body),
  };
}

/** An answer without a body (204). */
export function emptyAnswer(status: number, headers: Readonly<Record<string, string>> = {}): HttpAnswer {
  return { status, headers: { ...NO_STORE, ...headers } };
}
