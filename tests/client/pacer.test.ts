import assert from "node:assert/strict";
import { AdaptivePacer, PacerDeadlineError, PacerSignal, PacerTimers } from "../../provider/client/pacer";

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

/** Runs tasks on the pacer that answer with a given signal after a given time on the fake clock. */
function driver(pacer: AdaptivePacer, timers: FakeTimers) {
  const started: number[] = [];
  const launch = (signal: PacerSignal, durationMs: number, deadlineAt?: number) =>
    pacer.run(
      () =>
        new Promise<PacerSignal>((resolve) => {
          started.push(timers.now());
          timers.setTimeout(() => resolve(signal), durationMs);
        }),
      { signalOf: (s) => s, deadlineAt },
    );
  return { started, launch };
}

describe("AdaptivePacer", () => {
  it("opens at initialConcurrency and queues the rest", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ initialConcurrency: 4, maxConcurrency: 32 }, timers);
    const { started, launch } = driver(pacer, timers);
    for (let i = 0; i < 10; i++) void launch("ok", 20);
    await flush();
    assert.equal(started.length, 4);
    assert.equal(pacer.snapshot().queued, 6);
  });

  it("slow start: every answered request opens a quarter slot, up to maxConcurrency", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ initialConcurrency: 4, maxConcurrency: 10 }, timers);
    const { started, launch } = driver(pacer, timers);
    for (let i = 0; i < 100; i++) void launch("ok", 20);
    await flush();
    await timers.advance(20);
    // Four answers: the window is 5, and 5 were started at t=20.
    assert.equal(started.filter((t) => t === 20).length, 5);
    await timers.advance(200);
    assert.equal(pacer.snapshot().concurrencyLimit, 10);
    assert.equal(pacer.snapshot().roundTripMs, 20);
    assert.equal(pacer.snapshot().rate, 500);
  });

  it("on a 429 shrinks to the accepted rate times the round trip, once for all requests sent before, then spaces starts evenly", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ initialConcurrency: 10, maxConcurrency: 10 }, timers);
    const { started, launch } = driver(pacer, timers);
    // Round trip 1 (20 ms): 10 accepted. Round trip 2: 3 accepted, then 7 throttled.
    for (let i = 0; i < 10; i++) void launch("ok", 20);
    await flush();
    await timers.advance(20);
    for (let i = 0; i < 3; i++) void launch("ok", 20);
    for (let i = 0; i < 7; i++) void launch("throttled", 21);
    await flush();
    await timers.advance(21);
    const snap = pacer.snapshot();
    assert.equal(snap.throttles, 7);
    assert.equal(snap.slowStart, false);
    // 13 accepted in the last 100 ms, at 20 ms round trips: 2.6 requests fit per round trip; 95 % of that.
    assert.ok(Math.abs(snap.rate - 123.5) < 1e-9, `rate ${snap.rate}`);
    const before = started.length;
    for (let i = 0; i < 3; i++) void launch("ok", 20);
    await flush();
    await timers.advance(20);
    // One start every 20 / 2.47 = 8.1 ms.
    assert.deepEqual(started.slice(before).map((t) => Math.round(t)), [41, 49, 57]);
    // A 429 for a request sent after the decrease is news: the window shrinks again.
    await timers.advance(100);
    void launch("throttled", 20);
    await flush();
    await timers.advance(40);
    assert.ok(pacer.snapshot().rate < 123.5, `rate ${pacer.snapshot().rate}`);
  });

  it("after the first 429 adds a fixed number of requests per second each second: fast far below the last 429's window, slowly near it", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ initialConcurrency: 4, maxConcurrency: 32, minConcurrency: 1, probeRatePerSecond: 1, recoveryRatePerSecond: 10 }, timers);
    const { launch } = driver(pacer, timers);
    void launch("ok", 100);
    await flush();
    await timers.advance(100);
    void launch("throttled", 100);
    await flush();
    await timers.advance(100);
    assert.equal(pacer.snapshot().rate, 10, "cut to one request per 100 ms round trip");
    const second = async () => {
      // One second of answers with the pipe kept full: as many requests each 100 ms as the rate allows.
      for (let elapsed = 0; elapsed < 1000; elapsed += 100) {
        const n = Math.max(1, Math.round(pacer.snapshot().rate / 10));
        for (let k = 0; k < n; k++) void launch("ok", 100);
        await flush();
        for (let t = 0; t < 10; t++) await timers.advance(10);
      }
    };
    await second();
    const recovered = pacer.snapshot().rate;
    assert.ok(recovered > 15 && recovered < 21, `far below the 429's 40 req/s: close to +10 req/s in a second (${recovered})`);
    await second();
    await second();
    const near = pacer.snapshot().rate;
    assert.ok(near >= 36, `back near 90 % of the 429's window (${near})`);
    await second();
    const probed = pacer.snapshot().rate;
    assert.ok(probed - near > 0.3 && probed - near < 3, `near it: a few req/s in a second, far slower than the recovery (${near} -> ${probed})`);
  });

  it("halves the window on a 429 when nothing was accepted lately to measure", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ initialConcurrency: 8, maxConcurrency: 32 }, timers);
    const { launch } = driver(pacer, timers);
    void launch("throttled", 10);
    await flush();
    await timers.advance(10);
    assert.equal(pacer.snapshot().concurrencyLimit, 3, "8 / 2 x 0.95 = 3.8");
  });

  it("never shrinks below minConcurrency, and ignores requests that got no answer", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ initialConcurrency: 4, minConcurrency: 2 }, timers);
    const { launch } = driver(pacer, timers);
    for (let i = 0; i < 3; i++) {
      void launch("throttled", 5);
      await flush();
      await timers.advance(5);
    }
    assert.equal(pacer.snapshot().concurrencyLimit, 2);
    void launch("none", 5);
    await flush();
    await timers.advance(5);
    assert.equal(pacer.snapshot().concurrencyLimit, 2);
    assert.equal(pacer.snapshot().roundTripMs, 0, "no round-trip sample from a request without an answer");
  });

  it("drops a task still queued at its deadline with PacerDeadlineError, without starting it", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ initialConcurrency: 1, maxConcurrency: 1 }, timers);
    const { started, launch } = driver(pacer, timers);
    void launch("ok", 1000);
    const queued = launch("ok", 10, 50);
    const outcome = queued.then(() => "started", (e: Error) => e);
    await flush();
    await timers.advance(60);
    const error = await outcome;
    assert.ok(error instanceof PacerDeadlineError);
    assert.equal(started.length, 1);
    assert.equal(pacer.snapshot().queued, 0);
  });
});
