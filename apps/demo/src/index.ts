/**
 * The demo's parts that the end-to-end tests check on their own (the demo itself runs from main.ts):
 * the live page and its reading of Prometheus text, the shared-state lines, and what reaches the terminal.
 */
export type { Sample, Totals } from './dashboard/prometheus.js';
export { parsePrometheusText, quantile, totalsOf } from './dashboard/prometheus.js';
export type { Point } from './dashboard/rates.js';
export { pointOf, RATE_WINDOW_MS, RateWindow } from './dashboard/rates.js';
export type { AppState, SamplerOptions, Target } from './dashboard/sampler.js';
export { MetricsSampler } from './dashboard/sampler.js';
export type { Dashboard, DashboardOptions } from './dashboard/server.js';
export { startDashboard } from './dashboard/server.js';
export type { OutputOptions } from './output.js';
export { DemoOutput } from './output.js';
export type { SharedStateView } from './shared-state.js';
export { IN_PROCESS_NOTICE, sharedStateLines } from './shared-state.js';
export { STATUS_EVERY_MS, statusLine } from './status.js';
