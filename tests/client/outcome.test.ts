import assert from "node:assert/strict";
import { classifyNetworkError, classifyStatus } from "../../provider/client/outcome";

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
    for (const code of ["ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "ETIMEDOUT", "EPIPE"]) assert.equal(classifyNetworkError(code), "transient", code);
  });
  it("does not retry unknown hosts, oversized answers or unknown failures", () => {
    for (const code of ["ENOTFOUND", "ERR_RESPONSE_TOO_LARGE", undefined]) assert.equal(classifyNetworkError(code), "permanent", String(code));
  });
});
