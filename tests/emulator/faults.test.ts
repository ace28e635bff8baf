// The pure fault machinery, with time and randomness under the test's control.

import { strict as assert } from "node:assert";

import { Chaos, FaultQueue, TokenBucket, mulberry32 } from "../../emulator/faults";

describe("emulator fault machinery", () => {
  describe("mulberry32", () => {
    it("repeats its sequence for a seed, differs between seeds, and stays in [0, 1)", () => {
      const a = mulberry32(123);
      const b = mulberry32(123);
      const c = mulberry32(124);
      const seqA = Array.from({ length: 1000 }, a);
      const seqB = Array.from({ length: 1000 }, b);
      const seqC = Array.from({ length: 1000 }, c);
      assert.deepEqual(seqA, seqB);
      assert.notDeepEqual(seqA, seqC);
      assert.ok(seqA.every((x) => x >= 0 && x < 1));
      const mean = seqA.reduce((sum, x) => sum + x, 0) / seqA.length;
      assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
    });
  });

  describe("Chaos", () => {
    it("never faults at rate 0 and always at rate 1, choosing among the given kinds", () => {
      const none = new Chaos({ seed: 1, rate: 0 });
      assert.ok(Array.from({ length: 200 }, () => none.next()).every((k) => k === undefined));
      const all = new Chaos({ seed: 1, rate: 1, kinds: ["500", "reset"] });
      const kinds = new Set(Array.from({ length: 200 }, () => all.next()));
      assert.deepEqual([...kinds].sort(), ["500", "reset"]);
    });

    it("faults about `rate` of requests and leaves 'slow' out by default", () => {
      const chaos = new Chaos({ seed: 77, rate: 0.3 });
      const draws = Array.from({ length: 2000 }, () => chaos.next());
      const share = draws.filter((k) => k !== undefined).length / draws.length;
      assert.ok(Math.abs(share - 0.3) < 0.04, `share ${share}`);
      assert.ok(!draws.includes("slow"));
    });

    it("considers only API requests unless includeToken", () => {
      const apiOnly = new Chaos({ seed: 1, rate: 1 });
      const withToken = new Chaos({ seed: 1, rate: 1, includeToken: true });
      assert.deepEqual(
        [apiOnly.eligible("api"), apiOnly.eligible("token"), apiOnly.eligible("other")],
        [true, false, false],
      );
      assert.equal(withToken.eligible("token"), true);
    });
  });

  describe("TokenBucket", () => {
    it("allows the burst, then refuses with Retry-After rounded up to whole seconds, then refills", () => {
      let now = 0;
      const bucket = new TokenBucket({ requestsPerSecond: 4, burst: 2 }, () => now);
      assert.deepEqual([bucket.take(), bucket.take()], [{ allowed: true }, { allowed: true }]);
      assert.deepEqual(bucket.take(), { allowed: false, retryAfterSeconds: 1 }); // 0.25 s away, at least 1
      now = 250;
      assert.deepEqual(bucket.take(), { allowed: true });
      now = 10_000;
      assert.deepEqual(
        [bucket.take(), bucket.take(), bucket.take().allowed],
        [{ allowed: true }, { allowed: true }, false],
      );
    });

    it("says how many seconds a slow bucket needs", () => {
      let now = 0;
      const bucket = new TokenBucket({ requestsPerSecond: 0.2 }, () => now);
      assert.deepEqual(bucket.take(), { allowed: true }); // the default burst is at least one
      assert.deepEqual(bucket.take(), { allowed: false, retryAfterSeconds: 5 });
      now = 2500;
      assert.deepEqual(bucket.take(), { allowed: false, retryAfterSeconds: 3 });
    });

    it("refuses a non-positive rate", () => {
      assert.throws(() => new TokenBucket({ requestsPerSecond: 0 }), /requestsPerSecond/);
    });
  });

  describe("FaultQueue", () => {
    it("uses faults in injection order, each for its count, by method and prefix", () => {
      const queue = new FaultQueue();
      queue.add({ method: "delete", path: "/v1/a", status: 500, count: 2 });
      queue.add({ path: "/v1/", status: 503 });
      assert.equal(queue.take("GET", "/v1/a")?.status, 503);
      assert.equal(queue.take("DELETE", "/v1/a/b")?.status, 500);
      assert.equal(queue.take("DELETE", "/v1/a/b")?.status, 500);
      assert.equal(queue.take("DELETE", "/v1/a/b"), undefined);
    });

    it("matches a global RegExp every time, not alternately", () => {
      const queue = new FaultQueue();
      queue.add({ path: /sessions/g, status: 500, count: 3 });
      const hits = [1, 2, 3].map(() => queue.take("GET", "/v1/x/sessions")?.status);
      assert.deepEqual(hits, [500, 500, 500]);
    });
  });
});
