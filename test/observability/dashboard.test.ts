/**
 * The Grafana dashboard in docs/observability queries only metrics and labels that Gatehouse really
 * exports, and shows what issue 13 asks for: decisions by outcome and reason, latency, cache hit ratio,
 * JWKS failures, rate-limited requests.
 */
import { readFileSync } from 'node:fs';
import { METRIC_NAMES } from '@gatehouse/core';
import { describe, expect, it } from 'vitest';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../docs/observability/grafana-dashboard.json', import.meta.url), 'utf8'),
) as { uid: string; panels: Panel[] };

// The labels of each series as Gatehouse exports them (plus `job`/`instance`, which Prometheus adds).
const LABELS: Record<string, string[]> = {
  [METRIC_NAMES.authTotal]: ['outcome', 'code', 'auth_type', 'issuer'],
  [`${METRIC_NAMES.authDuration}_bucket`]: ['le'],
  [METRIC_NAMES.jwksFetchTotal]: ['issuer', 'result'],
  [METRIC_NAMES.jwksAge]: ['issuer'],
  [METRIC_NAMES.tokenCacheTotal]: ['result'],
  [METRIC_NAMES.revocations]: [],
  [METRIC_NAMES.rateLimitedTotal]: ['limit'],
};
const SCRAPE_LABELS = ['job', 'instance'];

const queries = dashboard.panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
);

describe('the Grafana dashboard', () => {
  it('has unique panel ids and panels that do not overlap', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const { gridPos: g, title } of dashboard.panels) {
      expect(g.x + g.w, title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it.each(queries)('$panel queries only exported metrics and labels: $expr', ({ expr }) => {
    const series = [...expr.matchAll(/\b(gatehouse_[a-z_]+)(\{([^}]*)\})?/g)];
    expect(series.length).toBeGreaterThan(0);
    for (const [, name, , selector] of series) {
      const labels = LABELS[name!];
      expect(labels, `${name} is not exported`).toBeDefined();
      for (const [, label] of (selector ?? '').matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g)) {
        expect([...labels!, ...SCRAPE_LABELS]).toContain(label);
      }
    }
    for (const [, grouping] of expr.matchAll(/by \(([^)]*)\)/g)) {
      const used = grouping!.split(',').map((l) => l.trim());
      const known = new Set(series.flatMap(([, name]) => LABELS[name!] ?? []));
      for (const label of used) expect(known, `by (${label})`).toContain(label);
    }
  });

  it('shows what an on-call engineer needs first', () => {
    const all = queries.map((q) => q.expr).join('\n');
    expect(all).toMatch(/sum by \(outcome\) \(rate\(gatehouse_auth_total/);
    expect(all).toMatch(/sum by \(code\) \(rate\(gatehouse_auth_total\{[^}]*outcome!="accepted"/);
    expect(all).toMatch(
      /histogram_quantile\(0\.99, sum by \(le\) \(rate\(gatehouse_auth_duration_seconds_bucket/,
    );
    expect(all).toMatch(/gatehouse_token_cache_total\{[^}]*result="hit"/);
    expect(all).toMatch(/gatehouse_jwks_fetch_total/);
    expect(all).toMatch(/gatehouse_rate_limited_total/);
  });
});
