// Deciding which requests misbehave: scripted faults, seeded chaos and the rate limiter (the licence
// and each source address's share of it).
// Pure decisions only; server.ts turns a decision into an HTTP answer.

import { isIP } from "node:net";

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
  if (!(options.rate >= 0 && options.rate <= 1))
    throw new RangeError(`chaos.rate must be between 0 and 1, got ${options.rate}`);
  const kinds = options.kinds ?? [...DEFAULT_CHAOS_KINDS];
  if (kinds.length === 0) throw new RangeError("chaos.kinds must not be empty");
  for (const kind of kinds) {
    if (!ALL_CHAOS_KINDS.includes(kind)) throw new RangeError(`chaos.kinds has unknown kind ${JSON.stringify(kind)}`);
  }
  const slowMs = options.slowMs ?? 5000;
  if (!(slowMs >= 0 && Number.isFinite(slowMs)))
    throw new RangeError(`chaos.slowMs must be a non-negative number, got ${slowMs}`);
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
  if (typeof spec.path !== "string" && !(spec.path instanceof RegExp))
    throw new RangeError("fault.path must be a string or a RegExp");
  const count = spec.count ?? 1;
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`fault.count must be a positive integer, got ${spec.count}`);
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

  constructor(
    limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(limit.requestsPerSecond > 0 && Number.isFinite(limit.requestsPerSecond))) {
      throw new RangeError(`rateLimit.requestsPerSecond must be a positive number, got ${limit.requestsPerSecond}`);
    }
    // Below one request a second the default burst is one, else no request could ever pass.
    const burst = limit.burst ?? Math.max(1, limit.requestsPerSecond);
    if (!(burst >= 1 && Number.isFinite(burst)))
      throw new RangeError(`rateLimit.burst must be at least 1, got ${limit.burst}`);
    this.rate = limit.requestsPerSecond;
    this.capacity = burst;
    this.tokens = burst;
    this.last = now();
  }

  /** Spends one token, or says how many whole seconds until one is available (at least 1, as Retry-After needs an integer). */
  take(): TakeResult {
    const waitMs = this.waitMs();
    if (waitMs === 0) {
      this.spend();
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: wholeSeconds(waitMs) };
  }

  /** Milliseconds until a token is available (0: one is), after refilling; spends nothing. */
  waitMs(): number {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.rate) * 1000;
  }

  /** Spends one token; call only after `waitMs()` returned 0 at the same instant. */
  spend(): void {
    this.tokens -= 1;
  }
}

/** Seconds for a Retry-After header: whole, at least 1. */
export function wholeSeconds(ms: number): number {
  // The epsilon keeps float noise (5000.000001 ms) from adding a whole second.
  return Math.max(1, Math.ceil(ms / 1000 - 1e-9));
}

/** The licence limit with every default applied. */
export interface ResolvedRateLimit {
  requestsPerSecond: number;
  burst: number;
  perSourceIpShare: number;
  allowedSourceIps: ReadonlySet<string>;
}

/** PingOne's default share of the licence rate one source address may use. */
export const DEFAULT_PER_SOURCE_IP_SHARE = 0.35;
/** Sources exempt from the per-address share unless told otherwise: the loopback address a single local client uses. */
export const DEFAULT_ALLOWED_SOURCE_IPS: readonly string[] = ["127.0.0.1"];

/** Outcome of asking the licence for one request from one source. */
export type LimitDecision =
  | { allowed: true }
  | {
      allowed: false;
      /** Milliseconds until a request from this source would be accepted. */
      waitMs: number;
      /** The rate, in requests per second, of the limit that refused: the licence's or the source's share. */
      quotaLimit: number;
    };

/**
 * PingOne's rate limit: one token bucket for the licence, and for each source address not in
 * `allowedSourceIps` a bucket of `perSourceIpShare` of the licence's rate and burst (at least 1).
 * A request passes only if both have a token, and then spends one of each; a refused request spends
 * nothing. Throws RangeError naming the offending field.
 */
export class LicenceRateLimiter {
  readonly limit: ResolvedRateLimit;
  private readonly licence: TokenBucket;
  private readonly sources = new Map<string, TokenBucket>();

  constructor(
    limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.licence = new TokenBucket(limit, now);
    const share = limit.perSourceIpShare ?? DEFAULT_PER_SOURCE_IP_SHARE;
    if (
      limit.retryAfterHeader !== undefined &&
      limit.retryAfterHeader !== "whole-seconds" &&
      limit.retryAfterHeader !== "zero"
    ) {
      throw new RangeError(
        `rateLimit.retryAfterHeader must be "whole-seconds" or "zero", got ${JSON.stringify(limit.retryAfterHeader)}`,
      );
    }
    if (!(share > 0 && share <= 1))
      throw new RangeError(`rateLimit.perSourceIpShare must be in (0, 1], got ${limit.perSourceIpShare}`);
    const allowed = limit.allowedSourceIps ?? DEFAULT_ALLOWED_SOURCE_IPS;
    if (!Array.isArray(allowed) || allowed.some((ip) => typeof ip !== "string" || !isIP(ip))) {
      throw new RangeError(
        `rateLimit.allowedSourceIps must be an array of IP addresses, got ${JSON.stringify(limit.allowedSourceIps)}`,
      );
    }
    this.limit = {
      requestsPerSecond: this.licence.rate,
      burst: this.licence.capacity,
      perSourceIpShare: share,
      allowedSourceIps: new Set(allowed.map(normalizeAddress)),
    };
  }

  /** Takes one request from `source` (a remote address), or says how long it must wait and which limit refused. */
  take(source: string): LimitDecision {
    const bucket = this.sourceBucket(normalizeAddress(source));
    const licenceWait = this.licence.waitMs();
    const sourceWait = bucket ? bucket.waitMs() : 0;
    if (licenceWait === 0 && sourceWait === 0) {
      this.licence.spend();
      bucket?.spend();
      return { allowed: true };
    }
    return sourceWait > licenceWait && bucket
      ? { allowed: false, waitMs: sourceWait, quotaLimit: bucket.rate }
      : { allowed: false, waitMs: licenceWait, quotaLimit: this.licence.rate };
  }

  private sourceBucket(source: string): TokenBucket | undefined {
    if (this.limit.allowedSourceIps.has(source)) return undefined;
    let bucket = this.sources.get(source);
    if (!bucket) {
      const { requestsPerSecond, burst, perSourceIpShare } = this.limit;
      // Rounded, so 0.1 x 0.3 is reported as the 0.03 it means (quotaLimit), not 0.030000000000000002.
      const rate = Math.round(requestsPerSecond * perSourceIpShare * 1e9) / 1e9;
      bucket = new TokenBucket(
        { requestsPerSecond: rate, burst: Math.max(1, Math.round(burst * perSourceIpShare * 1e9) / 1e9) },
        this.now,
      );
      this.sources.set(source, bucket);
    }
    return bucket;
  }
}

/** An IPv4 address as an IPv4-mapped IPv6 socket reports it ("::ffff:127.0.0.2") is the IPv4 address. */
export function normalizeAddress(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
