import assert from "node:assert/strict";
import { RetrySummary } from "../../cli/output";
import type { RetryNotice } from "../../provider/client/client";

const notice = (over: Partial<RetryNotice>): RetryNotice => ({
  target: { action: "revoke session", sessionId: "s1" },
  attempt: 1,
  maxAttempts: 10,
  delayMs: 4,
  retryAfter: true,
  throttled: true,
  reason: "HTTP 429 REQUEST_LIMITED",
  ...over,
});

describe("RetrySummary", () => {
  it("sums up a window's 429s in one line when the window ends, and what is left at flush", () => {
    let now = 0;
    const lines: string[] = [];
    const summary = new RetrySummary(
      (l) => lines.push(l),
      () => now,
    );
    for (let i = 0; i < 240; i++) {
      summary.note(notice({ delayMs: i === 7 ? 1500 : 4 }));
      now += 40;
    }
    assert.deepEqual(lines, [], "nothing before the window of 10 s ends");
    now = 10_000;
    summary.note(notice({}));
    assert.deepEqual(lines, ["rate limit: 240 requests delayed in the last 10 s (PingOne asked to wait up to 1.5 s)"]);
    now = 12_000;
    summary.flush();
    assert.equal(lines[1], "rate limit: 1 request delayed in the last 2 s (PingOne asked to wait up to 4 ms)");
    summary.flush();
    assert.equal(lines.length, 2, "an empty window writes nothing");
  });

  it("gives the first three faults of a window a line each, then one line for the rest", () => {
    let now = 0;
    const lines: string[] = [];
    const summary = new RetrySummary(
      (l) => lines.push(l),
      () => now,
    );
    for (let i = 0; i < 10; i++)
      summary.note(notice({ throttled: false, retryAfter: false, delayMs: 500, reason: `HTTP 503 try ${i}` }));
    assert.equal(lines.length, 3);
    assert.equal(lines[0], "retrying revoke session s1 in 0.5 s (attempt 2 of 10): HTTP 503 try 0");
    now = 3000;
    summary.flush();
    assert.equal(lines[3], "retried 7 more requests in the last 3 s, the last after: HTTP 503 try 9");
  });
});
