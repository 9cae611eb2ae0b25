/** Injection token of the framework-free analytics API (`createAnalytics` of the store package). */
export const ANALYTICS = Symbol('ANALYTICS');

/** Injection token of the telemetry store the reads come from. */
export const STORE = Symbol('STORE');
