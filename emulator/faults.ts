// Deciding which requests misbehave: scripted faults, seeded chaos and the rate limiter.
// Pure decisions only; server.ts turns a decision into an HTTP answer.

import type { ChaosKind, ChaosOptions, FaultSpec, RateLimit } from "./types";

/** Every chaos kind, in the order used to pick one. */
export const ALL_CHAOS_KINDS: readonly ChaosKind[] = ["429", "500", "502", "503", "504", "reset", "slow"];

/** Chaos kinds used when `ChaosOptions.kinds` is absent: "slow" is left out because it is meant to outlast client timeouts. */
export const DEFAULT_CHAOS_KINDS: readonly ChaosKind[] = ["429", "500", "502", "503", "504", "reset"];

/** Chaos settings with defaults applied. */
export type ResolvedChaos = Required<ChaosOptions>;

/**
 * mulberry32: a tiny, fast 32-bit PRNG; good enough to spread faults, and reproducible from one integer.
 * Returns a function yielding numbers in [0, 1). Accepts any number (truncated to 32 bits).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Applies chaos defaults. Throws RangeError naming the offending field. */
export function resolveChaos(options: ChaosOptions): ResolvedChaos {
  if (!Number.isFinite(options.seed)) throw new RangeError("chaos.seed must be a finite number");
  if (!(options.rate >= 0 && options.rate <= 1)) throw new RangeError(`chaos.rate must be between 0 and 1, got ${options.rate}`);
  const kinds = options.kinds ?? [...DEFAULT_CHAOS_KINDS];
  if (kinds.length === 0) throw new RangeError("chaos.kinds must not be empty");
  for (const kind of kinds) {
    if (!ALL_CHAOS_KINDS.includes(kind)) throw new RangeError(`chaos.kinds has unknown kind ${JSON.stringify(kind)}`);
  }
  const slowMs = options.slowMs ?? 5000;
  if (!(slowMs >= 0 && Number.isFinite(slowMs))) throw new RangeError(`chaos.slowMs must be a non-negative number, got ${slowMs}`);
  return {
    seed: options.seed,
    rate: options.rate,
    kinds,
    retryAfter: options.retryAfter ?? "1",
    slowMs,
    includeToken: options.includeToken ?? false,
  };
}

/**
 * Seeded chaos. Each eligible request draws once to decide whether it is faulted and, if so,
 * once more to choose the kind, so the sequence depends only on the seed and the request order.
 */
export class Chaos {
  readonly options: ResolvedChaos;
  private readonly random: () => number;

  /** Throws RangeError on invalid options (see `resolveChaos`). */
  constructor(options: ChaosOptions) {
    this.options = resolveChaos(options);
    this.random = mulberry32(this.options.seed);
  }

  /** Whether chaos considers this request at all; ineligible requests do not advance the PRNG. */
  eligible(kind: "api" | "token" | "other"): boolean {
    return kind === "api" || (kind === "token" && this.options.includeToken);
  }

  /** The fault for the next eligible request, or undefined to leave it alone. */
  next(): ChaosKind | undefined {
    if (this.random() >= this.options.rate) return undefined;
    const kinds = this.options.kinds;
    return kinds[Math.floor(this.random() * kinds.length)];
  }
}

/** A fault in the queue, with how many uses it has left. */
interface QueuedFault {
  spec: FaultSpec;
  remaining: number;
}

/** Throws RangeError if the spec cannot be honoured, naming the field. */
export function validateFault(spec: FaultSpec): void {
  if (typeof spec.path !== "string" && !(spec.path instanceof RegExp)) throw new RangeError("fault.path must be a string or a RegExp");
  const count = spec.count ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`fault.count must be a positive integer, got ${spec.count}`);
  if (spec.status !== undefined && !(Number.isInteger(spec.status) && spec.status >= 100 && spec.status <= 599)) {
    throw new RangeError(`fault.status must be an HTTP status 100..599, got ${spec.status}`);
  }
  if (spec.status !== undefined && spec.reset) throw new RangeError("fault cannot set both status and reset");
  if (spec.delayMs !== undefined && !(spec.delayMs >= 0 && Number.isFinite(spec.delayMs))) {
    throw new RangeError(`fault.delayMs must be a non-negative number, got ${spec.delayMs}`);
  }
  if (spec.status === undefined && !spec.reset && spec.delayMs === undefined) {
    throw new RangeError("fault needs at least one of status, reset or delayMs");
  }
}

/** Scripted faults, tried in the order injected; the first match is used and its count decremented. */
export class FaultQueue {
  private faults: QueuedFault[] = [];

  /** Throws RangeError on an invalid spec (see `validateFault`). */
  add(spec: FaultSpec): void {
    validateFault(spec);
    this.faults.push({ spec, remaining: spec.count ?? 1 });
  }

  /** Drops every queued fault. */
  clear(): void {
    this.faults = [];
  }

  /** Takes one use of the first fault matching the request, or returns undefined. */
  take(method: string, pathWithQuery: string): FaultSpec | undefined {
    if (this.faults.length === 0) return undefined;
    for (let i = 0; i < this.faults.length; i++) {
      const fault = this.faults[i];
      if (!matches(fault.spec, method, pathWithQuery)) continue;
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults.splice(i, 1);
      return fault.spec;
    }
    return undefined;
  }
}

function matches(spec: FaultSpec, method: string, pathWithQuery: string): boolean {
  if (spec.method !== undefined && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  if (typeof spec.path === "string") return pathWithQuery.startsWith(spec.path);
  spec.path.lastIndex = 0; // a /g or /y RegExp keeps state between tests; matching must not depend on history
  return spec.path.test(pathWithQuery);
}

/** Outcome of asking the bucket for one request. */
export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Token bucket: refills `requestsPerSecond` tokens a second up to `burst` (default: the rate, at least 1); starts full.
 * Time is injected so tests can be exact. Throws RangeError on a non-positive rate or burst.
 */
export class TokenBucket {
  readonly rate: number;
  readonly capacity: number;
  private tokens: number;
  private last: number;

  constructor(limit: RateLimit, private readonly now: () => number = () => performance.now()) {
    if (!(limit.requestsPerSecond > 0 && Number.isFinite(limit.requestsPerSecond))) {
      throw new RangeError(`rateLimit.requestsPerSecond must be a positive number, got ${limit.requestsPerSecond}`);
    }
    // Below one request a second the default burst is one, else no request could ever pass.
    const burst = limit.burst ?? Math.max(1, limit.requestsPerSecond);
    if (!(burst >= 1 && Number.isFinite(burst))) throw new RangeError(`rateLimit.burst must be at least 1, got ${limit.burst}`);
    this.rate = limit.requestsPerSecond;
    this.capacity = burst;
    this.tokens = burst;
    this.last = now();
  }

  /** Spends one token, or says how many whole seconds until one is available (at least 1, as Retry-After needs an integer). */
  take(): TakeResult {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true };
    }
    const seconds = (1 - this.tokens) / this.rate;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(seconds)) };
  }
}
