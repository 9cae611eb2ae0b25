import type { AuthContext } from '../context.js';
import { ConnectionCounts } from '../observability/connections.js';
import type { Route } from '../pipeline/decision.js';
import type { Gatehouse } from '../pipeline/gatehouse.js';
import { requestView } from '../pipeline/request.js';
import { asAuthorization } from './credentials.js';
import type { ReauthenticationAnswer } from './protocol.js';
import { ConnectionRegistry, type EndConnection, type TrackedConnection } from './registry.js';

/** Where a connection was accepted: what an in-band re-authentication is checked against. */
export interface ConnectionOrigin {
  /** The route the handshake passed (its requirement applies to new credentials too). */
  readonly route: Route;
  /** The handshake's path (`/v1/stream`, `/pkg.Service/Method`). */
  readonly path: string;
  /** The handshake's method (`GET` for WebSocket upgrades, `POST` for gRPC). Default `GET`. */
  readonly method?: string;
  /** The client's address (for the failed-authentication throttle). */
  readonly remoteAddress?: string | undefined;
}

/**
 * One accepted connection: its identity now, and the in-band re-authentication its transport offers
 * when it opted in.
 */
export interface LiveConnection extends TrackedConnection {
  /**
   * Checks new credentials (a token, as it would follow `Bearer `) through the pipeline, with the
   * handshake's route: when they are valid and name the same identity (issuer and subject), they replace
   * the connection's, and its expiry moves to theirs. A refusal leaves the connection on its old
   * credentials. Never rejects.
   */
  reauthenticate(token: string): Promise<ReauthenticationAnswer>;
}

/**
 * The long-lived connections of one gate (`gate.connections`), whatever their transport: every binding
 * (WebSocket, Socket.IO, GraphQL over WebSocket, gRPC) tracks what it accepted here, so that metrics
 * count them together, one revocation closes them all, and `gate.close()` ends them (1001).
 *
 * @example
 * ```ts
 * const live = gate.connections.track(auth, 'websocket', (code, reason) => ws.close(code, reason), {
 *   route: gate.route(),
 *   path: '/v1/stream',
 * });
 * ws.once('close', () => live.ended());
 * ```
 */
export class LiveConnections {
  /** @internal */
  readonly registry: ConnectionRegistry;
  /** Open connections by transport and closes by cause (the `gatehouse_connections_*` metrics). */
  readonly counts = new ConnectionCounts();
  /**
   * Seconds past a token's `exp` before its connection closes: the gate's clock tolerance on `exp`
   * (`oidc.clockToleranceSecs`, 60 s by default), so that a connection closes when a new handshake with
   * the same token would be refused.
   */
  readonly expiryGraceSecs: number;

  /** @internal Built by the gate, once (`gate.connections`). */
  constructor(
    private readonly gate: Gatehouse,
    expiryGraceSecs: number,
  ) {
    this.expiryGraceSecs = expiryGraceSecs;
    this.registry = new ConnectionRegistry({
      revocations: gate.state.revocations.inForce,
      expiryGraceSecs,
      counts: this.counts,
    });
    gate.metrics.observeConnections(this.counts);
  }

  /** Connections open now. */
  get size(): number {
    return this.registry.size;
  }

  /** Starts watching an accepted connection; `end` is its transport's close. */
  track(auth: AuthContext, transport: string, end: EndConnection, origin: ConnectionOrigin): LiveConnection {
    return new Connection(this.gate, this.registry.track(auth, transport, end), origin);
  }

  /** Closes every connection (1001 `shutdown`); `gate.close()` calls it. */
  closeAll(): void {
    this.registry.closeAll();
  }
}

class Connection implements LiveConnection {
  constructor(
    private readonly gate: Gatehouse,
    private readonly tracked: TrackedConnection,
    private readonly origin: ConnectionOrigin,
  ) {}

  get auth(): AuthContext {
    return this.tracked.auth;
  }

  get transport(): string {
    return this.tracked.transport;
  }

  get open(): boolean {
    return this.tracked.open;
  }

  replace(auth: AuthContext): void {
    this.tracked.replace(auth);
  }

  ended(): void {
    this.tracked.ended();
  }

  async reauthenticate(token: string): Promise<ReauthenticationAnswer> {
    const { route, path, method, remoteAddress } = this.origin;
    const view = requestView({
      method: method ?? 'GET',
      path,
      url: path,
      authorization: token.length === 0 ? 'Bearer ' : asAuthorization(token),
      remoteAddress,
    });
    let decision: Awaited<ReturnType<Gatehouse['handle']>>;
    try {
      decision = await this.gate.handle(view, route);
    } catch {
      return failed('server_error', 'the credentials could not be checked');
    }
    if (!decision.admitted) return failed(decision.body.error, decision.body.error_description);
    const auth = decision.auth;
    if (auth === undefined) return failed('invalid_request', 'credentials required');
    const current = this.tracked.auth;
    if (auth.issuer !== current.issuer || auth.subject !== current.subject) {
      return failed('invalid_request', 'the new credentials name another identity');
    }
    if (!this.tracked.open) return failed('invalid_request', 'the connection is closed');
    this.tracked.replace(auth);
    const expiresAt = auth.expiresAt;
    return { type: 'reauthenticated', expiresAt: expiresAt ? Math.floor(expiresAt.getTime() / 1000) : null };
  }
}

function failed(error: string, description: string): ReauthenticationAnswer {
  return { type: 'reauthentication_failed', error, error_description: description };
}
