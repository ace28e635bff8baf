/**
 * SweepIncompleteError from real failures: a PingOne client against the
 * emulator over loopback sweeps a population while one user's session list
 * is refused and some DELETEs fail. The error has a stable code, the first
 * failure as `cause`, server text escaped, and a brand check that holds
 * across two loaded copies of the package, where `instanceof` does not.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { sweepSessions, SweepResult } from "../../provider/client/sweep";
import { SweepIncompleteError, SweepScope } from "../../provider/runtime/errors";
import { startWorld, World } from "../support/world";

// The other copy: what `npm run build` compiled, loaded as a second module graph.
const compiled = require(
  path.resolve(__dirname, "../../dist/provider/runtime/index.js"),
) as typeof import("../../provider/runtime");

describe("SweepIncompleteError", function () {
  this.timeout(30_000);
  let world: World;
  beforeEach(async () => {
    world = await startWorld({}, 0);
  });
  afterEach(async () => {
    await world.stop();
  });

  /** Four users of one population with two sessions each; user 0's list is refused, two DELETEs of user 1 fail. */
  async function partialSweep(dryRun = false) {
    const state = world.emulator.state;
    const env = world.environmentId;
    const population = state.addPopulation(env, { name: "Staff" });
    const users = Array.from({ length: 4 }, () => state.addUser(env, { populationId: population }));
    for (const u of users) for (let i = 0; i < 2; i++) state.addSession(env, u);
    const sessionsPath = (userId: string) => `/v1/environments/${env}/users/${userId}/sessions`;
    world.emulator.injectFault({
      method: "GET",
      path: sessionsPath(users[0]),
      status: 403,
      body: JSON.stringify({
        id: "5e1f0c2a-0000-4000-8000-000000000001",
        code: "ACCESS_FAILED",
        message: "Denied \u001b]0;owned\u0007 here.",
      }),
    });
    for (const s of state.listSessions(env, users[1]))
      world.emulator.injectFault({ method: "DELETE", path: `${sessionsPath(users[1])}/${s.id}`, reset: true });
    const { client } = world.client({ maxAttempts: 1 });
    let first: unknown;
    const result = await sweepSessions(client, {
      environmentId: env,
      users: { populationId: population },
      dryRun,
      userConcurrency: 1,
      onSession: (e) => (first ??= e.outcome === "failed" ? e.error : undefined),
    });
    const scope: SweepScope = { environmentId: env, users: `population ${population}`, shard: { index: 0, count: 1 } };
    return { result, first, scope, users, population };
  }

  it("counts the failures by code after every user and session was attempted, gives the first in full (escaped), and names the others", async () => {
    const { result, first, scope, users, population } = await partialSweep();
    const error = new SweepIncompleteError(scope, result, first, false);
    assert.equal(error.code, "SWEEP_INCOMPLETE");
    assert.equal(error.name, "SweepIncompleteError");
    assert.equal(error.cause, first);
    assert.equal((error.cause as { status?: number }).status, 403);
    assert.deepEqual(
      [error.counts.usersScanned, error.counts.usersFailed, error.counts.sessionsRevoked, error.counts.sessionsFailed],
      [4, 1, 4, 2],
    );
    assert.deepEqual(error.failuresByCode, { "ACCESS_FAILED (HTTP 403)": 1, "NO_ANSWER (ECONNRESET)": 2 });
    assert.match(
      error.message,
      new RegExp(
        `^The sweep of population ${population} in environment ${world.environmentId} \\(shard index 0 of 1\\) could not list the sessions of 1 of 4 users and could not revoke 2 of 6 matching sessions: ` +
          "2 NO_ANSWER \\(ECONNRESET\\), 1 ACCESS_FAILED \\(HTTP 403\\)\\. Every user and session was attempted: 4 revoked, 0 already absent\\. " +
          `First failure: Could not list sessions \\(user ${users[0]} in environment ${world.environmentId}\\): HTTP 403 ACCESS_FAILED Denied \\\\x1b\\]0;owned\\\\x07 here.*` +
          `Also failed: session [0-9a-f-]+ of user ${users[1]}, session [0-9a-f-]+ of user ${users[1]}\\. Once the cause is fixed, run the operation again: what was revoked stays revoked\\.$`,
      ),
    );
    assert.doesNotMatch(error.message, /\u001b|\u0007/);
    assert.equal(
      Object.keys(error).includes("cause"),
      false,
      "cause is not enumerable, so JSON of the error stays small",
    );
  });

  it("says a refresh could not count, and leaves the state as it was", async () => {
    const { result, first, scope } = await partialSweep(true);
    const error = new SweepIncompleteError({ ...scope, shard: undefined }, result, first, true);
    assert.match(
      error.message,
      /^The refresh of the sweep of population \S+ in environment \S+ could not list the sessions of 1 of 4 users: 1 ACCESS_FAILED \(HTTP 403\)\. Every user was attempted; 6 matching sessions were counted on the others, and the state is left as it was\. First failure: /,
    );
    assert.match(error.message, /Once the cause is fixed, run the operation again\.$/);
    assert.equal(world.emulator.state.sessionCount(), 8, "a dry run deletes nothing");
  });

  it("names and counts the rest when more failed than it quotes", () => {
    const result: SweepResult = {
      usersScanned: 900,
      usersInOtherShards: 0,
      usersFailed: 700,
      sessionsMatched: 400,
      sessionsRevoked: 400,
      sessionsAlreadyAbsent: 0,
      sessionsFailed: 0,
      failuresByCode: { "ACCESS_FAILED (HTTP 403)": 700 },
      firstFailures: ["a", "b", "c", "d", "e"].map((u) => ({ userId: u, message: `refused ${u}` })),
      revokedDigest: "00",
    };
    const error = new SweepIncompleteError({ environmentId: "E", users: "all users" }, result, undefined, false);
    assert.match(
      error.message,
      /^The sweep of all users in environment E could not list the sessions of 700 of 900 users: 700 ACCESS_FAILED \(HTTP 403\)\. /,
    );
    assert.match(error.message, /First failure: refused a Also failed: user b, user c, user d, user e and 695 more\. /);
  });

  it("is recognised by isInstance from either copy of the package, where instanceof fails", async () => {
    const { result, first, scope } = await partialSweep();
    const fromSources = new SweepIncompleteError(scope, result, first, false);
    const fromDist = new compiled.SweepIncompleteError(scope, result, first, false);
    assert.notEqual(compiled.SweepIncompleteError, SweepIncompleteError, "two copies are loaded");
    assert.equal(fromDist instanceof SweepIncompleteError, false);
    assert.equal(SweepIncompleteError.isInstance(fromDist), true);
    assert.equal(compiled.SweepIncompleteError.isInstance(fromSources), true);
    assert.equal(fromDist.message, fromSources.message);
    assert.equal(compiled.BulkRevocationError.isInstance(fromSources), false, "another code is another error");
    assert.equal(SweepIncompleteError.isInstance(new Error(fromSources.message)), false);
  });
});
