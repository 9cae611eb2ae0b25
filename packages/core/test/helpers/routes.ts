/** Calls a gate's operational routes (`routes: true`) the way an adapter does, for core's own tests. */
import { type Gatehouse, requestView } from '../../src/index.js';

export interface RouteCall {
  /** A JSON value (sent as application/json) or a form (URLSearchParams, sent urlencoded). */
  readonly body?: unknown;
  /** Overrides the content type the body implies. */
  readonly type?: string;
  readonly authorization?: string;
}

export interface RouteResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers
  readonly body: any;
}

/** `method path` through `gate.routes`; fails when no operational route matches. */
export async function callRoute(
  gate: Gatehouse,
  method: string,
  path: string,
  call: RouteCall = {},
): Promise<RouteResult> {
  const match = gate.routes?.match(method, path);
  if (match === undefined) throw new Error(`no operational route for ${method} ${path}`);
  const form = call.body instanceof URLSearchParams;
  const text = call.body === undefined ? '' : form ? String(call.body) : JSON.stringify(call.body);
  const type = call.type ?? (form ? 'application/x-www-form-urlencoded' : 'application/json');
  const view = requestView({
    method,
    path,
    authorization: call.authorization,
    headers: { 'content-type': type },
  });
  const answer = await gate.routes!.serve(match, view, async () => ({ text }));
  const json = answer.headers['content-type']?.startsWith('application/json');
  return {
    status: answer.status,
    headers: answer.headers,
    body: json && answer.body !== undefined ? JSON.parse(answer.body) : answer.body,
  };
}

/** The form of a back-channel logout request. */
export const logoutForm = (token: string) => new URLSearchParams({ logout_token: token });
