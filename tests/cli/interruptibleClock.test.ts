import assert from "node:assert/strict";
import { interruptibleClock } from "../../cli/common";

describe("interruptibleClock", () => {
  it("holds many waits on one interrupt signal without a MaxListenersExceededWarning, and wakes them all on interrupt", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const interrupt = new AbortController();
      const clock = interruptibleClock(undefined, interrupt.signal);
      const started = Date.now();
      // As many waits at once as a rate limit gives a sweep: one per retried request.
      const waits = Array.from({ length: 200 }, () => clock.sleep(60_000));
      await new Promise((resolve) => setImmediate(resolve));
      interrupt.abort();
      await Promise.all(waits);
      assert.ok(Date.now() - started < 5_000, "the interrupt ended every wait at once");
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings.map((w) => w.name), []);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("ends a wait after its time when nothing interrupts it", async () => {
    const clock = interruptibleClock(undefined, new AbortController().signal);
    const started = Date.now();
    await clock.sleep(30);
    assert.ok(Date.now() - started >= 25);
  });
});
