/**
 * Issue 16 item 4: a `MaxListenersExceededWarning` on stderr during a
 * rate-limited sweep. Every request waiting out the client-wide Retry-After
 * pause slept on the one interrupt signal with an abort listener of its own;
 * past 10 at once, Node warns. The waits now share one listener.
 */
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { interruptibleClock } from "../../cli/common";

describe("interruptibleClock", () => {
  it("lets 50 waits share one abort listener, and the interrupt ends them all", async () => {
    const interrupt = new AbortController();
    const before = getEventListeners(interrupt.signal, "abort").length;
    const clock = interruptibleClock(undefined, interrupt.signal);
    const waits = Array.from({ length: 50 }, () => clock.sleep(60_000));
    assert.equal(getEventListeners(interrupt.signal, "abort").length - before, 1);
    interrupt.abort("SIGINT");
    await Promise.all(waits);
    assert.equal(
      await Promise.race([
        clock.sleep(60_000).then(() => "returned at once"),
        new Promise((r) => setImmediate(() => r("waited"))),
      ]),
      "returned at once",
    );
  });
});
