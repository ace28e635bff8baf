/**
 * Adaptive pacing: how many requests a client keeps in flight. PingOne
 * answers an excess with 429 and Pulumi may hand one provider process
 * thousands of operations at once, so the client paces itself rather than
 * leaning on retries. The policy is TCP's, applied to a rate-limited API:
 *
 * - Slow start: the window opens at `initialConcurrency` and grows by a
 *   quarter slot per answered request (a quarter every round trip) until the
 *   first 429 or `maxConcurrency`. Gentler than TCP's doubling, because PingOne's
 *   burst allowance hides the limit until well past it.
 * - On a 429 the window shrinks to what the server actually accepted over
 *   the last few round trips (its rate times the latency: what fits under
 *   the limit). 429s for requests sent before that decrease are not counted
 *   again: they were sent before the news arrived.
 * - From then on starts are spaced evenly, one every round-trip time divided
 *   by the window, so the rate is controlled finely (a window of 5.3 is 6 %
 *   more than 5), and the rate probes upward by a fixed number of requests
 *   per second, each second of wall time, whatever the window and latency:
 *   `probeRatePerSecond` (2 req/s each second) near the window of the last
 *   429, `recoveryRatePerSecond` (20) when below 90 % of it (CUBIC's idea,
 *   simplified). Time-based, so a small window at a short latency (many
 *   answers a second) does not climb back in a blink; additive, so processes
 *   that share one licence converge to equal shares (AIMD: the faster one
 *   loses more at each cut, all gain alike). A run thus settles just under
 *   PingOne's rate with a 429 every few seconds. The request that got the 429 still waits its own Retry-After
 *   (the client's retry loop does that).
 *
 * The effective request rate is the window divided by the round-trip time;
 * both are in `snapshot()`. Time is injected (`PacerTimers`) so the policy is
 * tested exactly.
 */

/** Tunables of the pacer; every field is optional. */
export interface PacerOptions {
  /** Most requests in flight (default 32). */
  maxConcurrency?: number;
  /** Fewest requests in flight the window may shrink to (default 1). */
  minConcurrency?: number;
  /** The window before anything is known (default 10: a user's sessions, at most 10, go out in one wave). */
  initialConcurrency?: number;
  /** Slots added per answered request before the first 429 (default 0.25: the window grows by a quarter every round trip). */
  slowStartGrowth?: number;
  /** After the first 429, requests per second added to the rate each second, near the window of the last 429 (default 2). */
  probeRatePerSecond?: number;
  /** After the first 429, requests per second added to the rate each second, below 90 % of the window of the last 429 (default 20). */
  recoveryRatePerSecond?: number;
  /** Weight of a new round-trip sample in the smoothed round-trip time (default 0.125, as TCP). */
  roundTripGain?: number;
}

/** Pacer settings with defaults applied. */
export type ResolvedPacerOptions = Required<PacerOptions>;

/** The defaults, in one place. */
export const DEFAULT_PACER = {
  maxConcurrency: 32,
  minConcurrency: 1,
  initialConcurrency: 10,
  slowStartGrowth: 0.25,
  probeRatePerSecond: 2,
  recoveryRatePerSecond: 20,
  roundTripGain: 0.125,
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
  /** The window, rounded down: requests in flight per round trip. */
  concurrencyLimit: number;
  /** Requests per second the window allows at the current round-trip time (`Infinity` before any sample); once paced, the start rate. */
  rate: number;
  /** Smoothed round-trip time in ms (0 before any sample). */
  roundTripMs: number;
  inFlight: number;
  queued: number;
  /** 429 answers seen. */
  throttles: number;
  /** True until the first 429. */
  slowStart: boolean;
}

/** What one answer told the pacer: `throttled` for a 429, `ok` for any other answer, `none` when nothing answered. */
export type PacerSignal = "ok" | "throttled" | "none";

/** A task waited in the pacer's queue until its deadline passed; it was never started. */
export class PacerDeadlineError extends Error {
  /** Always `PacerDeadlineError`. */
  override readonly name = "PacerDeadlineError";
  /** Describes the queue the task was waiting in. */
  constructor(readonly stillQueued: number) {
    super(`waited for a request slot until the operation deadline (${stillQueued} other requests still queued)`);
  }
}

/** How `run` learns what an answer meant. */
export interface RunOptions<T> {
  /** Epoch ms after which a still-queued task is dropped with `PacerDeadlineError`. */
  deadlineAt?: number;
  /** Classifies the task's result for the pacer (default: `ok`). */
  signalOf?: (result: T) => PacerSignal;
}

/** Shares one adaptive window of in-flight requests among every request of a client. */
export class AdaptivePacer {
  private readonly options: ResolvedPacerOptions;
  private limit: number;
  private inFlight = 0;
  private slowStart = true;
  private roundTripMs = 0;
  private lastDecreaseAt = -Infinity;
  /** The window when the last 429 arrived: the rate known to be too much. */
  private throttledLimit = Infinity;
  private nextStartAt = 0;
  private timer?: unknown;
  private throttles = 0;
  private readonly waiting: (() => void)[] = [];
  /** Finish times of recent accepted answers, to count what the server took in the last round trip. */
  private readonly accepted: number[] = [];

  /** Applies the defaults to `options`; `timers` default to the real ones. */
  constructor(options: PacerOptions = {}, private readonly timers: PacerTimers = systemTimers) {
    this.options = { ...DEFAULT_PACER, ...stripUndefined(options) };
    this.limit = Math.min(this.options.initialConcurrency, this.options.maxConcurrency);
  }

  /**
   * Runs `task` when the window allows, and feeds its result back. With a
   * deadline, a task still queued then is dropped and the call rejects with
   * `PacerDeadlineError`, so queueing never carries an operation past it.
   */
  async run<T>(task: () => Promise<T>, options: RunOptions<T> = {}): Promise<T> {
    await this.acquire(options.deadlineAt);
    const started = this.timers.now();
    let signal: PacerSignal = "none";
    try {
      const result = await task();
      signal = options.signalOf ? options.signalOf(result) : "ok";
      return result;
    } finally {
      this.inFlight--;
      this.record(signal, started);
      this.pump();
    }
  }

  /** The current window, for reports and tests. */
  snapshot(): PacerSnapshot {
    return {
      concurrencyLimit: Math.floor(this.limit),
      rate: this.roundTripMs > 0 ? this.limit / (this.roundTripMs / 1000) : Infinity,
      roundTripMs: this.roundTripMs,
      inFlight: this.inFlight,
      queued: this.waiting.length,
      throttles: this.throttles,
      slowStart: this.slowStart,
    };
  }

  private acquire(deadlineAt: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: unknown;
      const start = () => {
        if (timer !== undefined) this.timers.clearTimeout(timer);
        resolve();
      };
      this.waiting.push(start);
      if (deadlineAt !== undefined) {
        timer = this.timers.setTimeout(() => {
          const index = this.waiting.indexOf(start);
          if (index < 0) return;
          this.waiting.splice(index, 1);
          reject(new PacerDeadlineError(this.waiting.length));
        }, Math.max(0, deadlineAt - this.timers.now()));
      }
      this.pump();
    });
  }

  private record(signal: PacerSignal, startedAt: number): void {
    if (signal === "none") return;
    const now = this.timers.now();
    const elapsedMs = now - startedAt;
    if (signal === "throttled") {
      this.throttles++;
      this.slowStart = false;
      // A request sent before the last decrease carries old news: the window already shrank for it.
      if (startedAt <= this.lastDecreaseAt) return;
      this.lastDecreaseAt = now;
      this.throttledLimit = this.limit;
      // Averaged over a few round trips: one round trip holds only a handful of answers.
      const windowMs = Math.max(4 * this.roundTripMs, 100);
      const accepted = this.acceptedSince(now - windowMs);
      // Nothing accepted lately (a licence busy with others' traffic) says nothing of the rate: halve.
      const fitsUnderLimit = accepted > 0 && this.roundTripMs > 0 ? (accepted / windowMs) * this.roundTripMs : this.limit / 2;
      // A little under what fit, so the burst allowance refills before the next probe.
      this.limit = Math.max(this.options.minConcurrency, Math.min(this.limit, fitsUnderLimit) * 0.95);
      return;
    }
    this.roundTripMs = this.roundTripMs === 0 ? elapsedMs : this.roundTripMs + this.options.roundTripGain * (elapsedMs - this.roundTripMs);
    this.accepted.push(now);
    if (this.accepted.length > 4096) this.accepted.splice(0, this.accepted.length - 2048);
    // The rate is limit / roundTrip and answers come that often: adding c * roundTrip^2 / limit to the
    // window per answer adds c requests per second to the rate each second.
    const perSecond = this.limit < 0.9 * this.throttledLimit ? this.options.recoveryRatePerSecond : this.options.probeRatePerSecond;
    const roundTripS = this.roundTripMs / 1000;
    const growth = this.slowStart ? this.options.slowStartGrowth : (perSecond * roundTripS * roundTripS) / this.limit;
    this.limit = Math.min(this.options.maxConcurrency, this.limit + growth);
  }

  private acceptedSince(from: number): number {
    let count = 0;
    for (let i = this.accepted.length - 1; i >= 0 && this.accepted[i] >= from; i--) count++;
    return count;
  }

  private pump(): void {
    const paced = !this.slowStart && this.roundTripMs > 0;
    // While paced, the spacing sets the rate; the cap only bounds a latency spike.
    const cap = paced ? Math.min(this.options.maxConcurrency, Math.ceil(this.limit) * 2) : Math.max(1, Math.floor(this.limit));
    while (this.waiting.length > 0 && this.inFlight < cap) {
      if (paced) {
        const now = this.timers.now();
        if (this.nextStartAt > now) {
          this.timer ??= this.timers.setTimeout(() => {
            this.timer = undefined;
            this.pump();
          }, this.nextStartAt - now);
          return;
        }
        this.nextStartAt = Math.max(now, this.nextStartAt) + this.roundTripMs / this.limit;
      }
      this.inFlight++;
      this.waiting.shift()!();
    }
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
