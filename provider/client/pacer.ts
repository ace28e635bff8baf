/**
 * Adaptive pacing: when the client's requests start. PingOne answers an
 * excess with 429 and Pulumi may hand one provider process thousands of
 * operations at once, so the client learns the licence's rate from the 429s
 * and sends at it, rather than leaning on retries. A window of requests in
 * flight alone cannot do that: close to the server (0-10 ms) a window of 10
 * is thousands of requests a second, far past any licence. So the pacer
 * paces starts by rate, whatever the latency, and the window only bounds a
 * latency spike:
 *
 * - Slow start, before the first 429: starts are paced at a rate that opens
 *   at `initialRatePerSecond` and doubles every `slowStartDoublingMs` of
 *   saturated time (time with work waiting that only the rate held back),
 *   with up to `initialConcurrency` starts in hand (a user's 10 sessions go
 *   out together after its list). Time-based, so the overshoot past the licence is at most one
 *   doubling at any latency, and a 0 ms server cannot be flooded.
 * - On a 429 (for a request sent after the last cut: older ones carry old
 *   news) the rate is cut: at the first one, to `decrease` times what the
 *   server accepted lately (at most one doubling ago, the licence's rate plus
 *   its burst); later, to `decrease` times the rate. This is TCP's AIMD
 *   applied to a rate, so several processes on one licence converge to equal
 *   shares from their own 429s alone (the faster one loses more at each cut,
 *   all gain alike).
 * - Between cuts the rate grows by `probeRatePerSecond` requests per second
 *   each second, or by `probePercentPerSecond` of the rate if that is more,
 *   and only in saturated time: a client that had no work, was held by the
 *   in-flight cap, or waited out a pause does not grow, so a quiet spell never
 *   turns into a burst of 429s when the work comes back. Tokens do not pile
 *   up either: after the first cut at most `burstMs` of rate (at least one
 *   start) may go out at once, enough to catch up with a late timer on a busy
 *   machine, far below any licence's burst.
 * - A pause (`pauseUntil`) holds every start, queued or new, until a time:
 *   the client sets one from a 429's Retry-After so that the whole client
 *   waits it out, not only the request that got it. A queued task whose
 *   deadline falls within a pause is failed at once (`PacerPauseError`)
 *   rather than held to its deadline.
 *
 * A run thus settles just under the licence's rate with a 429 every few
 * seconds. Time is injected (`PacerTimers`) so the policy is tested exactly.
 */

/** Tunables of the pacer; every field is optional. */
export interface PacerOptions {
  /** Most requests in flight (default 32): bounds a latency spike; the rate does the pacing. */
  maxConcurrency?: number;
  /** Before the first 429, starts that may go out at once after a pause in the work (default 10: a user's sessions, at most 10, go out in one wave). */
  initialConcurrency?: number;
  /** Start rate before the first 429, requests per second (default 100). */
  initialRatePerSecond?: number;
  /** Before the first 429, the rate doubles every this many ms of saturated time (default 400; at least two round trips). */
  slowStartDoublingMs?: number;
  /** Factor applied to the rate on a 429 (default 0.9). */
  decrease?: number;
  /** After the first 429, requests per second added to the rate each second of saturated time, at least (default 2). */
  probeRatePerSecond?: number;
  /** After the first 429, percent of the rate added each second of saturated time, when more than `probeRatePerSecond` (default 2). */
  probePercentPerSecond?: number;
  /** After the first 429, the probe doubles every this many ms of saturated time without a 429, up to 32-fold (default 1000). */
  probeDoublingMs?: number;
  /** The rate never falls below this many requests per second (default 1). */
  minRatePerSecond?: number;
  /**
   * After the first 429, the most starts that may go out at once, as ms of rate (default 40: a
   * timer late by that much on a busy machine costs no rate; at least one start).
   */
  burstMs?: number;
  /** Weight of a new round-trip sample in the smoothed round-trip time (default 0.125, as TCP). */
  roundTripGain?: number;
}

/** Pacer settings with defaults applied. */
type ResolvedPacerOptions = Required<PacerOptions>;

/** The defaults, in one place. */
export const DEFAULT_PACER = {
  maxConcurrency: 32,
  initialConcurrency: 10,
  initialRatePerSecond: 100,
  slowStartDoublingMs: 400,
  decrease: 0.9,
  probeRatePerSecond: 2,
  probePercentPerSecond: 2,
  probeDoublingMs: 1000,
  minRatePerSecond: 1,
  burstMs: 40,
  roundTripGain: 0.125,
} satisfies ResolvedPacerOptions;

/** The clock and timer the pacer uses. */
export interface PacerTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The clock a pause is kept in: the client's own (its Retry-After waits are
 * in it), so that a test's fake clock governs pauses as it governs retries.
 */
interface PauseClock {
  /** Epoch ms. */
  now(): number;
  /** Resolves after `ms`. */
  sleep(ms: number): Promise<void>;
}

/** Real timers. */
const systemTimers: PacerTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** What the pacer reports about itself, for benchmarks and tests. */
export interface PacerSnapshot {
  /** The in-flight cap. */
  concurrencyLimit: number;
  /** The start rate, requests per second. */
  rate: number;
  /** Smoothed round-trip time in ms (0 before any sample). */
  roundTripMs: number;
  inFlight: number;
  queued: number;
  /** 429 answers seen. */
  throttles: number;
  /** True until the first 429. */
  slowStart: boolean;
  /** Epoch ms until which no request starts (0: no pause). */
  pausedUntil: number;
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

/** A task's deadline falls within a pause (a server's Retry-After): it fails now rather than wait for nothing. */
export class PacerPauseError extends Error {
  /** Always `PacerPauseError`. */
  override readonly name = "PacerPauseError";
  /** `pauseMs`: how long the pause still holds; `leftMs`: the time left before the task's deadline. */
  constructor(
    readonly pauseMs: number,
    readonly leftMs: number,
  ) {
    super(`the client is paused for ${pauseMs} ms (Retry-After) and the deadline is ${leftMs} ms away`);
  }
}

/** How `run` learns what an answer meant. */
interface RunOptions<T> {
  /** Epoch ms after which a still-queued task is dropped with `PacerDeadlineError`. */
  deadlineAt?: number;
  /** Classifies the task's result for the pacer (default: `ok`). */
  signalOf?: (result: T) => PacerSignal;
}

interface Waiter {
  start: () => void;
  fail: (error: Error) => void;
  deadlineAt?: number;
}

/** Paces the starts of every request of a client at a rate learned from the server's 429s. */
export class AdaptivePacer {
  private readonly options: ResolvedPacerOptions;
  private rate: number;
  private inFlight = 0;
  private slowStart = true;
  private roundTripMs = 0;
  /** When the last cut was made: a 429 for a request started before it is old news. */
  private lastDecreaseAt = -Infinity;
  /** Start time of the next request on the rate's schedule; may lag `now` by the burst allowance. */
  private nextStartAt = -Infinity;
  /** Until when nothing starts (a Retry-After). */
  private pausedUntil = 0;
  /** The rate when the last cut was made. */
  private ceiling = 0;
  /** When the first request started. */
  private firstStartAt?: number;
  /** Saturated time since the last cut, ms: the probe speeds up with it. */
  private quietMs = 0;
  /** Last time the rate's growth was accounted for. */
  private grownAt?: number;
  /** Whether the time since `grownAt` is saturated: work waiting that only the rate (not the cap, a pause or a lack of work) holds back. */
  private saturated = false;
  private timer?: unknown;
  private timerAt = Infinity;
  private throttles = 0;
  private readonly waiting: Waiter[] = [];
  /** Finish times of recent accepted answers, to measure what the server took at the first 429. */
  private readonly accepted: number[] = [];

  /** True while a pause is being waited out. */
  private holding = false;

  /** Applies the defaults to `options`; `timers` (the rate's) and `clock` (pauses and deadlines) default to the real ones. */
  constructor(
    options: PacerOptions = {},
    private readonly timers: PacerTimers = systemTimers,
    private readonly clock: PauseClock = {
      now: () => timers.now(),
      sleep: (ms) => new Promise((resolve) => timers.setTimeout(resolve, ms)),
    },
  ) {
    this.options = { ...DEFAULT_PACER, ...stripUndefined(options) };
    this.rate = this.options.initialRatePerSecond;
  }

  /**
   * Runs `task` when the rate allows, and feeds its result back. With a
   * deadline, a task still queued then is dropped and the call rejects with
   * `PacerDeadlineError`, so queueing never carries an operation past it; a
   * task whose deadline falls within a pause rejects at once with
   * `PacerPauseError`.
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

  /**
   * Holds every start until `until` (epoch ms), queued or not; a later pause
   * extends it, an earlier one changes nothing. Queued tasks whose deadline
   * falls before its end fail now with `PacerPauseError`.
   */
  pauseUntil(until: number): void {
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    const now = this.clock.now();
    for (const waiter of [...this.waiting]) {
      if (waiter.deadlineAt !== undefined && waiter.deadlineAt <= until) {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        waiter.fail(new PacerPauseError(until - now, waiter.deadlineAt - now));
      }
    }
    this.pump();
  }

  /** The current rate and queue, for reports and tests. */
  snapshot(): PacerSnapshot {
    return {
      concurrencyLimit: this.options.maxConcurrency,
      rate: this.rate,
      roundTripMs: this.roundTripMs,
      inFlight: this.inFlight,
      queued: this.waiting.length,
      throttles: this.throttles,
      slowStart: this.slowStart,
      pausedUntil: this.pausedUntil,
    };
  }

  private acquire(deadlineAt: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const clockNow = this.clock.now();
      if (deadlineAt !== undefined && this.pausedUntil > clockNow && deadlineAt <= this.pausedUntil) {
        reject(new PacerPauseError(this.pausedUntil - clockNow, deadlineAt - clockNow));
        return;
      }
      const now = this.timers.now();
      let timer: unknown;
      const waiter: Waiter = {
        deadlineAt,
        start: () => {
          if (timer !== undefined) this.timers.clearTimeout(timer);
          resolve();
        },
        fail: (error) => {
          if (timer !== undefined) this.timers.clearTimeout(timer);
          reject(error);
        },
      };
      this.waiting.push(waiter);
      if (deadlineAt !== undefined) {
        timer = this.timers.setTimeout(
          () => {
            timer = undefined;
            const index = this.waiting.indexOf(waiter);
            if (index < 0) return;
            this.waiting.splice(index, 1);
            reject(new PacerDeadlineError(this.waiting.length));
          },
          Math.max(0, deadlineAt - now),
        );
      }
      this.pump();
    });
  }

  private record(signal: PacerSignal, startedAt: number): void {
    if (signal === "none") return;
    const now = this.timers.now();
    if (signal === "throttled") {
      this.throttles++;
      // A request sent before the last cut carries old news: the rate already fell for it.
      if (startedAt <= this.lastDecreaseAt) return;
      this.grow(now);
      this.lastDecreaseAt = now;
      this.quietMs = 0;
      let base = this.rate;
      if (this.slowStart) {
        this.slowStart = false;
        // What the server took over the last doubling: at most the licence's rate plus its burst.
        // Never longer than the pacer has been sending: a window reaching before the first start would dilute the rate.
        const windowMs = Math.min(
          Math.max(this.options.slowStartDoublingMs, 2 * this.roundTripMs),
          now - (this.firstStartAt ?? now),
        );
        const accepted = this.acceptedSince(now - windowMs);
        if (accepted > 0 && windowMs > 0) base = Math.min(base, (accepted * 1000) / windowMs);
      }
      this.ceiling = this.rate;
      this.rate = Math.max(this.options.minRatePerSecond, base * this.options.decrease);
      // The schedule restarts from now: nothing saved up before the cut goes out at the new rate.
      this.nextStartAt = Math.max(this.nextStartAt, now);
      return;
    }
    const elapsedMs = now - startedAt;
    this.roundTripMs =
      this.roundTripMs === 0
        ? elapsedMs
        : this.roundTripMs + this.options.roundTripGain * (elapsedMs - this.roundTripMs);
    if (this.slowStart) {
      this.accepted.push(now);
      if (this.accepted.length > 4096) this.accepted.splice(0, this.accepted.length - 2048);
    }
  }

  private acceptedSince(from: number): number {
    let count = 0;
    for (let i = this.accepted.length - 1; i >= 0 && this.accepted[i] >= from; i--) count++;
    return count;
  }

  /**
   * Adds the growth due since the last account, when the time was saturated:
   * work waiting, no pause, room under the in-flight cap.
   */
  private grow(now: number): void {
    const since = this.grownAt ?? now;
    this.grownAt = now;
    if (!this.saturated || now <= since) return;
    const seconds = (now - since) / 1000;
    if (this.slowStart) {
      // At least two round trips a doubling: news of the limit takes one to come back.
      this.rate *= 2 ** ((now - since) / Math.max(this.options.slowStartDoublingMs, 2 * this.roundTripMs));
    } else {
      // The probe doubles every `probeDoublingMs` of saturated time without a 429 (at most 32-fold): a process that
      // rarely gets 429s (a small share of a shared licence, or one whose neighbours finished) claims the room soon.
      const base = Math.max(this.options.probeRatePerSecond, (this.rate * this.options.probePercentPerSecond) / 100);
      const tau = this.options.probeDoublingMs;
      const cap = 5 * tau;
      const from = Math.min(this.quietMs, cap);
      this.quietMs += now - since;
      const to = Math.min(this.quietMs, cap);
      const accelerated = (base * tau * (2 ** (to / tau) - 2 ** (from / tau))) / 1000 / Math.LN2;
      // Far below the rate of the last cut (a deep first cut, a cut for old news), the gap closes fast:
      // with a time constant of one second, up to `decrease` times that rate, where 429s were not yet coming.
      const gap = this.options.decrease * this.ceiling - this.rate;
      const recovery = gap > 0 ? gap * (1 - Math.exp(-seconds)) : 0;
      this.rate += Math.max(accelerated + base * 32 * (seconds - (to - from) / 1000), recovery);
    }
  }

  private pump(): void {
    const now = this.timers.now();
    this.grow(now);
    this.startDue(now);
    this.saturated = this.waiting.length > 0 && this.inFlight < this.options.maxConcurrency && !this.holding;
  }

  private startDue(now: number): void {
    if (this.holding) return;
    while (this.waiting.length > 0 && this.inFlight < this.options.maxConcurrency) {
      const pauseMs = this.pausedUntil - this.clock.now();
      if (pauseMs > 0) {
        // Waited out in the client's clock; nothing starts meanwhile, and the schedule restarts after it.
        this.holding = true;
        void this.clock.sleep(pauseMs).then(() => {
          this.holding = false;
          this.nextStartAt = Math.max(this.nextStartAt, this.timers.now());
          this.pump();
        });
        return;
      }
      const interval = 1000 / this.rate;
      // After a quiet spell the schedule catches up with now, keeping some starts in hand: before the first 429,
      // `initialConcurrency` of them (a user's sessions go out in one wave after its list); after it, burstMs of rate.
      const allowance = this.slowStart
        ? this.options.initialConcurrency * interval
        : Math.max(interval, this.options.burstMs);
      if (this.nextStartAt < now - allowance) this.nextStartAt = now - allowance;
      if (this.nextStartAt > now) {
        this.wakeAt(this.nextStartAt);
        return;
      }
      this.nextStartAt += interval;
      this.inFlight++;
      this.firstStartAt ??= now;
      this.waiting.shift()!.start();
    }
  }

  /** One timer, for the earliest time something may start. */
  private wakeAt(at: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.timers.setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.pump();
      },
      Math.max(0, at - this.timers.now()),
    );
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
