/**
 * What to do after one attempt: accept the answer, fetch a fresh token and
 * try again, wait and retry, or fail. A pure function of the classified
 * outcome, the attempt's place in the operation and the retry settings, so
 * every rule here is tested without a server or a clock.
 */
import type { FailureCode } from "./errors";
import type { Outcome } from "./outcome";
import { fullJitterDelay, ResolvedRetry } from "./retry";
import type { SettingName } from "./settings";
import { formatSeconds } from "./text";

/** Where an operation stands when an attempt's outcome is known. */
interface AttemptState {
  /** This attempt's number, from 1. */
  attempt: number;
  /** True when a fresh token may still be fetched after a 401 (client credentials, not done yet in this operation). */
  mayRefreshToken: boolean;
  /** Milliseconds left before the operation deadline. */
  msLeft: number;
  /** Attempts so far that failed with a fault (5xx, 408, no answer), this one included; default `attempt`. */
  faults?: number;
  /** Attempts so far that got a 429, this one included; default 0. */
  throttles?: number;
}

/** The rules' inputs that do not change within an operation. */
export interface RetryPolicy {
  /** Attempts, backoff and Retry-After limits. */
  settings: ResolvedRetry;
  /** A number in [0, 1), for full jitter. */
  random: () => number;
  /** How messages name a setting. */
  name: SettingName;
}

/** The next step. `fail` carries what to add to the outcome's reason. */
type Decision =
  | { action: "accept" }
  | { action: "refresh-token" }
  | { action: "retry"; delayMs: number; retryAfter: boolean }
  | { action: "fail"; reason?: string; failure?: FailureCode; advice?: string };

/**
 * Decides the next step. The rules, in order:
 * - success and PingOne's not-found are accepted;
 * - a 401 from the API gets one fresh token per operation;
 * - anything not transient fails at once;
 * - the last attempt (`maxAttempts`) fails, counting faults only (5xx, 408,
 *   no answer): a 429 is the licence saying "later", retried until the
 *   operation deadline;
 * - a server-sent Retry-After is first compared, as sent, with the time left
 *   before the operation deadline: when it asks for that long or longer, the
 *   operation fails now and says so; otherwise the wait is the Retry-After
 *   capped at `maxRetryAfterMs` (a hostile or mistaken header cannot stall a
 *   run);
 * - otherwise full-jitter backoff; a backoff that would end past the
 *   deadline fails now, too.
 */
export function decide(outcome: Outcome, state: AttemptState, policy: RetryPolicy): Decision {
  const { settings, random, name } = policy;
  if (outcome.kind === "success" || outcome.kind === "not-found") return { action: "accept" };
  if (outcome.kind === "unauthorized" && state.mayRefreshToken) return { action: "refresh-token" };
  if (outcome.kind !== "transient") return { action: "fail" };
  // A 429 is the licence saying "later", not a fault: only the deadline bounds its retries.
  const faults = state.faults ?? state.attempt;
  if (!outcome.throttled && faults >= settings.maxAttempts) {
    const throttles = state.throttles ?? 0;
    const counted =
      throttles === 0
        ? `${state.attempt} attempts`
        : `${faults} failed attempts and ${throttles} rate-limited ones, which do not count`;
    return { action: "fail", reason: `gave up after ${counted} (${name("maxAttempts")})` };
  }

  const left = Math.max(0, state.msLeft);
  if (outcome.retryAfterMs !== undefined) {
    // The server's own word is compared with the time left first: it says no
    // answer will come before then, so waiting less and trying anyway is futile.
    if (outcome.retryAfterMs >= left) {
      return {
        action: "fail",
        failure: "DEADLINE",
        reason: `the server asked to wait ${formatSeconds(outcome.retryAfterMs)} (Retry-After) but only ${formatSeconds(left)} remain before the operation deadline, so it fails now`,
        advice: `Run again later, or raise ${name("operationTimeoutSeconds")}.`,
      };
    }
    return { action: "retry", delayMs: Math.min(outcome.retryAfterMs, settings.maxRetryAfterMs), retryAfter: true };
  }
  const retry = outcome.throttled ? (state.throttles ?? 1) - 1 : faults - 1;
  const delayMs = fullJitterDelay(retry, settings.baseDelayMs, settings.maxDelayMs, random);
  if (delayMs >= left) {
    return {
      action: "fail",
      failure: "DEADLINE",
      reason: `the next retry would wait ${formatSeconds(delayMs)} but only ${formatSeconds(left)} remain before the operation deadline, so it fails now`,
      advice: `Run again later, or raise ${name("operationTimeoutSeconds")}.`,
    };
  }
  return { action: "retry", delayMs, retryAfter: false };
}
