/**
 * Behaviour of the root program and the examples, end to end: each program
 * runs under `setMocks` (real resource registration, real serialization of
 * the provider), and the inputs it registered, `__provider` included, are
 * handed to Pulumi's real dynamic-provider host, which checks and creates
 * them against the emulator as the engine would. Nothing here comes from the
 * mock: the assertions read the emulator's sessions and request log.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { ProviderHost, urnFor } from "../../harness/providerHost";
import { RegisteredResource, runProgram } from "../support/mocks";
import { startWorld, World } from "../support/world";

const ROOT = path.resolve(__dirname, "../..");
const example = (name: string) => path.join(ROOT, "examples", name, "index.ts");
/** Between the other user's two sessions (2020 and 2022); the first user's sessions are created at the current time, after it. */
const CUTOFF = "2021-01-01T00:00:00Z";

describe("the programs' resources, created by the provider host against the emulator", function () {
  this.timeout(60_000);
  let world: World;
  let host: ProviderHost;
  let firstUser: string;
  let firstSessions: string[];
  let otherUser: string;
  let otherSessions: { old: string; fresh: string };

  // One tenant and one host for all: each test works on users of its own.
  before(async () => {
    world = await startWorld({}, 0);
    host = await world.startHost();
  });
  after(async () => {
    await host?.stop();
    await world?.stop();
  });
  beforeEach(() => {
    const state = world.emulator.state;
    firstUser = state.addUser(world.environmentId);
    firstSessions = [
      state.addSession(world.environmentId, firstUser).id,
      state.addSession(world.environmentId, firstUser).id,
    ].sort();
    otherUser = state.addUser(world.environmentId);
    otherSessions = {
      old: state.addSession(world.environmentId, otherUser, { createdAt: new Date("2020-06-01T00:00:00Z") }).id,
      fresh: state.addSession(world.environmentId, otherUser, { createdAt: new Date("2022-06-01T00:00:00Z") }).id,
    };
    world.emulator.clearRequests();
  });

  /** Checks and creates each registered resource through the host, as the engine does on `up`. */
  async function upThroughHost(resources: RegisteredResource[]): Promise<Record<string, unknown>[]> {
    assert.ok(resources.length > 0, "the program registered resources");
    const outputs: Record<string, unknown>[] = [];
    for (const resource of resources) {
      const urn = urnFor(resource.type, resource.name);
      // The engine never sends unset inputs; the mock keeps them as undefined.
      const inputs = Object.fromEntries(Object.entries(resource.inputs).filter(([, value]) => value !== undefined));
      const checked = await host.check(urn, {}, inputs);
      assert.deepEqual(checked.failures, [], resource.name);
      outputs.push((await host.create(urn, checked.inputs)).properties);
    }
    return outputs;
  }
  const sessionsOf = (userId: string) =>
    world.emulator.state
      .listSessions(world.environmentId, userId)
      .map((s) => s.id)
      .sort();

  it("root program: a session entry and a user entry with a cutoff revoke exactly those sessions", async () => {
    const run = await runProgram(path.join(ROOT, "program", "index.ts"), "pingone-sessions", {
      revoke: [
        { environmentId: world.environmentId, userId: firstUser, sessionId: firstSessions[0] },
        { environmentId: world.environmentId, userId: otherUser, createdBefore: CUTOFF },
      ],
    });
    const [session, user] = await upThroughHost(run.resources);
    assert.equal(session.outcome, "revoked");
    assert.deepEqual(user.revokedSessionIds, [otherSessions.old]);
    assert.deepEqual(sessionsOf(firstUser), [firstSessions[1]]);
    assert.deepEqual(sessionsOf(otherUser), [otherSessions.fresh], "the session opened after the cutoff stays");
  });

  it("revoke-one-session: the configured session is revoked and no other", async () => {
    const run = await runProgram(example("revoke-one-session"), "revoke-one-session", {
      environmentId: world.environmentId,
      userId: firstUser,
      sessionId: firstSessions[1],
    });
    const [outputs] = await upThroughHost(run.resources);
    assert.equal(outputs.outcome, "revoked");
    assert.deepEqual(sessionsOf(firstUser), [firstSessions[0]]);
    assert.deepEqual(
      world.apiRequests().map((r) => `${r.method} ${r.status}`),
      ["DELETE 204"],
    );
  });

  it("incident-response: each listed user loses the sessions created before the cutoff", async () => {
    const run = await runProgram(example("incident-response"), "incident-response", {
      environmentId: world.environmentId,
      users: [firstUser, otherUser],
      createdBefore: CUTOFF,
    });
    const outputs = await upThroughHost(run.resources);
    assert.deepEqual(
      outputs.map((o) => o.revokedSessionIds),
      [[], [otherSessions.old]],
    );
    assert.deepEqual(sessionsOf(firstUser), firstSessions, "sessions opened after the cutoff stay");
    assert.deepEqual(sessionsOf(otherUser), [otherSessions.fresh]);
  });

  it("environment-teardown: every listed user ends with no session", async () => {
    const run = await runProgram(example("environment-teardown"), "environment-teardown", {
      environmentId: world.environmentId,
      userIds: [firstUser, otherUser],
    });
    const outputs = await upThroughHost(run.resources);
    assert.deepEqual(
      outputs.map((o) => (o.revokedSessionIds as string[]).length),
      [2, 2],
    );
    assert.deepEqual([sessionsOf(firstUser), sessionsOf(otherUser)], [[], []]);
  });

  it("population-teardown: every user of the population ends with no session in the range, and nobody else loses one", async () => {
    const state = world.emulator.state;
    const leavers = state.addPopulation(world.environmentId, { name: "Leavers" });
    const leaver = state.addUser(world.environmentId, { populationId: leavers });
    const inRange = state.addSession(world.environmentId, leaver, { remoteIp: "203.0.113.8" }).id;
    const outOfRange = state.addSession(world.environmentId, leaver, { remoteIp: "198.51.100.8" }).id;
    const run = await runProgram(example("population-teardown"), "population-teardown", {
      environmentId: world.environmentId,
      populationId: leavers,
      remoteIps: ["203.0.113.0/24"],
    });
    const [outputs] = await upThroughHost(run.resources);
    assert.deepEqual([outputs.usersScanned, outputs.sessionsRevoked], [1, 1]);
    assert.deepEqual(sessionsOf(leaver), [outOfRange]);
    assert.deepEqual(
      world
        .apiRequests()
        .filter((r) => r.method === "DELETE")
        .map((r) => r.path.split("/").pop()),
      [inRange],
    );
    assert.deepEqual(
      [sessionsOf(firstUser), sessionsOf(otherUser)],
      [firstSessions, [otherSessions.old, otherSessions.fresh].sort()],
      "users of other populations keep theirs",
    );
  });
});
