/**
 * A series of steps (changes, trials) with an optional failover forced a third of the way through: the
 * series goes on while the failover lasts, and a third of its length more once it is over.
 */
export class FailoverWindow {
  private failing: Promise<void> | undefined;
  private end: number;
  private current = 0;
  /** How long the failover took, once it is over. */
  tookMs: number | undefined;

  constructor(
    private readonly count: number,
    private readonly failover?: () => Promise<unknown>,
  ) {
    this.end = count;
  }

  /** Whether step `n` runs (and starts the failover when `n` is a third of the way through). */
  step(n: number): boolean {
    this.current = n;
    if (this.failover !== undefined && this.failing === undefined && n === Math.floor(this.count / 3)) {
      const started = Date.now();
      this.failing = this.failover().then(() => {
        this.tookMs = Date.now() - started;
        this.end = Math.max(this.count, this.current + Math.floor(this.count / 3));
      });
    }
    return n < this.end || (this.failing !== undefined && this.tookMs === undefined);
  }

  /** Resolves once the failover (if any) is over. */
  async done(): Promise<void> {
    await this.failing;
  }
}
