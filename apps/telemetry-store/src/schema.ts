/**
 * The SQLite schema and its migration. Every app may be the first to open the database (the demo starts
 * them together), so migrating is idempotent and runs under `BEGIN IMMEDIATE`: one process creates the
 * tables, the others wait (busy timeout) and find them.
 */
import type { Database } from 'better-sqlite3';
import { StoreError } from './errors.js';

/** `PRAGMA user_version` of the schema below. */
export const SCHEMA_VERSION = 2;

const SCHEMA_V1 = `
CREATE TABLE processes (
  process_id TEXT NOT NULL,
  sender_issuer TEXT NOT NULL,
  sender_subject TEXT NOT NULL,
  sender_auth_type TEXT NOT NULL,
  name TEXT NOT NULL,
  host TEXT,
  pid INTEGER,
  version TEXT,
  started_at INTEGER,
  attributes TEXT,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  batch_id TEXT NOT NULL,
  PRIMARY KEY (process_id, sender_issuer, sender_subject)
);
CREATE INDEX processes_last_seen ON processes (last_seen);

CREATE TABLE logs (
  id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  process_id TEXT NOT NULL,
  level INTEGER NOT NULL,
  message TEXT NOT NULL,
  attributes TEXT,
  sender_issuer TEXT NOT NULL,
  sender_subject TEXT NOT NULL,
  sender_auth_type TEXT NOT NULL,
  batch_id TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX logs_ts ON logs (ts);
CREATE INDEX logs_process_ts ON logs (process_id, ts);

CREATE TABLE metrics (
  id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  process_id TEXT NOT NULL,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  unit TEXT,
  attributes TEXT,
  sender_issuer TEXT NOT NULL,
  sender_subject TEXT NOT NULL,
  sender_auth_type TEXT NOT NULL,
  batch_id TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX metrics_ts ON metrics (ts);
CREATE INDEX metrics_name_ts ON metrics (name, ts);
CREATE INDEX metrics_process_name_ts ON metrics (process_id, name, ts);
`;

// Version 2: every sender once, so that a read can ask the authorization step about each of them (and
// keep the ones it allows) without scanning the records. Filled from the records of a version 1 database.
const SCHEMA_V2 = `
CREATE TABLE senders (
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  auth_type TEXT NOT NULL,
  PRIMARY KEY (issuer, subject)
);
INSERT OR IGNORE INTO senders (issuer, subject, auth_type)
  SELECT sender_issuer, sender_subject, sender_auth_type FROM processes
  UNION SELECT sender_issuer, sender_subject, sender_auth_type FROM logs
  UNION SELECT sender_issuer, sender_subject, sender_auth_type FROM metrics;
`;

/**
 * Creates the schema if the database is new, brings an older one up to date; refuses a database from a
 * newer version of the apps.
 */
export function migrate(db: Database): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new StoreError(
        `the database has schema version ${version}, newer than this app's ${SCHEMA_VERSION}; upgrade the app`,
      );
    }
    if (version < 1) db.exec(SCHEMA_V1);
    if (version < 2) db.exec(SCHEMA_V2);
    if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
