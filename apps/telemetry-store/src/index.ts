/**
 * @gatehouse/example-telemetry-store: the records the example apps exchange, their validation, and the
 * SQLite database they share (schema, inserts, queries, retention, ownership, the live feed).
 */

export type { Analytics, AnalyticsOptions, StatusOptions } from './analytics.js';
export { createAnalytics, createStatus } from './analytics.js';
export type { ValidationIssue } from './errors.js';
export { MAX_REPORTED_ISSUES, StoreError, ValidationError } from './errors.js';
export { LIMITS } from './limits.js';
export type { LiveFeedOptions, LiveStream, LiveUpdate, Viewer } from './live/live-feed.js';
export { LIVE_STREAMS, LiveFeed } from './live/live-feed.js';
export type { Owner, Permitted, Readable, SenderRecords } from './ownership.js';
export { OWNERSHIP_RULES, readableSenders } from './ownership.js';
export type {
  Attributes,
  LogEntry,
  LogLevel,
  MetricPoint,
  MetricSeriesSummary,
  ProcessDescription,
  Sender,
  StoredLogEntry,
  StoredMetricPoint,
  StoredProcess,
  TelemetryBatch,
} from './records.js';
export { LOG_LEVELS } from './records.js';
export { SCHEMA_VERSION } from './schema.js';
export type {
  IngestResult,
  OpenStoreOptions,
  RecordCursor,
  RetentionResult,
  StoreStats,
} from './store.js';
export { openTelemetryStore, TelemetryStore } from './store.js';
export { parseBatch } from './validate/batch.js';
export { parseDateTime } from './validate/fields.js';
export type {
  LogQuery,
  MetricQuery,
  MetricSummaryQuery,
  ProcessListQuery,
  QueryInput,
  RetentionRequest,
  TimeRange,
} from './validate/query.js';
export {
  parseLogQuery,
  parseMetricQuery,
  parseMetricSummaryQuery,
  parseProcessListQuery,
  parseRetentionRequest,
} from './validate/query.js';
