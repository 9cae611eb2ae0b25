/** Injection token of the framework-free analytics API (`createAnalytics` of the store package). */
export const ANALYTICS = Symbol('ANALYTICS');
