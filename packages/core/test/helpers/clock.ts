/** A clock the test moves by hand, for expiry, cache and cooldown tests. */
export class FixedClock {
  constructor(private ms: number = Date.UTC(2026, 10, 22, 12, 0, 0)) {}

  readonly now = (): number => this.ms;

  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }

  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}
