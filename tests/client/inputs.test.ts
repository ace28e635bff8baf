/**
 * The one validator of date-time inputs (`createdBefore`, `--created-before`,
 * `revoke[n].createdBefore`): full ISO 8601 date-times with a zone that name
 * a real moment; everything `Date.parse` reads loosely or moves is refused.
 */
import assert from "node:assert/strict";
import { invalidDateTimeReason, isIsoDateTime } from "../../provider/client/inputs";

const EXPECTED = "an ISO 8601 date-time with a time zone, such as 2026-11-28T12:00:00Z";

describe("invalidDateTimeReason", () => {
  it("accepts full date-times with Z or an offset, seconds and fractions optional", () => {
    for (const value of [
      "2026-11-28T12:00:00Z",
      "2026-11-28T12:00Z",
      "2026-11-28T12:00:00.123456Z",
      "2026-11-28T13:00:00+01:00",
      "2024-02-29T23:59:59-23:59",
      "2000-02-29T00:00:00Z",
    ]) {
      assert.equal(invalidDateTimeReason("createdBefore", value), undefined, value);
      assert.equal(isIsoDateTime(value), true, value);
    }
  });

  it("refuses what Date.parse reads but is not a full date-time with a zone", () => {
    for (const value of [
      "2026-11-28",
      "Nov 28 2026",
      "2026-11-28T12:00:00",
      "2026-11-28 12:00:00Z",
      "2026-11-28t12:00:00z",
      "2026-11-28T12:00:00+0100",
    ]) {
      assert.ok(!Number.isNaN(Date.parse(value)), `Date.parse reads ${value}`);
      assert.equal(
        invalidDateTimeReason("createdBefore", value),
        `createdBefore must be ${EXPECTED}; got ${JSON.stringify(value)}`,
      );
    }
  });

  it("refuses calendar values that do not exist, which Date.parse moves or drops, naming the field out of range", () => {
    const cases: [string, string][] = [
      ["2026-02-30T00:00:00Z", "February 2026 has 28 days"],
      ["2026-02-29T00:00:00Z", "February 2026 has 28 days"],
      ["1900-02-29T00:00:00Z", "February 1900 has 28 days"],
      ["2026-04-31T00:00:00Z", "April 2026 has 30 days"],
      ["2026-11-00T00:00:00Z", "November 2026 has 30 days"],
      ["2026-13-01T00:00:00Z", "there is no month 13"],
      ["2026-11-28T24:00:00Z", "hours run from 00 to 23"],
      ["2026-11-28T23:60:00Z", "minutes run from 00 to 59"],
      ["2026-11-28T23:59:60Z", "seconds run from 00 to 59"],
      ["2026-11-28T12:00:00+24:00", "a zone offset runs from 00:00 to 23:59"],
    ];
    for (const [value, why] of cases) {
      assert.equal(
        invalidDateTimeReason("--created-before", value),
        `--created-before names a time that does not exist (${why}): use ${EXPECTED}; got ${JSON.stringify(value)}`,
      );
    }
    assert.equal(
      new Date(Date.parse("2026-02-30T00:00:00Z")).toISOString(),
      "2026-03-02T00:00:00.000Z",
      "what check used to let through",
    );
  });

  it("names a missing or non-text value, and quotes a hostile one cut short and escaped", () => {
    assert.equal(
      invalidDateTimeReason("revoke[0].createdBefore", null),
      `revoke[0].createdBefore is required: ${EXPECTED}`,
    );
    assert.equal(
      invalidDateTimeReason("createdBefore", 1795867200000),
      `createdBefore must be a string holding ${EXPECTED}, not number`,
    );
    const reason = invalidDateTimeReason("createdBefore", `\u001b[2J\u009b31m${"x".repeat(10_000)}`)!;
    assert.ok(reason.length < 200, `${reason.length} characters`);
    assert.match(reason, /got "\\u001b\[2J\\x9b31mx+…" \(10008 characters\)$/);
  });
});
