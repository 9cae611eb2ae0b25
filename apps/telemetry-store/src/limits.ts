/** Every limit of the example apps, in one place, so that the READMEs and the 400s agree. */
export const LIMITS = Object.freeze({
  /** Largest ingestion request body, in bytes (413 above it). */
  maxBodyBytes: 1024 * 1024,
  /** Most records (processes + logs + metrics) in one batch. */
  maxBatchRecords: 1000,
  /** Identifiers: `processId`. */
  maxIdLength: 128,
  maxNameLength: 200,
  maxHostLength: 255,
  maxVersionLength: 64,
  maxUnitLength: 32,
  maxMessageLength: 8192,
  maxAttributes: 32,
  maxAttributeKeyLength: 64,
  maxAttributeValueLength: 512,
  /** Timestamps may not be further in the future than this (clock skew of the sender). */
  maxFutureSkewMs: 60 * 60 * 1000,
  /** Timestamps before 2000-01-01T00:00:00Z are refused. */
  minTimestampMs: Date.UTC(2000, 0, 1),
  /** Read API: rows per answer. */
  defaultLimit: 100,
  maxLimit: 1000,
  /** Read API: the time range when none is given, and the longest accepted. */
  defaultRangeMs: 24 * 60 * 60 * 1000,
  maxRangeMs: 31 * 24 * 60 * 60 * 1000,
  /** Retention: `olderThanDays` bounds. */
  maxRetentionDays: 3650,
});
