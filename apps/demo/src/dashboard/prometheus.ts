/** Reading the apps' `/metrics` (Prometheus text) into the totals the live page plots. */

/** One sample of the Prometheus text format. */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/**
 * Parses the Prometheus text format into samples. Comments and `# TYPE` lines are skipped; label values
 * are unescaped.
 */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const value = match[4] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[4]);
    if (!Number.isNaN(value)) samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** The counters and gauges the page plots, summed over every app. */
export interface Totals {
  /** Decisions by outcome (`accepted`, `rejected`, `unavailable`). */
  outcomes: Record<string, number>;
  /** Refusals by code. */
  codes: Record<string, number>;
  /** The decision-latency histogram: cumulative count by upper bound `le`. */
  buckets: Record<string, number>;
  cache: { hit: number; miss: number };
  jwks: { success: number; failure: number };
  rateLimited: number;
  /** Revocations in force (a gauge). */
  revocations: number;
}

const add = (record: Record<string, number>, key: string | undefined, value: number) => {
  if (key !== undefined) record[key] = (record[key] ?? 0) + value;
};

/** The {@link Totals} of the samples of every app. */
export function totalsOf(samples: readonly Sample[]): Totals {
  const totals: Totals = {
    outcomes: {},
    codes: {},
    buckets: {},
    cache: { hit: 0, miss: 0 },
    jwks: { success: 0, failure: 0 },
    rateLimited: 0,
    revocations: 0,
  };
  for (const { name, labels, value } of samples) {
    switch (name) {
      case 'gatehouse_auth_total':
        add(totals.outcomes, labels.outcome, value);
        if (labels.outcome !== 'accepted') add(totals.codes, labels.code, value);
        break;
      case 'gatehouse_auth_duration_seconds_bucket':
        add(totals.buckets, labels.le, value);
        break;
      case 'gatehouse_token_cache_total':
        if (labels.result === 'hit' || labels.result === 'miss') totals.cache[labels.result] += value;
        break;
      case 'gatehouse_jwks_fetch_total':
        if (labels.result === 'success' || labels.result === 'failure') totals.jwks[labels.result] += value;
        break;
      case 'gatehouse_rate_limited_total':
        totals.rateLimited += value;
        break;
      case 'gatehouse_revocations':
        totals.revocations += value;
        break;
    }
  }
  return totals;
}

/** The `q` quantile of a histogram from cumulative bucket counts (`le` → count), as PromQL computes it. */
export function quantile(q: number, buckets: Record<string, number>): number | null {
  const bounds = Object.entries(buckets)
    .map(([le, count]) => ({ le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count }))
    .sort((a, b) => a.le - b.le);
  const total = bounds.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let previous = { le: 0, count: 0 };
  for (const bound of bounds) {
    if (bound.count >= rank) {
      if (bound.le === Number.POSITIVE_INFINITY) return previous.le;
      const inBucket = bound.count - previous.count;
      return previous.le + (bound.le - previous.le) * (inBucket > 0 ? (rank - previous.count) / inBucket : 1);
    }
    previous = bound;
  }
  return previous.le;
}
