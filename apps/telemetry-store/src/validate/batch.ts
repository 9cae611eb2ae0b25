/**
 * Validation of an ingestion batch: `{ "processes": [...], "logs": [...], "metrics": [...] }`. Strict: the
 * top level and every record refuse unknown fields, and every problem names its field
 * (`logs[3].timestamp`), so a sender can fix its payload from the 400 alone.
 */
import { LIMITS } from '../limits.js';
import {
  LOG_LEVELS,
  type LogEntry,
  type LogLevel,
  type MetricPoint,
  type ProcessDescription,
  type TelemetryBatch,
} from '../records.js';
import {
  attributes,
  Issues,
  identifier,
  integer,
  isPlainObject,
  knownKeys,
  METRIC_NAME_HINT,
  METRIC_NAME_PATTERN,
  text,
  timestamp,
} from './fields.js';

const BATCH_KEYS = ['processes', 'logs', 'metrics'] as const;
const PROCESS_KEYS = ['processId', 'name', 'host', 'pid', 'version', 'startedAt', 'attributes'];
const LOG_KEYS = ['processId', 'timestamp', 'level', 'message', 'attributes'];
const METRIC_KEYS = ['processId', 'timestamp', 'name', 'value', 'unit', 'attributes'];

/**
 * Validates a parsed JSON body as a batch. A record without `timestamp` is stamped with `now` (the time
 * of receipt). Throws a `ValidationError` naming the fields at fault.
 */
export function parseBatch(body: unknown, now: number = Date.now()): TelemetryBatch {
  return Issues.collect((issues) => {
    if (!isPlainObject(body)) {
      issues.add('(body)', 'must be a JSON object with "processes", "logs" and/or "metrics" arrays');
      return emptyBatch;
    }
    knownKeys(issues, '', body, BATCH_KEYS);
    let total = 0;
    for (const key of BATCH_KEYS) {
      const list = body[key];
      if (list === undefined) continue;
      if (!Array.isArray(list)) issues.add(key, 'must be an array');
      else total += list.length;
    }
    if (!issues.empty) return emptyBatch;
    if (total === 0) {
      issues.add('(body)', 'must hold at least one record in "processes", "logs" or "metrics"');
      return emptyBatch;
    }
    if (total > LIMITS.maxBatchRecords) {
      issues.add('(body)', `holds ${total} records; a batch may hold at most ${LIMITS.maxBatchRecords}`);
      return emptyBatch;
    }
    const list = (key: (typeof BATCH_KEYS)[number]) => (body[key] ?? []) as unknown[];
    return {
      processes: list('processes').map((item, i) => processDescription(issues, `processes[${i}]`, item, now)),
      logs: list('logs').map((item, i) => logEntry(issues, `logs[${i}]`, item, now)),
      metrics: list('metrics').map((item, i) => metricPoint(issues, `metrics[${i}]`, item, now)),
    };
  });
}

const emptyBatch: TelemetryBatch = { processes: [], logs: [], metrics: [] };

function record(issues: Issues, field: string, value: unknown, keys: readonly string[]) {
  if (!isPlainObject(value)) {
    issues.add(field, 'must be an object');
    return undefined;
  }
  knownKeys(issues, field, value, keys);
  return value;
}

function processDescription(issues: Issues, field: string, value: unknown, now: number): ProcessDescription {
  const item = record(issues, field, value, PROCESS_KEYS);
  if (!item) return undefined as never;
  const out: Record<string, unknown> = {
    processId: identifier(issues, `${field}.processId`, item.processId),
    name: text(issues, `${field}.name`, item.name, { max: LIMITS.maxNameLength }),
  };
  if (item.host !== undefined) {
    out.host = text(issues, `${field}.host`, item.host, { max: LIMITS.maxHostLength });
  }
  if (item.pid !== undefined) out.pid = integer(issues, `${field}.pid`, item.pid, 0, 2 ** 31 - 1);
  if (item.version !== undefined) {
    out.version = text(issues, `${field}.version`, item.version, { max: LIMITS.maxVersionLength });
  }
  if (item.startedAt !== undefined)
    out.startedAt = timestamp(issues, `${field}.startedAt`, item.startedAt, now);
  if (item.attributes !== undefined)
    out.attributes = attributes(issues, `${field}.attributes`, item.attributes);
  return out as unknown as ProcessDescription;
}

function logEntry(issues: Issues, field: string, value: unknown, now: number): LogEntry {
  const item = record(issues, field, value, LOG_KEYS);
  if (!item) return undefined as never;
  const level = item.level;
  if (typeof level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(level)) {
    issues.add(`${field}.level`, `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const out: Record<string, unknown> = {
    processId: identifier(issues, `${field}.processId`, item.processId),
    timestamp:
      item.timestamp === undefined ? now : timestamp(issues, `${field}.timestamp`, item.timestamp, now),
    level: level as LogLevel,
    message: text(issues, `${field}.message`, item.message, {
      max: LIMITS.maxMessageLength,
      multiline: true,
    }),
  };
  if (item.attributes !== undefined)
    out.attributes = attributes(issues, `${field}.attributes`, item.attributes);
  return out as unknown as LogEntry;
}

function metricPoint(issues: Issues, field: string, value: unknown, now: number): MetricPoint {
  const item = record(issues, field, value, METRIC_KEYS);
  if (!item) return undefined as never;
  if (typeof item.value !== 'number' || !Number.isFinite(item.value)) {
    issues.add(`${field}.value`, 'must be a finite number');
  }
  const out: Record<string, unknown> = {
    processId: identifier(issues, `${field}.processId`, item.processId),
    timestamp:
      item.timestamp === undefined ? now : timestamp(issues, `${field}.timestamp`, item.timestamp, now),
    name: text(issues, `${field}.name`, item.name, {
      max: LIMITS.maxNameLength,
      pattern: METRIC_NAME_PATTERN,
      patternHint: METRIC_NAME_HINT,
    }),
    value: item.value,
  };
  if (item.unit !== undefined)
    out.unit = text(issues, `${field}.unit`, item.unit, { max: LIMITS.maxUnitLength });
  if (item.attributes !== undefined)
    out.attributes = attributes(issues, `${field}.attributes`, item.attributes);
  return out as unknown as MetricPoint;
}
