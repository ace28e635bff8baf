/**
 * UserSessionsRevocation through Pulumi's real dynamic-provider host, against
 * the emulator: create, drift, update, destroy, a user gone, races.
 */
import assert from "node:assert/strict";
import { userSessionsRevocationProvider } from "../../provider/resources/userSessionsRevocation";
import { matching } from "../../provider/client/bulk";
import { ProviderHost, ProviderHostError, serializeProvider, urnFor } from "../../harness/providerHost";
import { SENTINEL_SECRET, stackConfig, startWorld, World } from "../support/world";

const TYPE = "pulumi-nodejs:dynamic/pingone:UserSessionsRevocation";

describe("UserSessionsRevocation through the dynamic-provider host", function () {
  this.timeout(60_000);
  let world: World;
  let host: ProviderHost;
  let provider: string;

  before(async () => {
    provider = await serializeProvider(userSessionsRevocationProvider);
  });
  beforeEach(async () => {
    world = await startWorld({}, 4);
    host = await ProviderHost.start({ config: stackConfig(world.emulator, { clientId: world.clientId, clientSecret: SENTINEL_SECRET, environmentId: world.environmentId }) });
  });
  afterEach(async () => {
    await host.stop();
    await world.stop();
  });

  const urn = urnFor(TYPE, "alice");
  const inputs = (extra: Record<string, unknown> = {}) => ({ __provider: provider, environmentId: world.environmentId, userId: world.userId, ...extra });
  const remaining = () => world.emulator.state.listSessions(world.environmentId, world.userId).map((s) => s.id);

  it("checks ids and createdBefore without a request", async () => {
    const result = await host.check(urn, {}, inputs({ userId: "alice", createdBefore: "yesterday" }));
    assert.deepEqual(result.failures.map((f) => f.property), ["userId", "createdBefore"]);
    assert.match(result.failures[1].reason, /createdBefore must be an ISO 8601 time such as 2026-11-28T12:00:00Z; got "yesterday"/);
    assert.equal(world.emulator.requests().length, 0);
  });

  it("accepts values not known yet during preview", async () => {
    const unknown = (await import("@pulumi/pulumi/runtime/rpc")).unknownValue;
    const result = await host.check(urn, {}, inputs({ userId: unknown, createdBefore: unknown, connection: { regionCode: unknown, apiUrl: unknown } }));
    assert.deepEqual(result.failures, []);
  });

  it("revokes every session with one list and one DELETE per session", async () => {
    const { id, properties } = await host.create(urn, inputs());
    assert.equal(id, `${world.environmentId}/${world.userId}`);
    assert.deepEqual(remaining(), []);
    assert.deepEqual([...(properties.revokedSessionIds as string[])].sort(), [...world.sessionIds].sort());
    assert.deepEqual(properties.remainingSessionIds, []);
    assert.equal(properties.present, false);
    assert.equal("createdBefore" in properties, false, "no createdBefore output when none was given");
    assert.deepEqual(world.apiRequests().map((r) => r.method).sort(), ["DELETE", "DELETE", "DELETE", "DELETE", "GET"]);
  });

  it("revokes only sessions created before the cutoff", async () => {
    // Seeded one minute apart, oldest first: the cutoff keeps the two newest.
    const cutoff = new Date(Date.now() - 2.5 * 60_000).toISOString();
    const { properties } = await host.create(urn, inputs({ createdBefore: cutoff }));
    assert.deepEqual([...(properties.revokedSessionIds as string[])].sort(), world.sessionIds.slice(0, 2).sort());
    assert.deepEqual(remaining().sort(), world.sessionIds.slice(2).sort());
    assert.equal(properties.createdBefore, cutoff);
  });

  it("finds a new sign-on on refresh, reports it, and the next update revokes it", async () => {
    const created = await host.create(urn, inputs());
    const fresh = world.emulator.state.addSession(world.environmentId, world.userId).id;
    const read = await host.read(created.id, urn, created.properties);
    assert.equal(read.id, created.id);
    assert.equal(read.properties.present, true);
    assert.deepEqual(read.properties.remainingSessionIds, [fresh]);
    assert.equal((await host.diff(created.id, urn, read.properties, inputs())).changes, "some");
    const updated = await host.update(created.id, urn, read.properties, inputs());
    assert.deepEqual(updated.properties.revokedSessionIds, [fresh]);
    assert.deepEqual(remaining(), []);
  });

  it("diffs: another user replaces, a new cutoff updates, nothing new is no change", async () => {
    const created = await host.create(urn, inputs());
    assert.deepEqual((await host.diff(created.id, urn, created.properties, inputs({ userId: "0f8fad5b-d9cb-469f-a165-70867728950e" }))).replaces, ["userId"]);
    const recut = await host.diff(created.id, urn, created.properties, inputs({ createdBefore: "2026-01-01T00:00:00Z" }));
    assert.deepEqual([recut.changes, recut.replaces], ["some", []]);
    assert.equal((await host.diff(created.id, urn, created.properties, inputs())).changes, "none");
  });

  it("revokes on destroy whatever matches then: the teardown", async () => {
    const created = await host.create(urn, inputs());
    const later = [world.emulator.state.addSession(world.environmentId, world.userId).id, world.emulator.state.addSession(world.environmentId, world.userId).id];
    world.emulator.clearRequests();
    await host.delete(created.id, urn, created.properties);
    assert.deepEqual(remaining(), []);
    assert.deepEqual(
      world.apiRequests().filter((r) => r.method === "DELETE").map((r) => r.path.split("/").pop()).sort(),
      later.sort(),
    );
  });

  it("treats a user that is gone as nothing to revoke, on create and on destroy", async () => {
    const ghost = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const created = await host.create(urnFor(TYPE, "ghost"), inputs({ userId: ghost }));
    assert.deepEqual(created.properties.revokedSessionIds, []);
    await host.delete(created.id, urnFor(TYPE, "ghost"), created.properties);
    assert.deepEqual(world.apiRequests().map((r) => `${r.method} ${r.status}`), ["GET 404", "GET 404"]);
  });

  it("accepts a session that vanished between the list and its delete (404), without listing it as revoked", async () => {
    const raced = world.sessionIds[1];
    world.emulator.injectFault({ method: "DELETE", path: `/v1/environments/${world.environmentId}/users/${world.userId}/sessions/${raced}`, status: 404 });
    const { properties } = await host.create(urn, inputs());
    assert.ok(!(properties.revokedSessionIds as string[]).includes(raced));
    assert.equal((properties.revokedSessionIds as string[]).length, 3);
  });

  it("attempts every session before failing, and names how many failed", async () => {
    const denied = world.sessionIds[2];
    world.emulator.injectFault({ method: "DELETE", path: `/v1/environments/${world.environmentId}/users/${world.userId}/sessions/${denied}`, status: 403 });
    const error = await host.create(urn, inputs()).then(
      () => assert.fail("expected a failure"),
      (e: unknown) => e as ProviderHostError,
    );
    assert.match(error.message, new RegExp(`^1 of 4 sessions of user ${world.userId} in environment ${world.environmentId} could not be revoked\\. First failure: Could not revoke session \\(session ${denied}`));
    assert.deepEqual(remaining(), [denied], "the other three were revoked");
  });
});

describe("matching", () => {
  const sessions = [
    { id: "a", createdAt: "2026-11-28T10:00:00Z" },
    { id: "b", createdAt: "2026-11-28T12:00:00Z" },
    { id: "c" },
  ];
  it("keeps sessions created strictly before the cutoff, and those without a creation time", () => {
    assert.deepEqual(matching(sessions, "2026-11-28T12:00:00Z").map((s) => s.id), ["a", "c"]);
    assert.deepEqual(matching(sessions, undefined).map((s) => s.id), ["a", "b", "c"]);
  });
});
