/**
 * A tiny "browser" made of fetch, a cookie jar and a form filler, enough to walk the dev IdP's own pages
 * (login, consent, device code, device confirmation) without a real browser. Each call starts with an
 * empty jar, so no session leaks from one login into the next.
 */

import type { PageStep } from './pages.js';

/**
 * Who logs in headlessly. `oneTimeCode` is entered only where the login page requires it (a request for a
 * second factor, RFC 9470 step-up); a `DevUser` carries its own.
 *
 * @example
 * ```ts
 * import type { HeadlessUser } from '@gatehouse/dev-idp';
 * const alice: HeadlessUser = { username: 'alice', password: 'alice', oneTimeCode: '000000' };
 * ```
 */
export interface HeadlessUser {
  username: string;
  password: string;
  oneTimeCode?: string;
}

export type HeadlessFlowErrorCode =
  | 'LOGIN_REFUSED'
  | 'USER_CODE_REFUSED'
  | 'PROVIDER_ERROR'
  | 'UNEXPECTED_RESPONSE'
  | 'TOO_MANY_STEPS';

/** A headless login or device approval that could not complete. The message never holds a password. */
export class HeadlessFlowError extends Error {
  readonly code: HeadlessFlowErrorCode;
  /** URL of the page or redirect where the flow stopped. */
  readonly url: string;

  constructor(code: HeadlessFlowErrorCode, message: string, url: string) {
    super(message);
    this.name = 'HeadlessFlowError';
    this.code = code;
    this.url = url;
  }
}

const MAX_STEPS = 20;

interface Request {
  url: string;
  body?: URLSearchParams;
}

interface DriveOptions {
  /** Only URLs on this origin are fetched. */
  origin: string;
  user: HeadlessUser;
  userCode?: string;
  /** A redirect to a URL for which this returns true ends the walk (that URL is not fetched). */
  stopAt?: (url: string) => boolean;
  /** The cookies of a longer session (see `DevIdp.session()`); default: a fresh jar for this walk. */
  jar?: CookieJar;
}

type DriveResult = { kind: 'redirect'; url: string } | { kind: 'device-success' } | { kind: 'logged-out' };

/** Walks redirects and forms from `start` until `stopAt` matches or the device flow's success page. */
export async function drive(start: string, options: DriveOptions): Promise<DriveResult> {
  const jar = options.jar ?? new CookieJar();
  const submitted = new Set<PageStep>();
  let request: Request = { url: start };

  for (let step = 0; step < MAX_STEPS; step++) {
    if (new URL(request.url).origin !== options.origin) {
      throw new HeadlessFlowError('UNEXPECTED_RESPONSE', 'the flow left the dev IdP', request.url);
    }
    const headers = new Headers();
    const cookie = jar.header(request.url);
    if (cookie) headers.set('cookie', cookie);
    if (request.body) headers.set('content-type', 'application/x-www-form-urlencoded');
    const response = await fetch(request.url, {
      method: request.body ? 'POST' : 'GET',
      redirect: 'manual',
      headers,
      body: request.body,
    });
    jar.store(request.url, response.headers.getSetCookie());

    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, request.url).href;
      if (options.stopAt?.(next)) return { kind: 'redirect', url: next };
      request = { url: next };
      continue;
    }

    const html = await response.text();
    const page = /<main data-step="([a-z-]+)"/.exec(html)?.[1] as PageStep | undefined;
    if (page === 'device-success') return { kind: 'device-success' };
    if (page === 'logout-success') return { kind: 'logged-out' };
    if (page === 'error') {
      throw new HeadlessFlowError('PROVIDER_ERROR', `the dev IdP answered: ${textOf(html)}`, request.url);
    }
    if (page === undefined || submitted.has(page)) {
      throw refusal(page, response.status, request.url, options.user.username);
    }

    submitted.add(page);
    const form = parseForm(html, request.url);
    if (page === 'login') {
      form.fields.set('login', options.user.username);
      form.fields.set('password', options.user.password);
      if (/<input\b[^>]*\bname="otp"[^>]*\brequired\b/i.test(html)) {
        form.fields.set('otp', options.user.oneTimeCode ?? '');
      }
    } else if (page === 'device-code') {
      form.fields.set('user_code', options.userCode ?? '');
    } else if (page === 'logout') {
      // Sign out of the whole session: every client it logged in to is told (back-channel logout).
      form.fields.set('logout', 'yes');
    }
    request = { url: form.action, body: form.fields };
  }
  throw new HeadlessFlowError('TOO_MANY_STEPS', `no result after ${MAX_STEPS} requests`, request.url);
}

function refusal(
  page: PageStep | undefined,
  status: number,
  url: string,
  username: string,
): HeadlessFlowError {
  switch (page) {
    case 'login':
      return new HeadlessFlowError('LOGIN_REFUSED', `login refused for user "${username}"`, url);
    case 'device-code':
      return new HeadlessFlowError('USER_CODE_REFUSED', 'the user code was not accepted', url);
    default:
      return new HeadlessFlowError(
        'UNEXPECTED_RESPONSE',
        `unexpected ${status} response (${page ?? 'no page'})`,
        url,
      );
  }
}

interface Form {
  action: string;
  fields: URLSearchParams;
}

function parseForm(html: string, base: string): Form {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new HeadlessFlowError('UNEXPECTED_RESPONSE', 'page without a form', base);
  const action = attribute(form[1]!, 'action') ?? base;
  const fields = new URLSearchParams();
  for (const input of form[2]!.matchAll(/<input\b([^>]*)>/gi)) {
    const name = attribute(input[1]!, 'name');
    if (name) fields.set(name, attribute(input[1]!, 'value') ?? '');
  }
  return { action: new URL(action, base).href, fields };
}

function attribute(attributes: string, name: string): string | undefined {
  const value = new RegExp(`(?:^|\\s)${name}="([^"]*)"`, 'i').exec(attributes)?.[1];
  return value === undefined ? undefined : decodeEntities(value);
}

function decodeEntities(value: string): string {
  return value
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function textOf(html: string): string {
  const main = /<main\b[^>]*>([\s\S]*?)<\/main>/i.exec(html)?.[1] ?? html;
  return decodeEntities(
    main
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

/** Just enough of RFC 6265 for one host: name, value, path and deletion. */
export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();

  store(requestUrl: string, setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const cookie: Cookie = {
        name: pair.slice(0, eq),
        value: pair.slice(eq + 1),
        path: defaultPath(requestUrl),
      };
      let expired = false;
      for (const attr of attributes) {
        const [key = '', val = ''] = attr.split('=', 2);
        const lower = key.toLowerCase();
        if (lower === 'path' && val.startsWith('/')) cookie.path = val;
        if (lower === 'max-age' && Number(val) <= 0) expired = true;
        if (lower === 'expires' && Date.parse(val) <= Date.now()) expired = true;
      }
      const key = `${cookie.path}\n${cookie.name}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, cookie);
    }
  }

  header(requestUrl: string): string {
    const path = new URL(requestUrl).pathname;
    return [...this.#cookies.values()]
      .filter((c) => pathMatches(path, c.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

function defaultPath(requestUrl: string): string {
  const path = new URL(requestUrl).pathname;
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
