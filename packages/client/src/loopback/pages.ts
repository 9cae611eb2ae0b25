/** The pages the callback server can show. */
export type PageKind = 'success' | 'error' | 'wrong-state' | 'already-used' | 'not-found';

const TEXT: Record<PageKind, { title: string; body: string }> = {
  success: {
    title: 'Signed in',
    body: 'You are signed in. You can close this tab and return to the terminal.',
  },
  error: { title: 'Login failed', body: 'The login did not complete. You can close this tab.' },
  'wrong-state': {
    title: 'Unknown login',
    body: 'This link does not belong to the login that is waiting. Start the login again from the terminal.',
  },
  'already-used': {
    title: 'Already done',
    body: 'This login has already completed. You can close this tab.',
  },
  'not-found': { title: 'Not found', body: 'Nothing here.' },
};

/** The small HTML page the loopback callback server answers with. */
export function callbackPage(kind: PageKind, detail?: string): string {
  const { title, body } = TEXT[kind];
  const extra = detail ? `<p><code>${escapeHtml(detail)}</code></p>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Gatehouse: ${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}</style></head>
<body><h1>${title}</h1><p>${body}</p>${extra}</body></html>`;
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
