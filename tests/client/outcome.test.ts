import assert from "node:assert/strict";
import { classify, classifyNetworkError, classifyStatus, combineRetryAfter } from "../../provider/client/outcome";
import type { HttpResult } from "../../provider/client/transport";

describe("classifyStatus", () => {
  const table: [number, string | undefined, string][] = [
    [200, undefined, "success"],
    [204, undefined, "success"],
    [302, undefined, "permanent"],
    [400, "INVALID_DATA", "permanent"],
    [401, "ACCESS_FAILED", "unauthorized"],
    [403, "ACCESS_FAILED", "permanent"],
    [404, "NOT_FOUND", "not-found"],
    [408, undefined, "transient"],
    [409, undefined, "permanent"],
    [429, "REQUEST_LIMITED", "transient"],
    [500, "UNEXPECTED_ERROR", "transient"],
    [501, undefined, "permanent"],
    [501, "UNEXPECTED_ERROR", "transient"],
    [502, undefined, "transient"],
    [503, undefined, "transient"],
    [504, undefined, "transient"],
  ];
  for (const [status, code, expected] of table) {
    it(`treats ${status}${code ? ` ${code}` : ""} as ${expected}`, () => {
      assert.equal(classifyStatus(status, code), expected);
    });
  }
});

describe("classifyNetworkError", () => {
  it("retries resets, refusals and timeouts", () => {
    for (const code of ["ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "ETIMEDOUT", "EPIPE"])
      assert.equal(classifyNetworkError(code), "transient", code);
  });
  it("does not retry unknown hosts, oversized answers or unknown failures", () => {
    for (const code of ["ENOTFOUND", "ERR_RESPONSE_TOO_LARGE", undefined])
      assert.equal(classifyNetworkError(code), "permanent", String(code));
  });
});

describe("combineRetryAfter", () => {
  it("takes the body's exact wait when it agrees with the whole-second header, the header when they disagree", () => {
    assert.equal(combineRetryAfter(1000, 4), 4, "Retry-After: 1 and 0.004 s: 4 ms");
    assert.equal(combineRetryAfter(0, 4), 4, "Retry-After: 0 and 0.004 s: 4 ms, not now");
    assert.equal(combineRetryAfter(3000, 2851), 2851);
    assert.equal(combineRetryAfter(1000, 1900), 1900, "within a second of the header: a rounding, not a disagreement");
    assert.equal(combineRetryAfter(1000, 4000), 1000, "a body of 4 where the header says 1: the documented unit wins");
    assert.equal(combineRetryAfter(undefined, 4), 4);
    assert.equal(combineRetryAfter(2000, undefined), 2000);
    assert.equal(combineRetryAfter(undefined, undefined), undefined);
  });

  it("reads a 429 of Retry-After: 0 with the exact wait in its body as that wait, and marks it throttled", () => {
    const body = JSON.stringify({
      id: "x",
      code: "REQUEST_LIMITED",
      message: "The request could not be completed due to rate limiting.",
      details: [{ code: "LIMIT_EXCEEDED", message: "m", innerError: { retryAfter: 0.004 } }],
    });
    const outcome = classify(
      {
        kind: "answer",
        status: 429,
        headers: { "retry-after": "0", "content-type": "application/json" },
        text: body,
      } as HttpResult,
      "api",
      "no-content",
      0,
    );
    assert.equal(outcome.kind, "transient");
    assert.equal(outcome.throttled, true);
    assert.equal(outcome.retryAfterMs, 4);
  });
});
