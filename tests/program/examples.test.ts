/**
 * The example programs, as users copy them, under `setMocks`: wiring only.
 * They prove that stack config reaches the resources' inputs and that the
 * programs export what the resources output; the outputs themselves are
 * invented by the mock (`tests/support/mocks.ts`), so nothing here proves a
 * revocation. What each program's resources really do, through the provider
 * host against the emulator: `programsThroughHost.test.ts`. The examples
 * import the package by name; `tests/setup.ts` links this checkout in.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { runProgram } from "../support/mocks";

const ENV = "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f";
const USERS = ["0f8fad5b-d9cb-469f-a165-70867728950e", "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"];
const SESSION = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const example = (name: string) => path.resolve(__dirname, "../../examples", name, "index.ts");

describe("examples under setMocks (wiring only: the mock invents the outputs)", function () {
  this.timeout(30_000);

  it("revoke-one-session wires stack config into one SessionRevocation and exports its outputs", async () => {
    const run = await runProgram(example("revoke-one-session"), "revoke-one-session", {
      environmentId: ENV,
      userId: USERS[0],
      sessionId: SESSION,
    });
    assert.deepEqual(
      run.resources.map((r) => [r.type, r.name, r.inputs.sessionId]),
      [["pulumi-nodejs:dynamic/pingone:SessionRevocation", "stolen-laptop-session", SESSION]],
    );
    assert.deepEqual(run.outputs, { outcome: "revoked", present: false });
  });

  it("incident-response wires each listed user and the cutoff into a UserSessionsRevocation and exports its outputs", async () => {
    const run = await runProgram(example("incident-response"), "incident-response", {
      environmentId: ENV,
      users: USERS,
      createdBefore: "2026-11-28T12:00:00Z",
    });
    assert.deepEqual(
      run.resources.map((r) => [r.type, r.name, r.inputs.userId, r.inputs.createdBefore]),
      USERS.map((u) => [
        "pulumi-nodejs:dynamic/pingone:UserSessionsRevocation",
        `signed-out-${u}`,
        u,
        "2026-11-28T12:00:00Z",
      ]),
    );
    assert.deepEqual(run.outputs.revokedSessionIds, Object.fromEntries(USERS.map((u) => [u, [`revoked-for-${u}`]])));
    assert.deepEqual(run.outputs.usersWithSessions, []);
  });

  it("environment-teardown wires one UserSessionsRevocation per user and sums their outputs", async () => {
    const run = await runProgram(example("environment-teardown"), "environment-teardown", {
      environmentId: ENV,
      userIds: USERS,
    });
    assert.deepEqual(
      run.resources.map((r) => r.name),
      USERS.map((u) => `teardown-${u}`),
    );
    assert.equal(run.outputs.sessionsRevoked, 2);
  });

  it("population-teardown wires the selection, criteria and shard into one PopulationSessionsRevocation and exports its counts", async () => {
    const population = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    const run = await runProgram(example("population-teardown"), "population-teardown", {
      environmentId: ENV,
      populationId: population,
      remoteIps: ["203.0.113.0/24", "2001:db8::/32"],
      createdBefore: "2026-11-28T12:00:00Z",
      shard: { index: 1, count: 4 },
    });
    assert.deepEqual(
      run.resources.map((r) => [
        r.type,
        r.name,
        r.inputs.environmentId,
        r.inputs.populationId,
        r.inputs.userFilter,
        r.inputs.allUsers,
        r.inputs.remoteIps,
        r.inputs.createdBefore,
        r.inputs.lastSignOnBefore,
        r.inputs.shard,
      ]),
      [
        [
          "pulumi-nodejs:dynamic/pingone:PopulationSessionsRevocation",
          "population-teardown",
          ENV,
          population,
          undefined,
          undefined,
          ["203.0.113.0/24", "2001:db8::/32"],
          "2026-11-28T12:00:00Z",
          undefined,
          { index: 1, count: 4 },
        ],
      ],
    );
    assert.deepEqual(run.outputs, {
      usersScanned: 3,
      sessionsRevoked: 7,
      sessionsRemaining: 0,
      revokedDigest: "mock-digest",
    });
  });

  it("population-teardown takes a SCIM filter or allUsers instead, and refuses none or two", async () => {
    const filter = 'username sw "contractor-"';
    const byFilter = await runProgram(example("population-teardown"), "population-teardown", {
      environmentId: ENV,
      userFilter: filter,
    });
    assert.deepEqual(
      byFilter.resources.map((r) => [r.inputs.populationId, r.inputs.userFilter, r.inputs.allUsers]),
      [[undefined, filter, undefined]],
    );
    const everyone = await runProgram(example("population-teardown"), "population-teardown", {
      environmentId: ENV,
      allUsers: "true",
    });
    assert.deepEqual(
      everyone.resources.map((r) => [r.inputs.populationId, r.inputs.userFilter, r.inputs.allUsers]),
      [[undefined, undefined, true]],
    );
    await assert.rejects(
      runProgram(example("population-teardown"), "population-teardown", { environmentId: ENV }),
      /^Error: Set exactly one of population-teardown:populationId, population-teardown:userFilter or population-teardown:allUsers \(true\)$/,
    );
    await assert.rejects(
      runProgram(example("population-teardown"), "population-teardown", {
        environmentId: ENV,
        userFilter: filter,
        allUsers: "true",
      }),
      /; got userFilter and allUsers$/,
    );
  });

  it("fails with Pulumi's own message when required config is missing", async () => {
    await assert.rejects(
      runProgram(example("environment-teardown"), "environment-teardown", { userIds: USERS }),
      /Missing required configuration variable 'environment-teardown:environmentId'/,
    );
  });
});
