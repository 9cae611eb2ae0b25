/** A timed load run, sent by the orchestrator to the load-generator process. */
export interface LoadRequest {
  readonly id: number;
  readonly url: string;
  /** File with one `Authorization` value per line; requests cycle through them. */
  readonly headersFile: string;
  readonly durationSecs: number;
  readonly connections: number;
}

/** What one run measured. Latencies in milliseconds. */
export interface LoadResult {
  readonly id: number;
  readonly requests: number;
  readonly elapsedSecs: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly statusCodes: Record<string, number>;
  readonly errors: number;
  readonly timeouts: number;
  /** CPU the load generator used, as a fraction of one core (near 1.0: it may be the bottleneck). */
  readonly loadCpu: number;
}
