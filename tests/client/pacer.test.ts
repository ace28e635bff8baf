import assert from "node:assert/strict";
import { AdaptivePacer, PacerTimers } from "../../provider/client/pacer";

/** A manual clock: timers fire only when the test advances time. */
class FakeTimers implements PacerTimers {
  time = 0;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 1;
  now() {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number) {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, callback, id });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  async advance(ms: number) {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = next.at;
      next.callback();
      await flush();
    }
    this.time = end;
    await flush();
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Starts `count` tasks that stay pending until released; records when each started. */
function startTasks(pacer: AdaptivePacer, timers: FakeTimers, count: number) {
  const started: number[] = [];
  const releases: (() => void)[] = [];
  for (let i = 0; i < count; i++) {
    void pacer.run(
      () =>
        new Promise<void>((resolve) => {
          started.push(timers.now());
          releases.push(resolve);
        }),
    );
  }
  return { started, releases };
}

describe("AdaptivePacer", () => {
  it("starts at most maxConcurrency tasks, and the next one when a slot frees", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ maxConcurrency: 3 }, timers);
    const { started, releases } = startTasks(pacer, timers, 5);
    await flush();
    assert.equal(started.length, 3);
    releases[0]();
    await flush();
    assert.equal(started.length, 4);
    assert.deepEqual(pacer.snapshot(), { concurrencyLimit: 3, rate: Infinity, inFlight: 3, queued: 1, throttles: 0 });
  });

  it("on the first 429 sets the rate just below what got through in the last second, and cuts concurrency", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ maxConcurrency: 10 }, timers);
    for (let i = 0; i < 50; i++) pacer.record("ok");
    timers.time = 500;
    pacer.record("throttled");
    assert.equal(pacer.snapshot().rate, 45);
    assert.equal(pacer.snapshot().concurrencyLimit, 7);
  });

  it("counts a burst of 429s from one overshoot as one decrease", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ maxConcurrency: 10 }, timers);
    for (let i = 0; i < 100; i++) pacer.record("ok");
    pacer.record("throttled");
    pacer.record("throttled");
    pacer.record("throttled");
    assert.deepEqual([pacer.snapshot().rate, pacer.snapshot().concurrencyLimit, pacer.snapshot().throttles], [90, 7, 3]);
    timers.time = 1500;
    pacer.record("throttled");
    assert.equal(pacer.snapshot().rate, 81);
  });

  it("spaces starts by 1/rate once a rate is set", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ maxConcurrency: 100, initialRateShare: 1 }, timers);
    for (let i = 0; i < 10; i++) pacer.record("ok");
    pacer.record("throttled"); // rate = 10 per second
    const { started } = startTasks(pacer, timers, 5);
    await flush();
    await timers.advance(450);
    assert.deepEqual(started, [0, 100, 200, 300, 400]);
  });

  it("grows the rate by 1% a second of success, and concurrency by one per window of successes", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ maxConcurrency: 10 }, timers);
    for (let i = 0; i < 100; i++) pacer.record("ok");
    pacer.record("throttled"); // rate 90, limit 7
    timers.time = 10_000;
    for (let i = 0; i < 7; i++) pacer.record("ok");
    const snap = pacer.snapshot();
    assert.ok(Math.abs(snap.rate - 90 * 1.1) < 1e-9, `rate ${snap.rate}`);
    assert.equal(snap.concurrencyLimit, 8);
  });

  it("never shrinks below minConcurrency or a rate of 1", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ maxConcurrency: 2, decreaseCooldownMs: 1 }, timers);
    for (let i = 0; i < 30; i++) {
      timers.time += 10;
      pacer.record("throttled");
    }
    assert.deepEqual([pacer.snapshot().concurrencyLimit, pacer.snapshot().rate], [1, 1]);
  });
});
