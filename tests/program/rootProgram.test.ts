/**
 * The root Pulumi program (Pulumi.yaml at the repository root) under
 * `setMocks`, wiring only (the mock invents the outputs; what its resources
 * really do is in `programsThroughHost.test.ts`), and the config rules it
 * applies, which must be the provider's own.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { planRevocations } from "../../program/plan";
import { runProgram } from "../support/mocks";

const ENV = "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f";
const USER = "0f8fad5b-d9cb-469f-a165-70867728950e";
const SESSION = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const OTHER_USER = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed";

describe("root program under setMocks (wiring only: the mock invents the outputs)", function () {
  this.timeout(30_000);

  it("wires one SessionRevocation per session entry and one UserSessionsRevocation per user entry, and exports their outputs", async () => {
    const run = await runProgram(path.resolve(__dirname, "../../program/index.ts"), "pingone-sessions", {
      revoke: [
        { environmentId: ENV, userId: USER, sessionId: SESSION },
        { environmentId: ENV, userId: OTHER_USER, createdBefore: "2026-11-28T12:00:00Z" },
      ],
    });
    assert.deepEqual(
      run.resources.map((r) => [r.type, r.name]),
      [
        ["pulumi-nodejs:dynamic/pingone:SessionRevocation", `session-${SESSION}`],
        ["pulumi-nodejs:dynamic/pingone:UserSessionsRevocation", `user-${ENV}-${OTHER_USER}`],
      ],
    );
    assert.deepEqual(run.resources[0].inputs.sessionId, SESSION);
    assert.equal(run.resources[1].inputs.createdBefore, "2026-11-28T12:00:00Z");
    assert.equal(typeof run.resources[0].inputs.__provider, "string");
    assert.deepEqual(run.outputs.revocations, {
      [`session-${SESSION}`]: { outcome: "revoked", present: false },
      [`user-${ENV}-${OTHER_USER}`]: { revokedSessionIds: [`revoked-for-${OTHER_USER}`], present: false },
    });
  });

  it("declares nothing when the list is empty or absent", async () => {
    const run = await runProgram(path.resolve(__dirname, "../../program/index.ts"), "pingone-sessions", {});
    assert.deepEqual(run.resources, []);
  });
});

describe("planRevocations", () => {
  it("names the offending path and what it should hold", () => {
    const cases: [unknown, RegExp][] = [
      [{ environmentId: ENV }, /^revoke must be a list/],
      [[{ environmentId: ENV, userId: "bob" }], /^revoke\[0\]\.userId must be a PingOne id .*got "bob"$/],
      [
        [
          { environmentId: ENV, userId: USER, sessionId: SESSION },
          { environmentId: ENV, userId: USER, sessionId: "x" },
        ],
        /^revoke\[1\]\.sessionId must be a PingOne id/,
      ],
      [
        [{ environmentId: ENV, userId: USER, createdBefore: "last week" }],
        /^revoke\[0\]\.createdBefore must be an ISO 8601 date-time with a time zone, such as 2026-11-28T12:00:00Z; got "last week"$/,
      ],
      [
        [{ environmentId: ENV, userId: USER, createdBefore: "2026-11-28" }],
        /^revoke\[0\]\.createdBefore must be an ISO 8601 date-time with a time zone, such as 2026-11-28T12:00:00Z; got "2026-11-28"$/,
      ],
      [
        [{ environmentId: ENV, userId: USER, createdBefore: "Nov 28 2026" }],
        /^revoke\[0\]\.createdBefore must be an ISO 8601 date-time/,
      ],
      [
        [{ environmentId: ENV, userId: USER, createdBefore: "2026-02-30T00:00:00Z" }],
        /^revoke\[0\]\.createdBefore names a time that does not exist \(February 2026 has 28 days\)/,
      ],
      [
        [{ environmentId: ENV, userId: USER, createdBefore: 20261128 }],
        /^revoke\[0\]\.createdBefore must be a string holding an ISO 8601 date-time/,
      ],
      [
        [{ environmentId: ENV, userId: USER, sessionId: SESSION, createdBefore: "2026-01-01T00:00:00Z" }],
        /createdBefore applies only to a whole user's sessions/,
      ],
      [[{ environmentId: ENV, userId: USER, sesionId: SESSION }], /^revoke\[0\] has unknown keys: sesionId$/],
      [
        [
          { environmentId: ENV, userId: USER },
          { environmentId: ENV, userId: USER },
        ],
        /^revoke\[1\] repeats an earlier entry/,
      ],
      [["x"], /^revoke\[0\] must be an object/],
    ];
    for (const [raw, expected] of cases)
      assert.throws(() => planRevocations(raw), { message: expected }, JSON.stringify(raw));
  });
});
