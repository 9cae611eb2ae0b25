/**
 * The logger Gatehouse reports to: any object with pino-style `info` and `warn` methods (pino itself,
 * or a console adapter). Gatehouse is silent unless one is configured. Events never carry a token, an API
 * key or a secret.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const gate = createGatehouse({ logger: pino() });
 * ```
 */
export interface AuditLogger {
  info(event: AuditEvent, message?: string): void;
  warn(event: AuditEvent, message?: string): void;
}

/** Names of the events Gatehouse emits. */
export type AuditEventName =
  | 'gatehouse.auth.accepted'
  | 'gatehouse.auth.rejected'
  | 'gatehouse.jwks.loaded'
  | 'gatehouse.jwks.failed'
  | 'gatehouse.config.auth_disabled'
  | 'gatehouse.dpop.replay_store_unreachable'
  | 'gatehouse.dpop.replay_store_restored'
  | 'gatehouse.introspection.failed'
  | 'gatehouse.state.connected'
  | 'gatehouse.state.unreachable'
  | 'gatehouse.state.restored'
  | 'gatehouse.state.scripts_denied'
  | 'gatehouse.authz.allowed'
  | 'gatehouse.authz.filtered'
  | 'gatehouse.authz.reloaded'
  | 'gatehouse.authz.reload_failed'
  | 'gatehouse.authz.pdp_unreachable';

/** A structured audit record: `event` plus identity fields or the precise rejection detail. */
export interface AuditEvent {
  readonly event: AuditEventName;
  readonly [field: string]: unknown;
}
