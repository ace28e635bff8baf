/**
 * Adaptive pacing: how many requests a client has in flight and how fast it
 * starts new ones. PingOne answers an excess with 429, and Pulumi may hand one
 * provider process thousands of operations at once, so the client paces
 * itself instead of relying on retries:
 *
 * - Concurrency is AIMD: a 429 cuts the limit to 70 %, every `limit`
 *   unthrottled answers add one, never above `maxConcurrency`.
 * - The start rate is unbounded until the first 429; then it is set just
 *   below what actually got through in the last second, shrinks by 10 % on
 *   each later 429, and grows by 1 % a second while answers succeed. A run
 *   thus settles just under PingOne's rate without a storm of 429s.
 * - Several 429s for the same overshoot (requests already in flight) count as
 *   one: a decrease is followed by a cooldown.
 *
 * Time is injected (`PacerTimers`) so the policy is tested exactly.
 */

/** Tunables of the pacer; every field is optional. */
export interface PacerOptions {
  /** Most requests in flight (default 32). */
  maxConcurrency?: number;
  /** Fewest requests in flight the limit may shrink to (default 1). */
  minConcurrency?: number;
  /** Share of the observed rate kept on the first 429 (default 0.9). */
  initialRateShare?: number;
  /** Factor applied to the rate on each later 429 (default 0.9). */
  rateDecrease?: number;
  /** Share of the rate added per second of success (default 0.01). */
  rateIncreasePerSecond?: number;
  /** Factor applied to concurrency on a 429 (default 0.7). */
  concurrencyDecrease?: number;
  /** Minimum time between two decreases, in ms (default 1,000). */
  decreaseCooldownMs?: number;
}

/** Pacer settings with defaults applied. */
export type ResolvedPacerOptions = Required<PacerOptions>;

/** The defaults, in one place. */
export const DEFAULT_PACER = {
  maxConcurrency: 32,
  minConcurrency: 1,
  initialRateShare: 0.9,
  rateDecrease: 0.9,
  rateIncreasePerSecond: 0.01,
  concurrencyDecrease: 0.7,
  decreaseCooldownMs: 1_000,
} satisfies ResolvedPacerOptions;

/** The clock and timer the pacer uses. */
export interface PacerTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real timers. */
export const systemTimers: PacerTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** What the pacer reports about itself, for benchmarks and tests. */
export interface PacerSnapshot {
  concurrencyLimit: number;
  /** Starts per second; `Infinity` until the first 429. */
  rate: number;
  inFlight: number;
  queued: number;
  throttles: number;
}

/** What one answer told the pacer. */
export type PacerSignal = "ok" | "throttled";

/** Shares a concurrency limit and a start rate among every request of one client. */
export class AdaptivePacer {
  private readonly options: ResolvedPacerOptions;
  private limit: number;
  private rate = Infinity;
  private inFlight = 0;
  private nextStartAt = 0;
  private lastDecreaseAt = -Infinity;
  private lastIncreaseAt = 0;
  private successesSinceGrowth = 0;
  private throttles = 0;
  private readonly waiting: (() => void)[] = [];
  private timer?: unknown;
  /** Start times of the last second's successful requests, to estimate what got through. */
  private readonly recentSuccesses: number[] = [];

  /** Applies the defaults to `options`; `timers` default to the real ones. */
  constructor(options: PacerOptions = {}, private readonly timers: PacerTimers = systemTimers) {
    this.options = { ...DEFAULT_PACER, ...stripUndefined(options) };
    this.limit = this.options.maxConcurrency;
  }

  /** Runs `task` when a slot and the rate allow; the slot is freed when it settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.pump();
    });
    try {
      return await task();
    } finally {
      this.inFlight--;
      this.pump();
    }
  }

  /** Feeds back one answer: `throttled` for a 429, `ok` for anything else that came back. */
  record(signal: PacerSignal): void {
    const now = this.timers.now();
    if (signal === "throttled") {
      this.throttles++;
      if (now - this.lastDecreaseAt < this.options.decreaseCooldownMs) return;
      this.lastDecreaseAt = now;
      this.lastIncreaseAt = now;
      this.limit = Math.max(this.options.minConcurrency, Math.floor(this.limit * this.options.concurrencyDecrease));
      this.rate = Number.isFinite(this.rate)
        ? Math.max(1, this.rate * this.options.rateDecrease)
        : Math.max(1, this.observedRate(now) * this.options.initialRateShare);
      return;
    }
    this.recentSuccesses.push(now);
    if (++this.successesSinceGrowth >= this.limit && this.limit < this.options.maxConcurrency) {
      this.successesSinceGrowth = 0;
      this.limit++;
    }
    if (Number.isFinite(this.rate)) {
      const elapsed = Math.max(0, now - this.lastIncreaseAt) / 1000;
      this.rate *= 1 + this.options.rateIncreasePerSecond * elapsed;
      this.lastIncreaseAt = now;
    }
    this.pump();
  }

  /** The current limits, for reports and tests. */
  snapshot(): PacerSnapshot {
    return { concurrencyLimit: this.limit, rate: this.rate, inFlight: this.inFlight, queued: this.waiting.length, throttles: this.throttles };
  }

  private observedRate(now: number): number {
    while (this.recentSuccesses.length > 0 && this.recentSuccesses[0] <= now - 1000) this.recentSuccesses.shift();
    return this.recentSuccesses.length;
  }

  /** Starts as many waiting tasks as the limit and the rate allow; arms a timer for the next rate slot. */
  private pump(): void {
    while (this.waiting.length > 0 && this.inFlight < this.limit) {
      if (Number.isFinite(this.rate)) {
        const now = this.timers.now();
        if (this.nextStartAt > now) {
          if (this.timer === undefined) {
            this.timer = this.timers.setTimeout(() => {
              this.timer = undefined;
              this.pump();
            }, this.nextStartAt - now);
          }
          return;
        }
        this.nextStartAt = Math.max(now, this.nextStartAt) + 1000 / this.rate;
      }
      this.inFlight++;
      this.waiting.shift()!();
    }
    // Keep the success window short so memory stays flat during long runs.
    if (this.recentSuccesses.length > 10_000) this.recentSuccesses.splice(0, this.recentSuccesses.length - 10_000);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
