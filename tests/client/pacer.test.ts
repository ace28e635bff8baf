import assert from "node:assert/strict";
import {
  AdaptivePacer,
  PacerDeadlineError,
  PacerPauseError,
  PacerSignal,
  PacerTimers,
} from "../../provider/client/pacer";

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
  /** Options that keep the slow start's rate flat, so a test sees one rule at a time. */
  const flat = { slowStartDoublingMs: Infinity };

  it("sends a first wave of initialConcurrency at once, then paces starts at initialRatePerSecond", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ ...flat, initialConcurrency: 4, initialRatePerSecond: 100 }, timers);
    const { started, launch } = driver(pacer, timers);
    for (let i = 0; i < 10; i++) void launch("ok", 1000);
    await flush();
    // The wave of 4, and the first start of the schedule.
    assert.equal(started.length, 5);
    await timers.advance(30);
    assert.deepEqual(started, [0, 0, 0, 0, 0, 10, 20, 30]);
    assert.equal(pacer.snapshot().queued, 2);
  });

  it("slow start doubles the rate every slowStartDoublingMs while work waits, not while idle", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer(
      { initialConcurrency: 1, initialRatePerSecond: 100, slowStartDoublingMs: 100, maxConcurrency: 1000 },
      timers,
    );
    const { launch } = driver(pacer, timers);
    void launch("ok", 1);
    await flush();
    await timers.advance(1000);
    assert.equal(pacer.snapshot().rate, 100, "a second without work waiting: no growth");
    for (let i = 0; i < 1000; i++) void launch("ok", 1);
    await flush();
    await timers.advance(200);
    const rate = pacer.snapshot().rate;
    assert.ok(rate > 390 && rate < 410, `two doublings in 200 ms of waiting work: ${rate}`);
  });

  it("on the first 429 cuts to `decrease` times what the server accepted lately; a 429 for a request sent before the cut does not cut again", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer(
      { ...flat, initialConcurrency: 1, initialRatePerSecond: 100, decrease: 0.9 },
      timers,
    );
    const { started, launch } = driver(pacer, timers);
    // Every other request answered, the others not (no answer: not accepted), then 429s.
    for (let i = 0; i < 30; i++) void launch(i % 2 === 0 ? "ok" : "none", 10);
    for (let i = 0; i < 10; i++) void launch("throttled", 25);
    await flush();
    // Starts at 0, 0, 10, ... 290 (the first 429'd), 300 (the second, before the first 429 came back at 315).
    await timers.advance(316);
    assert.equal(started[30], 290);
    assert.equal(started[31], 300);
    const afterCut = pacer.snapshot();
    assert.equal(afterCut.slowStart, false);
    // 15 accepted in the 315 ms since the first start: 47.6 req/s, times 0.9.
    assert.ok(Math.abs(afterCut.rate - ((15 * 1000) / 315) * 0.9) < 0.1, `rate ${afterCut.rate}`);
    await timers.advance(10);
    const later = pacer.snapshot();
    assert.equal(later.throttles, 2);
    assert.ok(later.rate >= afterCut.rate, `the second 429 (old news) cut nothing: ${later.rate}`);
  });

  it("after the first 429 cuts the rate by `decrease` at each new 429 and probes upward only while work waits, so a quiet spell ends without a burst", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer(
      { ...flat, initialConcurrency: 1, initialRatePerSecond: 100, decrease: 0.5, burstMs: 20 },
      timers,
    );
    const { started, launch } = driver(pacer, timers);
    // One 429 leaves slow start: nothing accepted to measure, so the rate halves.
    const first = launch("throttled", 5);
    await flush();
    await timers.advance(6);
    await first;
    assert.equal(pacer.snapshot().rate, 50);
    // A second 429, for a request sent after the first cut: halved again.
    const second = launch("throttled", 5);
    await flush();
    await timers.advance(10);
    await second;
    assert.equal(pacer.snapshot().rate, 25);
    // Ten idle seconds: the rate stays where it was.
    await timers.advance(10_000);
    assert.equal(pacer.snapshot().rate, 25);
    // The work that comes back goes out at that rate: at most burstMs (or one interval) of starts at once.
    const before = started.length;
    for (let i = 0; i < 50; i++) void launch("ok", 5);
    await flush();
    const at = timers.now();
    assert.ok(started.slice(before).filter((t) => t === at).length <= 2, "no burst after the quiet spell");
    // Ten seconds with work waiting: the probe raises the rate.
    await timers.advance(10_000);
    assert.ok(pacer.snapshot().rate > 30, `grew while work waited: ${pacer.snapshot().rate}`);
  });

  it("pauseUntil holds every start, queued ones too, until the pause ends", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ ...flat, initialConcurrency: 1, initialRatePerSecond: 1000 }, timers);
    const { started, launch } = driver(pacer, timers);
    void launch("ok", 1);
    await flush();
    pacer.pauseUntil(500);
    for (let i = 0; i < 5; i++) void launch("ok", 1);
    await flush();
    await timers.advance(499);
    assert.equal(started.length, 1, "nothing started during the pause");
    assert.equal(pacer.snapshot().pausedUntil, 500);
    await timers.advance(1);
    assert.equal(started.length, 2, "the schedule restarts at the pause's end, one start at a time");
    assert.equal(started[1], 500);
  });

  it("fails a task whose deadline falls within a pause at once (queued or new) with PacerPauseError, and keeps the others", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ ...flat, initialConcurrency: 1, maxConcurrency: 1 }, timers);
    const { started, launch } = driver(pacer, timers);
    void launch("ok", 100);
    const short = launch("ok", 1, 300).then(
      () => "started",
      (e: Error) => e,
    );
    const long = launch("ok", 1, 5000).then(
      () => "started",
      (e: Error) => e,
    );
    await flush();
    pacer.pauseUntil(1000);
    await flush();
    const error = await short;
    assert.ok(error instanceof PacerPauseError, String(error));
    assert.equal(error.pauseMs, 1000);
    assert.equal(error.leftMs, 300);
    assert.equal(timers.now(), 0, "failed at once, not at its deadline");
    const fresh = await launch("ok", 1, 800).then(
      () => "started",
      (e: Error) => e,
    );
    assert.ok(fresh instanceof PacerPauseError, "a new task with no time for the pause fails at once too");
    await timers.advance(1001);
    assert.equal(await long, "started");
    assert.deepEqual(started, [0, 1000]);
  });

  it("ignores requests that got no answer", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ ...flat, initialConcurrency: 4 }, timers);
    const { launch } = driver(pacer, timers);
    void launch("none", 5);
    await flush();
    await timers.advance(5);
    assert.equal(pacer.snapshot().roundTripMs, 0, "no round-trip sample from a request without an answer");
    assert.equal(pacer.snapshot().slowStart, true);
  });

  it("drops a task still queued at its deadline with PacerDeadlineError, without starting it", async () => {
    const timers = new FakeTimers();
    const pacer = new AdaptivePacer({ initialConcurrency: 1, maxConcurrency: 1 }, timers);
    const { started, launch } = driver(pacer, timers);
    void launch("ok", 1000);
    const queued = launch("ok", 10, 50);
    const outcome = queued.then(
      () => "started",
      (e: Error) => e,
    );
    await flush();
    await timers.advance(60);
    const error = await outcome;
    assert.ok(error instanceof PacerDeadlineError);
    assert.equal(started.length, 1);
    assert.equal(pacer.snapshot().queued, 0);
  });
});
