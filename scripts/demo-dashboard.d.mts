/** Types of demo-dashboard.mjs, for the tests that import it. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Totals {
  outcomes: Record<string, number>;
  codes: Record<string, number>;
  buckets: Record<string, number>;
  cache: { hit: number; miss: number };
  jwks: { success: number; failure: number };
  rateLimited: number;
  revocations: number;
}
export interface Point {
  time: number;
  outcomes: Record<string, number>;
  codes: Record<string, number>;
  latencyMs: { p50: number | null; p99: number | null };
  cacheHitRatio: number | null;
  jwks: { success: number; failure: number };
  rateLimited: number;
  revocations: number;
}
export interface AppState {
  name: string;
  url: string;
  metrics: string;
  ready: string;
}
export function parsePrometheusText(text: string): Sample[];
export function totalsOf(samples: Sample[]): Totals;
export function quantile(q: number, buckets: Record<string, number>): number | null;
export function pointOf(now: Totals, before: Totals, dt: number, time: number): Point;
export class MetricsSampler {
  constructor(options: {
    targets: { name: string; url: string }[];
    authorization: string;
    intervalMs?: number;
  });
  points: Point[];
  apps: AppState[];
  start(): void;
  stop(): void;
  sample(): Promise<void>;
  snapshot(): { apps: AppState[]; points: Point[] };
}
export function startDashboard(options: {
  targets: { name: string; url: string }[];
  authorization: string;
  host?: string;
  port?: number;
  intervalMs?: number;
}): Promise<{ url: string; sampler: MetricsSampler; close(): Promise<void> }>;
