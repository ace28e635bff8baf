import assert from "node:assert/strict";
import { fullJitterDelay, parseRetryAfter } from "../../provider/client/retry";

describe("retry timing", () => {
  const now = Date.parse("2026-11-28T12:00:00Z");

  describe("parseRetryAfter", () => {
    it("reads delay-seconds, whole and fractional", () => {
      assert.equal(parseRetryAfter("2", now), 2000);
      assert.equal(parseRetryAfter(" 0.25 ", now), 250);
      assert.equal(parseRetryAfter("0", now), 0);
    });
    it("reads an HTTP date as the time left until it", () => {
      assert.equal(parseRetryAfter("Sat, 28 Nov 2026 12:00:07 GMT", now), 7000);
    });
    it("reads an HTTP date in the past as no wait", () => {
      assert.equal(parseRetryAfter("Sat, 28 Nov 2026 11:59:00 GMT", now), 0);
    });
    it("ignores absent, empty, negative and garbage values", () => {
      for (const value of [undefined, "", "   ", "-1", "soon", "1e3", "12abc", "NaN"]) {
        assert.equal(parseRetryAfter(value, now), undefined, `value ${JSON.stringify(value)}`);
      }
    });
  });

  describe("fullJitterDelay", () => {
    it("spans [0, base*2^retry) and is capped", () => {
      assert.equal(
        fullJitterDelay(0, 1000, 30_000, () => 0),
        0,
      );
      assert.equal(
        fullJitterDelay(0, 1000, 30_000, () => 0.999),
        999,
      );
      assert.equal(
        fullJitterDelay(3, 1000, 30_000, () => 0.5),
        4000,
      );
      assert.equal(
        fullJitterDelay(10, 1000, 30_000, () => 0.5),
        15_000,
      );
      assert.equal(
        fullJitterDelay(1000, 1000, 30_000, () => 0.999),
        29_970,
      );
    });
  });
});
