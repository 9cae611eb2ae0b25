import type { Variant } from '../variants.js';

/** One request a variant must answer correctly before it is timed. */
export interface Check {
  readonly name: string;
  readonly authorization: string | undefined;
  /** The subject a 200 must carry; undefined when the credential must be refused (401). */
  readonly subject: string | undefined;
  /** Only Gatehouse takes API keys; for everyone else the key is a credential to refuse. */
  readonly apiKey?: boolean;
}

/** Runs every check against a running variant; returns the failures (empty: correct). */
export async function checkVariant(
  variant: Variant,
  url: string,
  checks: readonly Check[],
): Promise<string[]> {
  const failures: string[] = [];
  for (const check of checks) {
    const headers: Record<string, string> = {};
    if (check.authorization !== undefined) headers.authorization = check.authorization;
    let status: number;
    let body: unknown;
    try {
      const response = await fetch(`${url}/v1/whoami`, { headers });
      status = response.status;
      body = status === 200 ? await response.json() : await response.text();
    } catch (err) {
      failures.push(`${check.name}: request failed (${String(err)})`);
      continue;
    }
    // The bare frameworks check nothing: they must simply answer 200.
    const expected =
      variant.kind === 'bare'
        ? { status: 200, subject: undefined }
        : check.apiKey && variant.kind !== 'gatehouse'
          ? { status: 401, subject: undefined }
          : { status: check.subject === undefined ? 401 : 200, subject: check.subject };
    if (status !== expected.status) {
      failures.push(`${check.name}: status ${status}, expected ${expected.status}`);
    } else if (
      expected.subject !== undefined &&
      (body as { subject?: unknown }).subject !== expected.subject
    ) {
      failures.push(`${check.name}: subject ${JSON.stringify(body)}, expected ${expected.subject}`);
    }
  }
  return failures;
}
