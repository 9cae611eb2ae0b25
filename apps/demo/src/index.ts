/**
 * The demo's parts that the end-to-end tests check on their own (the demo itself runs from main.ts):
 * the live page and its reading of Prometheus text, the shared-state lines, and what reaches the terminal.
 */
export type { Sample, Totals } from './dashboard/prometheus.js';
export { parsePrometheusText, quantile, totalsOf } from './dashboard/prometheus.js';
export type { Point } from './dashboard/rates.js';
export { pointOf, RateWindow } from './dashboard/rates.js';
export type { Target } from './dashboard/sampler.js';
export type { Dashboard, DashboardOptions } from './dashboard/server.js';
export { startDashboard } from './dashboard/server.js';
export type { OutputOptions } from './output.js';
export { DemoOutput } from './output.js';
export type { SharedStateView } from './shared-state.js';
export { sharedStateLines } from './shared-state.js';
export { statusLine } from './status.js';
