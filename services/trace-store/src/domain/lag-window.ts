/** The last N projection lags in milliseconds, with percentiles. */
export class LagWindow {
  private values: number[] = [];
  private next = 0;

  constructor(private readonly size: number) {}

  record(ms: number): void {
    if (this.values.length < this.size) this.values.push(ms);
    else this.values[this.next] = ms;
    this.next = (this.next + 1) % this.size;
  }

  reset(): void {
    this.values = [];
    this.next = 0;
  }

  summary(): { count: number; p50: number; p99: number; max: number } {
    const sorted = [...this.values].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
    return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
  }
}
