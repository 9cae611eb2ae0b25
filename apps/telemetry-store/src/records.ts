/** The telemetry the example apps accept, store and serve. Times are epoch milliseconds (UTC). */

/** Severities, least to most severe; queries filter by a minimum level. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Free-form labels on a record: short keys, scalar values. */
export type Attributes = Readonly<Record<string, string | number | boolean>>;

/** Who sent a record: the identity Gatehouse authenticated for the ingestion request. */
export interface Sender {
  readonly subject: string;
  readonly issuer: string;
  readonly authType: string;
}

/** A running process, as it describes itself. Re-sending it updates the stored description. */
export interface ProcessDescription {
  readonly processId: string;
  readonly name: string;
  readonly host?: string;
  readonly pid?: number;
  readonly version?: string;
  readonly startedAt?: number;
  readonly attributes?: Attributes;
}

export interface LogEntry {
  readonly processId: string;
  readonly timestamp: number;
  readonly level: LogLevel;
  readonly message: string;
  readonly attributes?: Attributes;
}

export interface MetricPoint {
  readonly processId: string;
  readonly timestamp: number;
  readonly name: string;
  readonly value: number;
  readonly unit?: string;
  readonly attributes?: Attributes;
}

/** One ingestion request, validated. */
export interface TelemetryBatch {
  readonly processes: readonly ProcessDescription[];
  readonly logs: readonly LogEntry[];
  readonly metrics: readonly MetricPoint[];
}

/** A stored process description, as the read API returns it. */
export interface StoredProcess extends Omit<ProcessDescription, 'startedAt'> {
  readonly startedAt?: string;
  readonly sender: Sender;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

export interface StoredLogEntry extends Omit<LogEntry, 'timestamp'> {
  readonly id: number;
  readonly timestamp: string;
  readonly receivedAt: string;
  readonly sender: Sender;
}

export interface StoredMetricPoint extends Omit<MetricPoint, 'timestamp'> {
  readonly id: number;
  readonly timestamp: string;
  readonly receivedAt: string;
  readonly sender: Sender;
}

/** Aggregate of one metric of one process over a time range. */
export interface MetricSeriesSummary {
  readonly processId: string;
  readonly name: string;
  readonly unit?: string;
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  readonly first: string;
  readonly last: string;
}
