/** Injection token of the framework-free analytics API (`createAnalytics` of the store package). */
export const ANALYTICS = Symbol('ANALYTICS');

/** Injection token of the telemetry store the reads come from. */
export const STORE = Symbol('STORE');

/** Injection token of the live feed (new records for subscribed dashboards, `LiveFeed`). */
export const LIVE_FEED = Symbol('LIVE_FEED');
