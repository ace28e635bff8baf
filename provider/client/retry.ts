/**
 * Retry timing: pure functions of their inputs, with time and randomness
 * passed in, so the client's retry loop can be tested exactly and instantly.
 * The figures follow Ping's own Go SDK (10 attempts, Retry-After and backoff
 * capped at 30 s) and its Terraform provider (a 10-minute deadline per
 * operation), with full jitter instead of the SDK's 0-100 ms.
 */

/** How the client retries transient failures. Every field is optional. */
export interface RetryOptions {
  /** Attempts per HTTP operation, the first included (default 10). */
  maxAttempts?: number;
  /** Wall-clock budget of one operation, retries and waits included (default 600,000 ms). */
  operationTimeoutMs?: number;
  /** Budget of one HTTP attempt; a slower answer is abandoned and retried (default 30,000 ms). */
  requestTimeoutMs?: number;
  /** First backoff step; attempt n waits a random time below `baseDelayMs * 2^n` (default 1,000 ms). */
  baseDelayMs?: number;
  /** Ceiling of one backoff wait (default 30,000 ms). */
  maxDelayMs?: number;
  /** Ceiling of a server-sent Retry-After wait (default 30,000 ms). */
  maxRetryAfterMs?: number;
}

/** Retry settings with every default applied. */
export type ResolvedRetry = Required<RetryOptions>;

/** The defaults, in one place. */
export const DEFAULT_RETRY = {
  maxAttempts: 10,
  operationTimeoutMs: 600_000,
  requestTimeoutMs: 30_000,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 30_000,
} satisfies ResolvedRetry;

/**
 * Parses a `Retry-After` header into a wait in milliseconds: either
 * delay-seconds ("2", "0.5") or an HTTP date. A date in the past gives 0;
 * an absent, empty or unparsable value gives `undefined` (the caller then
 * falls back to backoff).
 */
export function parseRetryAfter(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // HTTP dates always carry a weekday name or a month name; requiring a letter
  // keeps Date.parse from reading numeric garbage such as "-1" as a year.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Full-jitter exponential backoff: a uniformly random wait in
 * `[0, min(cap, base * 2^retry))`, where `retry` counts from 0 for the
 * first retry. `random` returns a number in [0, 1).
 */
export function fullJitterDelay(retry: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(retry, 30));
  return Math.floor(random() * ceiling);
}

/** Time and randomness, injected so tests run instantly and exactly. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1). */
  random(): number;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};
