/**
 * The telemetry database: SQLite in WAL mode (better-sqlite3), so that the analytics apps read while
 * ingestion writes. Ingestion opens it read/write; the analytics apps query on a read-only connection and
 * open a writable one only when an admin runs retention.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import { StoreError } from './errors.js';
import { ownerCondition, type Readable } from './ownership.js';
import {
  type Attributes,
  LOG_LEVELS,
  type LogLevel,
  type MetricSeriesSummary,
  type Sender,
  type StoredLogEntry,
  type StoredMetricPoint,
  type StoredProcess,
  type TelemetryBatch,
} from './records.js';
import { migrate } from './schema.js';
import type {
  LogQuery,
  MetricQuery,
  MetricSummaryQuery,
  ProcessListQuery,
  RetentionRequest,
} from './validate/query.js';

export interface OpenStoreOptions {
  /** The database file; its folder is created when missing. */
  readonly path: string;
  /**
   * `read-write` (ingestion): one writable connection. `read-only` (analytics): queries run on a read-only
   * connection; a writable one is opened on the first write (retention). Default `read-write`.
   */
  readonly access?: 'read-write' | 'read-only';
  /** Current time in ms (tests). */
  readonly now?: () => number;
}

export interface IngestResult {
  readonly batchId: string;
  readonly accepted: { readonly processes: number; readonly logs: number; readonly metrics: number };
}

export interface StoreStats {
  readonly processes: number;
  readonly logs: number;
  readonly metrics: number;
  /** Oldest and newest record timestamps (logs and metrics), or null when empty. */
  readonly oldest: string | null;
  readonly newest: string | null;
  readonly sizeBytes: number;
}

/** Where a reader of new records is: the last log and metric ids it has seen. */
export interface RecordCursor {
  readonly logId: number;
  readonly metricId: number;
}

export interface RetentionResult {
  readonly before: string;
  readonly dryRun: boolean;
  readonly deleted: { readonly processes: number; readonly logs: number; readonly metrics: number };
}

/** Rows are deleted in chunks so that ingestion never waits long for the write lock. */
const DELETE_CHUNK = 5000;
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (and if needed creates) the telemetry database.
 *
 * @example
 * ```ts
 * const store = openTelemetryStore({ path: 'data/telemetry.db' });
 * ```
 */
export function openTelemetryStore(options: OpenStoreOptions): TelemetryStore {
  return new TelemetryStore(options);
}

export class TelemetryStore {
  readonly path: string;
  readonly access: 'read-write' | 'read-only';
  private readonly now: () => number;
  private readonly reader: Database;
  private writerDb: Database | undefined;
  private readonly statements = new Map<string, Statement>();

  constructor(options: OpenStoreOptions) {
    this.path = options.path;
    this.access = options.access ?? 'read-write';
    this.now = options.now ?? Date.now;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
    } catch (err) {
      throw new StoreError(`cannot create the folder of ${this.path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const writer = this.openWritable();
    if (this.access === 'read-write') {
      this.writerDb = writer;
      this.reader = writer;
    } else {
      writer.close();
      this.reader = open(this.path, { readonly: true, fileMustExist: true });
    }
  }

  /** Stores a validated batch in one transaction, every record stamped with its sender. */
  insertBatch(batch: TelemetryBatch, sender: Sender): IngestResult {
    const db = this.writer();
    const batchId = randomUUID();
    const receivedAt = this.now();
    const who = {
      issuer: sender.issuer,
      subject: sender.subject,
      authType: sender.authType,
      batchId,
      receivedAt,
    };
    const upsertProcess = this.prepare(db, UPSERT_PROCESS);
    const touchProcess = this.prepare(db, TOUCH_PROCESS);
    const insertLog = this.prepare(db, INSERT_LOG);
    const insertMetric = this.prepare(db, INSERT_METRIC);
    const insertSender = this.prepare(db, INSERT_SENDER);
    db.transaction(() => {
      insertSender.run(who);
      for (const p of batch.processes) {
        upsertProcess.run({
          ...who,
          processId: p.processId,
          name: p.name,
          host: p.host ?? null,
          pid: p.pid ?? null,
          version: p.version ?? null,
          startedAt: p.startedAt ?? null,
          attributes: json(p.attributes),
        });
      }
      for (const l of batch.logs) {
        insertLog.run({
          ...who,
          processId: l.processId,
          ts: l.timestamp,
          level: levelNumber(l.level),
          message: l.message,
          attributes: json(l.attributes),
        });
      }
      for (const m of batch.metrics) {
        insertMetric.run({
          ...who,
          processId: m.processId,
          ts: m.timestamp,
          name: m.name,
          value: m.value,
          unit: m.unit ?? null,
          attributes: json(m.attributes),
        });
      }
      const active = new Set([...batch.logs, ...batch.metrics].map((r) => r.processId));
      for (const processId of active) touchProcess.run({ ...who, processId });
    })();
    return {
      batchId,
      accepted: { processes: batch.processes.length, logs: batch.logs.length, metrics: batch.metrics.length },
    };
  }

  /** Everyone who ever sent a record (the owners a read asks the authorization step about). */
  senders(): Sender[] {
    return (this.prepare(this.reader, LIST_SENDERS).all() as SenderRow[]).map((row) => ({
      subject: row.subject,
      issuer: row.issuer,
      authType: row.auth_type,
    }));
  }

  /** Process descriptions, most recently seen first; only `readable` senders' (default: everyone's). */
  listProcesses(
    query: ProcessListQuery,
    readable: Readable = 'all',
  ): { processes: StoredProcess[]; truncated: boolean } {
    const owners = ownerCondition(readable);
    if (owners === 'none') return { processes: [], truncated: false };
    const where = owners === undefined ? '' : `WHERE ${owners.sql}`;
    const sql = `SELECT * FROM processes ${where} ORDER BY last_seen DESC, process_id LIMIT @limit`;
    const rows = this.prepare(this.reader, sql).all({
      limit: query.limit + 1,
      ...(owners !== undefined ? { owners: owners.owners } : {}),
    }) as ProcessRow[];
    return { processes: rows.slice(0, query.limit).map(toProcess), truncated: rows.length > query.limit };
  }

  /** Log entries in `[from, to)`, newest first; only `readable` senders' (default: everyone's). */
  queryLogs(query: LogQuery, readable: Readable = 'all'): { entries: StoredLogEntry[]; truncated: boolean } {
    const owners = ownerCondition(readable);
    if (owners === 'none') return { entries: [], truncated: false };
    const where = ['ts >= @from', 'ts < @to'];
    if (query.processId !== undefined) where.push('process_id = @processId');
    if (query.minLevel !== undefined) where.push('level >= @level');
    if (owners !== undefined) where.push(owners.sql);
    const sql = `SELECT * FROM logs WHERE ${where.join(' AND ')} ORDER BY ts DESC, id DESC LIMIT @limit`;
    const rows = this.prepare(this.reader, sql).all({
      from: query.from,
      to: query.to,
      limit: query.limit + 1,
      ...(query.processId !== undefined ? { processId: query.processId } : {}),
      ...(query.minLevel !== undefined ? { level: levelNumber(query.minLevel) } : {}),
      ...(owners !== undefined ? { owners: owners.owners } : {}),
    }) as LogRow[];
    return { entries: rows.slice(0, query.limit).map(toLogEntry), truncated: rows.length > query.limit };
  }

  /** Metric points in `[from, to)`, newest first; only `readable` senders' (default: everyone's). */
  queryMetrics(
    query: MetricQuery,
    readable: Readable = 'all',
  ): { points: StoredMetricPoint[]; truncated: boolean } {
    const filter = metricFilter(query, readable);
    if (filter === 'none') return { points: [], truncated: false };
    const sql = `SELECT * FROM metrics WHERE ${filter.where} ORDER BY ts DESC, id DESC LIMIT @limit`;
    const rows = this.prepare(this.reader, sql).all({
      ...filter.params,
      limit: query.limit + 1,
    }) as MetricRow[];
    return { points: rows.slice(0, query.limit).map(toMetricPoint), truncated: rows.length > query.limit };
  }

  /**
   * Count, min, max and average of each (process, metric) in `[from, to)`, over `readable` senders'
   * points only (default: everyone's).
   */
  summarizeMetrics(
    query: MetricSummaryQuery,
    readable: Readable = 'all',
  ): { series: MetricSeriesSummary[]; truncated: boolean } {
    const filter = metricFilter(query, readable);
    if (filter === 'none') return { series: [], truncated: false };
    const { where, params } = filter;
    const cap = 1000;
    const sql = `SELECT process_id, name, max(unit) AS unit, count(*) AS count, min(value) AS min,
      max(value) AS max, avg(value) AS avg, min(ts) AS first, max(ts) AS last
      FROM metrics WHERE ${where} GROUP BY process_id, name ORDER BY process_id, name LIMIT @limit`;
    const rows = this.prepare(this.reader, sql).all({ ...params, limit: cap + 1 }) as SummaryRow[];
    return {
      series: rows.slice(0, cap).map((r) => ({
        processId: r.process_id,
        name: r.name,
        ...(r.unit !== null ? { unit: r.unit } : {}),
        count: r.count,
        min: r.min,
        max: r.max,
        avg: r.avg,
        first: iso(r.first),
        last: iso(r.last),
      })),
      truncated: rows.length > cap,
    };
  }

  /** The cursor after which the records stored from now on come (the highest ids now). */
  cursorNow(): RecordCursor {
    const row = this.prepare(this.reader, CURSOR).get() as { log_id: number; metric_id: number };
    return { logId: row.log_id, metricId: row.metric_id };
  }

  /** Log entries and metric points stored after `cursor`, oldest first, at most `limit` of each. */
  recordsAfter(
    cursor: RecordCursor,
    limit: number,
  ): { logs: StoredLogEntry[]; metrics: StoredMetricPoint[]; cursor: RecordCursor } {
    const logs = this.prepare(this.reader, LOGS_AFTER).all({ after: cursor.logId, limit }) as LogRow[];
    const metrics = this.prepare(this.reader, METRICS_AFTER).all({
      after: cursor.metricId,
      limit,
    }) as MetricRow[];
    return {
      logs: logs.map(toLogEntry),
      metrics: metrics.map(toMetricPoint),
      cursor: {
        logId: logs.at(-1)?.id ?? cursor.logId,
        metricId: metrics.at(-1)?.id ?? cursor.metricId,
      },
    };
  }

  /** Record counts, time span and file size. */
  stats(): StoreStats {
    const row = this.prepare(this.reader, STATS).get() as StatsRow;
    const page = this.reader.pragma('page_count', { simple: true }) as number;
    const size = this.reader.pragma('page_size', { simple: true }) as number;
    const oldest = minOf(row.logs_oldest, row.metrics_oldest);
    const newest = maxOf(row.logs_newest, row.metrics_newest);
    return {
      processes: row.processes,
      logs: row.logs,
      metrics: row.metrics,
      oldest: oldest === null ? null : iso(oldest),
      newest: newest === null ? null : iso(newest),
      sizeBytes: page * size,
    };
  }

  /**
   * Deletes logs and metrics with a timestamp before `before`, and processes not seen since; with
   * `dryRun`, only counts them.
   */
  applyRetention(request: RetentionRequest): RetentionResult {
    const before = request.before;
    const result = (processes: number, logs: number, metrics: number): RetentionResult => ({
      before: iso(before),
      dryRun: request.dryRun,
      deleted: { processes, logs, metrics },
    });
    if (request.dryRun) {
      const count = (sql: string) => (this.prepare(this.reader, sql).get({ before }) as { n: number }).n;
      return result(
        count('SELECT count(*) AS n FROM processes WHERE last_seen < @before'),
        count('SELECT count(*) AS n FROM logs WHERE ts < @before'),
        count('SELECT count(*) AS n FROM metrics WHERE ts < @before'),
      );
    }
    const db = this.writer();
    const deleteChunks = (table: 'logs' | 'metrics') => {
      const sql = `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ts < @before LIMIT ${DELETE_CHUNK})`;
      const statement = this.prepare(db, sql);
      let total = 0;
      for (;;) {
        const { changes } = statement.run({ before });
        total += changes;
        if (changes < DELETE_CHUNK) return total;
      }
    };
    const logs = deleteChunks('logs');
    const metrics = deleteChunks('metrics');
    const processes = this.prepare(db, 'DELETE FROM processes WHERE last_seen < @before').run({
      before,
    }).changes;
    return result(processes, logs, metrics);
  }

  close(): void {
    this.statements.clear();
    if (this.writerDb && this.writerDb !== this.reader) this.writerDb.close();
    this.reader.close();
    this.writerDb = undefined;
  }

  private writer(): Database {
    this.writerDb ??= this.openWritable();
    return this.writerDb;
  }

  private openWritable(): Database {
    const db = open(this.path, {});
    try {
      db.pragma('journal_mode = WAL');
      // FULL: a batch acknowledged to its sender survives a power cut, not only a crash.
      db.pragma('synchronous = FULL');
      migrate(db);
      return db;
    } catch (err) {
      db.close();
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot open ${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  private prepare(db: Database, sql: string): Statement {
    const key = `${db === this.reader ? 'r' : 'w'}:${sql}`;
    let statement = this.statements.get(key);
    if (!statement) {
      statement = db.prepare(sql);
      this.statements.set(key, statement);
    }
    return statement;
  }
}

function open(path: string, options: BetterSqlite3.Options): Database {
  try {
    return new BetterSqlite3(path, { ...options, timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw new StoreError(`cannot open ${path}: ${(err as Error).message}`, { cause: err });
  }
}

const UPSERT_PROCESS = `INSERT INTO processes (process_id, sender_issuer, sender_subject, sender_auth_type, name,
  host, pid, version, started_at, attributes, first_seen, last_seen, batch_id)
  VALUES (@processId, @issuer, @subject, @authType, @name, @host, @pid, @version, @startedAt, @attributes,
  @receivedAt, @receivedAt, @batchId)
  ON CONFLICT (process_id, sender_issuer, sender_subject) DO UPDATE SET
  sender_auth_type = excluded.sender_auth_type, name = excluded.name, host = excluded.host, pid = excluded.pid,
  version = excluded.version, started_at = excluded.started_at, attributes = excluded.attributes,
  last_seen = excluded.last_seen, batch_id = excluded.batch_id`;

const TOUCH_PROCESS = `UPDATE processes SET last_seen = @receivedAt
  WHERE process_id = @processId AND sender_issuer = @issuer AND sender_subject = @subject
  AND last_seen < @receivedAt`;

const INSERT_LOG = `INSERT INTO logs (ts, process_id, level, message, attributes, sender_issuer, sender_subject,
  sender_auth_type, batch_id, received_at)
  VALUES (@ts, @processId, @level, @message, @attributes, @issuer, @subject, @authType, @batchId, @receivedAt)`;

const INSERT_METRIC = `INSERT INTO metrics (ts, process_id, name, value, unit, attributes, sender_issuer,
  sender_subject, sender_auth_type, batch_id, received_at)
  VALUES (@ts, @processId, @name, @value, @unit, @attributes, @issuer, @subject, @authType, @batchId, @receivedAt)`;

const INSERT_SENDER = `INSERT OR IGNORE INTO senders (issuer, subject, auth_type)
  VALUES (@issuer, @subject, @authType)`;

const LIST_SENDERS = 'SELECT * FROM senders ORDER BY issuer, subject';

const CURSOR = `SELECT (SELECT coalesce(max(id), 0) FROM logs) AS log_id,
  (SELECT coalesce(max(id), 0) FROM metrics) AS metric_id`;
const LOGS_AFTER = 'SELECT * FROM logs WHERE id > @after ORDER BY id LIMIT @limit';
const METRICS_AFTER = 'SELECT * FROM metrics WHERE id > @after ORDER BY id LIMIT @limit';

const STATS = `SELECT
  (SELECT count(*) FROM processes) AS processes,
  (SELECT count(*) FROM logs) AS logs,
  (SELECT count(*) FROM metrics) AS metrics,
  (SELECT min(ts) FROM logs) AS logs_oldest, (SELECT max(ts) FROM logs) AS logs_newest,
  (SELECT min(ts) FROM metrics) AS metrics_oldest, (SELECT max(ts) FROM metrics) AS metrics_newest`;

function metricFilter(query: MetricSummaryQuery, readable: Readable) {
  const owners = ownerCondition(readable);
  if (owners === 'none') return 'none';
  const where = ['ts >= @from', 'ts < @to'];
  const params: Record<string, string | number> = { from: query.from, to: query.to };
  if (owners !== undefined) {
    where.push(owners.sql);
    params.owners = owners.owners;
  }
  if (query.processId !== undefined) {
    where.push('process_id = @processId');
    params.processId = query.processId;
  }
  if (query.name !== undefined) {
    where.push('name = @name');
    params.name = query.name;
  }
  return { where: where.join(' AND '), params };
}

interface SenderRow {
  issuer: string;
  subject: string;
  auth_type: string;
}
interface SenderColumns {
  sender_issuer: string;
  sender_subject: string;
  sender_auth_type: string;
}
interface ProcessRow extends SenderColumns {
  process_id: string;
  name: string;
  host: string | null;
  pid: number | null;
  version: string | null;
  started_at: number | null;
  attributes: string | null;
  first_seen: number;
  last_seen: number;
}
interface LogRow extends SenderColumns {
  id: number;
  ts: number;
  process_id: string;
  level: number;
  message: string;
  attributes: string | null;
  received_at: number;
}
interface MetricRow extends SenderColumns {
  id: number;
  ts: number;
  process_id: string;
  name: string;
  value: number;
  unit: string | null;
  attributes: string | null;
  received_at: number;
}
interface SummaryRow {
  process_id: string;
  name: string;
  unit: string | null;
  count: number;
  min: number;
  max: number;
  avg: number;
  first: number;
  last: number;
}
interface StatsRow {
  processes: number;
  logs: number;
  metrics: number;
  logs_oldest: number | null;
  logs_newest: number | null;
  metrics_oldest: number | null;
  metrics_newest: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();
const json = (value: Attributes | undefined) => (value === undefined ? null : JSON.stringify(value));
const levelNumber = (level: LogLevel) => LOG_LEVELS.indexOf(level) + 1;
const sender = (row: SenderColumns): Sender => ({
  subject: row.sender_subject,
  issuer: row.sender_issuer,
  authType: row.sender_auth_type,
});
const attrs = (text: string | null) => (text === null ? {} : { attributes: JSON.parse(text) as Attributes });
const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

function toProcess(row: ProcessRow): StoredProcess {
  return {
    processId: row.process_id,
    name: row.name,
    ...(row.host !== null ? { host: row.host } : {}),
    ...(row.pid !== null ? { pid: row.pid } : {}),
    ...(row.version !== null ? { version: row.version } : {}),
    ...(row.started_at !== null ? { startedAt: iso(row.started_at) } : {}),
    ...attrs(row.attributes),
    sender: sender(row),
    firstSeen: iso(row.first_seen),
    lastSeen: iso(row.last_seen),
  };
}

function toLogEntry(row: LogRow): StoredLogEntry {
  return {
    id: row.id,
    processId: row.process_id,
    timestamp: iso(row.ts),
    level: LOG_LEVELS[row.level - 1] ?? 'info',
    message: row.message,
    ...attrs(row.attributes),
    receivedAt: iso(row.received_at),
    sender: sender(row),
  };
}

function toMetricPoint(row: MetricRow): StoredMetricPoint {
  return {
    id: row.id,
    processId: row.process_id,
    timestamp: iso(row.ts),
    name: row.name,
    value: row.value,
    ...(row.unit !== null ? { unit: row.unit } : {}),
    ...attrs(row.attributes),
    receivedAt: iso(row.received_at),
    sender: sender(row),
  };
}
