/**
 * The demo's parts that the end-to-end tests check on their own (the demo itself runs from main.ts):
 * the live page and its reading of Prometheus text, and the shared-state lines.
 */
export type { Sample, Totals } from './dashboard/prometheus.js';
export { parsePrometheusText, quantile, totalsOf } from './dashboard/prometheus.js';
export type { AppState, Point, SamplerOptions, Target } from './dashboard/sampler.js';
export { MetricsSampler, pointOf } from './dashboard/sampler.js';
export type { Dashboard, DashboardOptions } from './dashboard/server.js';
export { startDashboard } from './dashboard/server.js';
export type { SharedStateView } from './shared-state.js';
export { IN_PROCESS_NOTICE, sharedStateLines } from './shared-state.js';
