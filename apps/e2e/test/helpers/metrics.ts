/** Reading an app's `/metrics` back in tests (with the demo page's own parser). */

import { parsePrometheusText, type Sample } from '@gatehouse/demo';
import { expect } from 'vitest';

export type { Sample };

/** GETs `/metrics` with `authorization` and parses it; fails the test unless it is a 200 in text format. */
export async function scrape(baseUrl: string, authorization: string): Promise<Sample[]> {
  const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization } });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(text);
}

/** The sum of the samples of `name` whose labels include `labels` (0 when none). */
export function sampleSum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
