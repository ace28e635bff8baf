/**
 * BulkRevocationError from real failures: a PingOne client against the
 * emulator over loopback revokes a user's sessions while some DELETEs fail.
 * The error has a stable code, the first failure as `cause`, and a brand
 * check that holds across two loaded copies of the package (the compiled
 * `dist/` and these sources), where `instanceof` does not.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { revokeUserSessions } from "../../provider/client/bulk";
import { PingOneConfigError } from "../../provider/client/settings";
import { BulkRevocationError } from "../../provider/runtime/errors";
import { startWorld, World } from "../support/world";

// The other copy: what `npm run build` compiled, loaded as a second module graph.
const compiled = require(
  path.resolve(__dirname, "../../dist/provider/runtime/index.js"),
) as typeof import("../../provider/runtime");

describe("BulkRevocationError", function () {
  this.timeout(30_000);
  let world: World;
  beforeEach(async () => {
    world = await startWorld({}, 3);
  });
  afterEach(async () => {
    await world.stop();
  });

  async function partialFailure() {
    const { client } = world.client({ maxAttempts: 1 });
    const user = { environmentId: world.environmentId, userId: world.userId };
    const [denied, , gone] = world.emulator.state.listSessions(world.environmentId, world.userId).map((s) => s.id);
    world.emulator.injectFault({
      method: "DELETE",
      path: `/v1/environments/${world.environmentId}/users/${world.userId}/sessions/${denied}`,
      status: 403,
    });
    world.emulator.injectFault({
      method: "DELETE",
      path: `/v1/environments/${world.environmentId}/users/${world.userId}/sessions/${gone}`,
      status: 404,
    });
    const outcome = await revokeUserSessions(client, user, undefined);
    return { user, outcome, denied, gone };
  }

  it("has a stable code, the first failure as cause, and counts by kind", async () => {
    const { user, outcome, denied, gone } = await partialFailure();
    const error = new BulkRevocationError(user, outcome);
    assert.equal(error.code, "SESSIONS_NOT_REVOKED");
    assert.equal(error.name, "BulkRevocationError");
    assert.equal(error.cause, outcome.failed[0].error);
    assert.equal((error.cause as { status?: number }).status, 403);
    assert.deepEqual(
      [error.total, error.revoked.length, error.alreadyAbsent, error.failed.map((f) => f.sessionId)],
      [3, 1, [gone], [denied]],
    );
    assert.match(
      error.message,
      new RegExp(
        `^1 of 3 sessions of user ${world.userId} in environment ${world.environmentId} could not be revoked: 1 ACCESS_FAILED \\(HTTP 403\\); 1 revoked, 1 already absent\\. First failure: Could not revoke session \\(session ${denied} `,
      ),
    );
    assert.equal(
      Object.keys(error).includes("cause"),
      false,
      "cause is not enumerable, so JSON of the error stays small",
    );
  });

  it("is recognised by isInstance from either copy of the package, where instanceof fails", async () => {
    const { user, outcome } = await partialFailure();
    const fromSources = new BulkRevocationError(user, outcome);
    const fromDist = new compiled.BulkRevocationError(user, outcome);
    assert.notEqual(compiled.BulkRevocationError, BulkRevocationError, "two copies are loaded");
    assert.equal(fromDist instanceof BulkRevocationError, false);
    assert.equal(BulkRevocationError.isInstance(fromDist), true);
    assert.equal(compiled.BulkRevocationError.isInstance(fromSources), true);
    assert.equal(fromDist.message, fromSources.message, "the other copy reads the failures the same way");
    assert.equal(BulkRevocationError.isInstance(new Error(fromSources.message)), false);
    // The brand alone is not enough: an error of the package with another code is not this one.
    assert.equal(BulkRevocationError.isInstance(new PingOneConfigError("x")), false);
  });
});
