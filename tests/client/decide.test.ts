/**
 * The retry decision, rule by rule, as a pure function: no server, no clock.
 */
import assert from "node:assert/strict";
import { decide, RetryPolicy } from "../../provider/client/decide";
import { Outcome } from "../../provider/client/outcome";
import { DEFAULT_RETRY } from "../../provider/client/retry";

const policy: RetryPolicy = {
  settings: { ...DEFAULT_RETRY, maxAttempts: 3 },
  random: () => 0.5,
  name: (f) => `pingone:${f}`,
};
const state = (attempt: number, msLeft = 60_000, mayRefreshToken = true) => ({ attempt, msLeft, mayRefreshToken });
const transient: Outcome = { kind: "transient", reason: "HTTP 503" };

describe("decide", () => {
  it("accepts a success and PingOne's own not-found", () => {
    assert.deepEqual(decide({ kind: "success" }, state(1), policy), { action: "accept" });
    assert.deepEqual(decide({ kind: "not-found" }, state(1), policy), { action: "accept" });
  });

  it("refreshes the token once after a 401, then fails", () => {
    assert.deepEqual(decide({ kind: "unauthorized" }, state(1), policy), { action: "refresh-token" });
    assert.deepEqual(decide({ kind: "unauthorized" }, state(2, 60_000, false), policy), { action: "fail" });
  });

  it("fails anything permanent at once", () => {
    assert.deepEqual(decide({ kind: "permanent" }, state(1), policy), { action: "fail" });
  });

  it("backs off with full jitter, and gives up at maxAttempts naming the setting", () => {
    assert.deepEqual(decide(transient, state(1), policy), { action: "retry", delayMs: 500, retryAfter: false });
    assert.deepEqual(decide(transient, state(2), policy), { action: "retry", delayMs: 1000, retryAfter: false });
    assert.deepEqual(decide(transient, state(3), policy), {
      action: "fail",
      reason: "gave up after 3 attempts (pingone:maxAttempts)",
    });
  });

  it("does not count a 429 against maxAttempts: the licence saying later is retried until the deadline", () => {
    const throttled: Outcome = { kind: "transient", throttled: true, retryAfterMs: 4, failure: "HTTP_STATUS" };
    assert.deepEqual(decide(throttled, { ...state(50), faults: 0, throttles: 50 }, policy), {
      action: "retry",
      delayMs: 4,
      retryAfter: true,
    });
    // Without a hint it backs off by its own count of 429s, still not bounded by maxAttempts.
    assert.deepEqual(
      decide({ ...throttled, retryAfterMs: undefined }, { ...state(50), faults: 2, throttles: 1 }, policy),
      { action: "retry", delayMs: 500, retryAfter: false },
    );
    // The deadline still bounds it.
    assert.equal(decide(throttled, { ...state(50, 3), faults: 0, throttles: 50 }, policy).action, "fail");
  });

  it("counts faults only for maxAttempts, and says how many 429s came between", () => {
    assert.equal(decide(transient, { ...state(5), faults: 2, throttles: 3 }, policy).action, "retry");
    assert.deepEqual(decide(transient, { ...state(6), faults: 3, throttles: 3 }, policy), {
      action: "fail",
      reason: "gave up after 3 failed attempts and 3 rate-limited ones, which do not count (pingone:maxAttempts)",
    });
  });

  it("compares Retry-After, as sent, with the time left before capping it", () => {
    assert.deepEqual(decide({ ...transient, retryAfterMs: 3_600_000 }, state(1, 5_000), policy), {
      action: "fail",
      failure: "DEADLINE",
      reason:
        "the server asked to wait 3600 s (Retry-After) but only 5 s remain before the operation deadline, so it fails now",
      advice: "Run again later, or raise pingone:operationTimeoutSeconds.",
    });
    assert.deepEqual(
      decide({ ...transient, retryAfterMs: 45_000 }, state(1, 60_000), policy),
      { action: "retry", delayMs: 30_000, retryAfter: true },
      "capped at maxRetryAfterMs when it fits",
    );
    assert.deepEqual(decide({ ...transient, retryAfterMs: 2_000 }, state(1, 60_000), policy), {
      action: "retry",
      delayMs: 2_000,
      retryAfter: true,
    });
  });

  // The cases above give the same answer whichever comes first, the comparison or the cap. These do
  // not: the server asks for more than the cap (30 s) and the time left lies between the two. Compared
  // as sent, the wait cannot fit and the operation fails now; compared after capping, 30 s would fit
  // and it would wait 30 s for an answer the server said would not come.
  it("fails now when Retry-After exceeds the time left though its capped value would fit", () => {
    assert.equal(policy.settings.maxRetryAfterMs, 30_000, "the cases below straddle this cap");
    const between = [
      { retryAfterMs: 45_000, msLeft: 40_000, asked: "45", left: "40" },
      { retryAfterMs: 45_000, msLeft: 45_000, asked: "45", left: "45" },
      { retryAfterMs: 3_600_000, msLeft: 30_001, asked: "3600", left: "30" },
    ];
    for (const { retryAfterMs, msLeft, asked, left } of between) {
      assert.deepEqual(
        decide(
          { ...transient, throttled: true, retryAfterMs },
          { ...state(1, msLeft), faults: 0, throttles: 1 },
          policy,
        ),
        {
          action: "fail",
          failure: "DEADLINE",
          reason: `the server asked to wait ${asked} s (Retry-After) but only ${left} s remain before the operation deadline, so it fails now`,
          advice: "Run again later, or raise pingone:operationTimeoutSeconds.",
        },
        `Retry-After ${retryAfterMs} ms with ${msLeft} ms left`,
      );
    }
    // Just past what the server asked for, the wait fits, and is capped.
    assert.deepEqual(decide({ ...transient, retryAfterMs: 45_000 }, state(1, 45_001), policy), {
      action: "retry",
      delayMs: 30_000,
      retryAfter: true,
    });
  });

  it("fails now when the backoff would end past the deadline", () => {
    assert.deepEqual(decide(transient, state(1, 400), policy), {
      action: "fail",
      failure: "DEADLINE",
      reason: "the next retry would wait 0.5 s but only 0.4 s remain before the operation deadline, so it fails now",
      advice: "Run again later, or raise pingone:operationTimeoutSeconds.",
    });
  });
});
