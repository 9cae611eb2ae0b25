/**
 * The counts of long-lived connections (WebSocket, Socket.IO, GraphQL over WebSocket, gRPC streams):
 * plain integers in memory, read when metrics are collected (`gatehouse_connections_open{transport}` and
 * `gatehouse_connections_closed_total{transport, cause}`). Label values come from code only: transport
 * names given by the bindings, and the closed set of {@link ConnectionCloseCause}s.
 */

/**
 * Why a connection ended: `revoked` (a revocation covers its identity), `expired` (its token's `exp`
 * passed), `shutdown` (the server closed every connection), `ended` (the peer or the application
 * closed it).
 */
export type ConnectionCloseCause = 'revoked' | 'expired' | 'shutdown' | 'ended';

/** One label set and its count. */
export interface ConnectionCount {
  readonly transport: string;
  readonly cause?: ConnectionCloseCause;
  readonly value: number;
}

/**
 * Open connections by transport and closes by transport and cause, since start.
 *
 * @example
 * ```ts
 * const counts = new ConnectionCounts();
 * counts.opened('websocket');
 * counts.closed('websocket', 'revoked');
 * counts.open(); // [{ transport: 'websocket', value: 0 }]
 * ```
 */
export class ConnectionCounts {
  private readonly openBy = new Map<string, number>();
  private readonly closedBy = new Map<
    string,
    { transport: string; cause: ConnectionCloseCause; value: number }
  >();

  /** Counts a connection that opened. */
  opened(transport: string): void {
    this.openBy.set(transport, (this.openBy.get(transport) ?? 0) + 1);
  }

  /** Counts a connection that ended, and why. */
  closed(transport: string, cause: ConnectionCloseCause): void {
    this.openBy.set(transport, Math.max(0, (this.openBy.get(transport) ?? 0) - 1));
    const key = `${transport}\n${cause}`;
    const entry = this.closedBy.get(key);
    if (entry === undefined) this.closedBy.set(key, { transport, cause, value: 1 });
    else entry.value++;
  }

  /** Connections open now, by transport (every transport seen since start, 0 included). */
  open(): ConnectionCount[] {
    return [...this.openBy].map(([transport, value]) => ({ transport, value }));
  }

  /** Connections closed since start, by transport and cause. */
  closes(): ConnectionCount[] {
    return [...this.closedBy.values()].map((entry) => ({ ...entry }));
  }
}
