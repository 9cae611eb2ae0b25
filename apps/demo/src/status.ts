/**
 * The one line the terminal gets while the demo runs: every 10 s, what the gates decided since the last
 * line (requests, refusals by reason) and the revocations in force, from the totals the live page scrapes.
 */
import type { Totals } from './dashboard/prometheus.js';

/** How often the status line is printed. */
export const STATUS_EVERY_MS = 10_000;

/** How much `key` grew from `before` to `now` (a counter reset counts as no growth). */
const delta = (now: Record<string, number>, before: Record<string, number> | undefined, key: string) =>
  Math.max(0, (now[key] ?? 0) - (before?.[key] ?? 0));

/** The status line for the change from `before` to `now` (`before` undefined: since the apps started). */
export function statusLine(now: Totals, before: Totals | undefined, at: Date, everySecs: number): string {
  const requests = Object.keys(now.outcomes).reduce(
    (t, o) => t + delta(now.outcomes, before?.outcomes, o),
    0,
  );
  const codes = Object.keys(now.codes)
    .map((code) => [code, delta(now.codes, before?.codes, code)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const refused = codes.reduce((total, [, n]) => total + n, 0);
  const reasons = codes.slice(0, 3).map(([code, n]) => `${code} ${n}`);
  if (codes.length > 3) reasons.push(`+${codes.length - 3} more`);
  const window = before === undefined ? 'since start' : `last ${everySecs} s`;
  const why = reasons.length ? ` (${reasons.join(', ')})` : '';
  const time = at.toTimeString().slice(0, 8);
  return `demo ${time} · ${window}: ${requests} requests, ${refused} refused${why} · revocations in force: ${now.revocations}`;
}

/** Prints {@link statusLine} every {@link STATUS_EVERY_MS} while `totals()` has something; returns a stop. */
export function startStatusLine(totals: () => Totals | undefined, print: (line: string) => void): () => void {
  let before: Totals | undefined;
  const timer = setInterval(() => {
    const now = totals();
    if (now === undefined) return;
    print(statusLine(now, before, new Date(), STATUS_EVERY_MS / 1000));
    before = now;
  }, STATUS_EVERY_MS);
  return () => clearInterval(timer);
}
