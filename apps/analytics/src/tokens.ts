/** Injection token of the framework-free analytics API (`createAnalytics` of the store package). */
export const ANALYTICS = Symbol('ANALYTICS');

/** Injection token of the app's Prometheus metrics (`createPrometheusMetrics` of the store package). */
export const METRICS = Symbol('METRICS');
