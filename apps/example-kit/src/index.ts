/**
 * @gatehouse/example-kit: what the example apps share besides Gatehouse (which serves their operational
 * routes) and the telemetry store: the environment of their `main.ts` (`PORT`, `HOST`,
 * `TELEMETRY_DATA_DIR`, `LOG_LEVEL`, …), listening and stopping cleanly, JSON logs with request ids, and
 * their own error answers and whoami body, and the messages of their `/v1/stream`.
 */

export {
  APP_ENV,
  DATABASE_FILE,
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  databasePathFromEnv,
  EnvError,
  LOG_LEVELS_ACCEPTED,
  listenAddressFromEnv,
  logLevelFromEnv,
  portFromEnv,
} from './env.js';
export type { ErrorAnswer, ErrorBody, WhoamiSource } from './http.js';
export { errorAnswer, errorBody, NOT_FOUND, whoamiBody } from './http.js';
export type { AccessLogFields, AppLogger, AppLoggerOptions, RequestScope } from './observability/logger.js';
export {
  createAppLogger,
  currentRequestScope,
  logAccess,
  newRequestId,
  runInRequestScope,
} from './observability/logger.js';
export { REQUEST_ID_HEADER, requestLogging, startRequest } from './observability/requests.js';
export type { ServeOptions, ServeProcess } from './serve.js';
export { exitOnStartupError, processIO, serve } from './serve.js';
export type { DashboardAnswer, IngestAnswer, StreamError } from './stream-messages.js';
export { dashboardSession, ingestMessage, parseMessage, streamError } from './stream-messages.js';
