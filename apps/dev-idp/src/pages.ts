/**
 * The few HTML pages the dev IdP shows: bare forms, no scripts, no external resources. Each page carries
 * `data-step` on its <main> so the headless helpers (and browser tests) know where they are.
 */

export type PageStep =
  | 'login'
  | 'consent'
  | 'device-code'
  | 'device-confirm'
  | 'device-success'
  | 'logout'
  | 'logout-success'
  | 'error';

export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A whole page. `body` is trusted HTML: escape every value that goes into it. */
export function page(step: PageStep, title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)} · Gatehouse dev IdP</title></head>
<body>
<p><strong>DEVELOPMENT IDENTITY PROVIDER — not for production</strong></p>
<main data-step="${step}">
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

export interface LoginPageInput {
  action: string;
  clientId: string;
  login?: string | undefined;
  error?: string;
  /** The request asks for a second factor (RFC 9470 step-up): the one-time code is required. */
  oneTimeCodeRequired?: boolean;
}

export function loginPage({ action, clientId, login, error, oneTimeCodeRequired }: LoginPageInput): string {
  const code = oneTimeCodeRequired
    ? '<label>One-time code (this application asks for a second factor) <input type="text" name="otp" inputmode="numeric" autocomplete="one-time-code" required></label>'
    : '<label>One-time code (optional) <input type="text" name="otp" inputmode="numeric" autocomplete="one-time-code"></label>';
  return page(
    'login',
    'Sign in',
    `<p>Sign in to continue to <code>${escapeHtml(clientId)}</code>. Development users: alice, bob, mallory (the password is the username, the one-time code 000000).</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<label>Username <input type="text" name="login" autocomplete="username" value="${escapeHtml(login ?? '')}" autofocus required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
${code}
<button type="submit">Sign in</button>
</form>`,
  );
}

export interface ConsentPageInput {
  action: string;
  clientId: string;
  scopes: readonly string[];
}

export function consentPage({ action, clientId, scopes }: ConsentPageInput): string {
  const items = scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('');
  return page(
    'consent',
    'Authorize',
    `<p><code>${escapeHtml(clientId)}</code> asks for:</p>
<ul>${items}</ul>
<form method="post" action="${escapeHtml(action)}">
<button type="submit">Allow</button>
</form>`,
  );
}

/** Pages around oidc-provider's own forms (device flow, logout); `form` is oidc-provider's HTML. */
export function formPage(step: PageStep, title: string, text: string, form: string, button: string): string {
  const formId = /<form[^>]*\bid="([^"]+)"/.exec(form)?.[1] ?? '';
  return page(
    step,
    title,
    `${text}
${form}
<button type="submit" form="${escapeHtml(formId)}">${escapeHtml(button)}</button>`,
  );
}

export function messagePage(step: PageStep, title: string, text: string): string {
  return page(step, title, `<p>${escapeHtml(text)}</p>`);
}

export function errorPage(details: Record<string, unknown>): string {
  const rows = Object.entries(details)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('');
  return page('error', 'Something went wrong', `<dl>${rows}</dl>`);
}
