/**
 * UserSessionsRevocation through Pulumi's real dynamic-provider host, against
 * the emulator: create, drift, update, destroy, a user gone, races.
 */
import assert from "node:assert/strict";
import { userSessionsRevocationProvider } from "../../provider/resources/userSessionsRevocation";
import { decodeSession } from "../../provider/client/answers";
import { matching } from "../../provider/client/bulk";
import { ProviderHost, ProviderHostError, serializeProvider, urnFor } from "../../harness/providerHost";
import { startWorld, World } from "../support/world";

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
    host = await world.startHost();
  });
  afterEach(async () => {
    await world.stop(); // and its host
  });

  const urn = urnFor(TYPE, "alice");
  const inputs = (extra: Record<string, unknown> = {}) => ({
    __provider: provider,
    environmentId: world.environmentId,
    userId: world.userId,
    ...extra,
  });
  const remaining = () => world.emulator.state.listSessions(world.environmentId, world.userId).map((s) => s.id);

  it("checks ids and createdBefore without a request", async () => {
    const result = await host.check(urn, {}, inputs({ userId: "alice", createdBefore: "yesterday" }));
    assert.deepEqual(
      result.failures.map((f) => f.property),
      ["userId", "createdBefore"],
    );
    assert.equal(
      result.failures[1].reason,
      'createdBefore must be an ISO 8601 date-time with a time zone, such as 2026-11-28T12:00:00Z; got "yesterday"',
    );
    assert.equal(world.emulator.requests().length, 0);
  });

  it("refuses createdBefore values that Date.parse reads or silently moves, and accepts a zone offset", async () => {
    const refused: [string, string][] = [
      [
        "2026-11-28",
        'createdBefore must be an ISO 8601 date-time with a time zone, such as 2026-11-28T12:00:00Z; got "2026-11-28"',
      ],
      [
        "Nov 28 2026",
        'createdBefore must be an ISO 8601 date-time with a time zone, such as 2026-11-28T12:00:00Z; got "Nov 28 2026"',
      ],
      [
        "2026-02-30T00:00:00Z",
        'createdBefore names a time that does not exist (February 2026 has 28 days): use an ISO 8601 date-time with a time zone, such as 2026-11-28T12:00:00Z; got "2026-02-30T00:00:00Z"',
      ],
      [
        "2026-11-28T24:00:00Z",
        'createdBefore names a time that does not exist (hours run from 00 to 23): use an ISO 8601 date-time with a time zone, such as 2026-11-28T12:00:00Z; got "2026-11-28T24:00:00Z"',
      ],
      [
        "2026-11-28T23:60:00Z",
        'createdBefore names a time that does not exist (minutes run from 00 to 59): use an ISO 8601 date-time with a time zone, such as 2026-11-28T12:00:00Z; got "2026-11-28T23:60:00Z"',
      ],
    ];
    for (const [createdBefore, reason] of refused) {
      assert.deepEqual(
        (await host.check(urn, {}, inputs({ createdBefore }))).failures,
        [{ property: "createdBefore", reason }],
        createdBefore,
      );
    }
    assert.deepEqual((await host.check(urn, {}, inputs({ createdBefore: "2026-11-28T13:00:00+01:00" }))).failures, []);
    assert.equal(world.emulator.requests().length, 0);
  });

  it("skips values not known yet in preview, and still refuses a bad value beside them", async () => {
    const unknown = (await import("@pulumi/pulumi/runtime/rpc")).unknownValue;
    const result = await host.check(
      urn,
      {},
      inputs({
        userId: "alice",
        createdBefore: unknown,
        connection: { regionCode: unknown, apiUrl: unknown, maxAttempts: "lots" },
      }),
    );
    assert.deepEqual(
      result.failures.map((f) => f.property),
      ["userId", "connection.maxAttempts"],
    );
    const allKnownButBad = await host.check(
      urn,
      {},
      inputs({ createdBefore: "soon", connection: { regionCode: "XX" } }),
    );
    assert.deepEqual(
      allKnownButBad.failures.map((f) => f.property),
      ["createdBefore", "connection.regionCode"],
      "the same fields are refused when known",
    );
  });

  it("revokes every session with one list and one DELETE per session", async () => {
    const { id, properties } = await host.create(urn, inputs());
    assert.equal(id, `${world.environmentId}/${world.userId}`);
    assert.deepEqual(remaining(), []);
    assert.deepEqual([...(properties.revokedSessionIds as string[])].sort(), [...world.sessionIds].sort());
    assert.deepEqual(properties.remainingSessionIds, []);
    assert.equal(properties.present, false);
    assert.equal("createdBefore" in properties, false, "no createdBefore output when none was given");
    assert.deepEqual(
      world
        .apiRequests()
        .map((r) => r.method)
        .sort(),
      ["DELETE", "DELETE", "DELETE", "DELETE", "GET"],
    );
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
    assert.deepEqual(
      (await host.diff(created.id, urn, created.properties, inputs({ userId: "0f8fad5b-d9cb-469f-a165-70867728950e" })))
        .replaces,
      ["userId"],
    );
    const recut = await host.diff(
      created.id,
      urn,
      created.properties,
      inputs({ createdBefore: "2026-01-01T00:00:00Z" }),
    );
    assert.deepEqual([recut.changes, recut.replaces], ["some", []]);
    assert.equal((await host.diff(created.id, urn, created.properties, inputs())).changes, "none");
  });

  it("revokes on destroy whatever matches then: the teardown", async () => {
    const created = await host.create(urn, inputs());
    const later = [
      world.emulator.state.addSession(world.environmentId, world.userId).id,
      world.emulator.state.addSession(world.environmentId, world.userId).id,
    ];
    world.emulator.clearRequests();
    await host.delete(created.id, urn, created.properties);
    assert.deepEqual(remaining(), []);
    assert.deepEqual(
      world
        .apiRequests()
        .filter((r) => r.method === "DELETE")
        .map((r) => r.path.split("/").pop())
        .sort(),
      later.sort(),
    );
  });

  it("treats a user that is gone as nothing to revoke, on create and on destroy", async () => {
    const ghost = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const created = await host.create(urnFor(TYPE, "ghost"), inputs({ userId: ghost }));
    assert.deepEqual(created.properties.revokedSessionIds, []);
    await host.delete(created.id, urnFor(TYPE, "ghost"), created.properties);
    assert.deepEqual(
      world.apiRequests().map((r) => `${r.method} ${r.status}`),
      ["GET 404", "GET 404"],
    );
  });

  it("accepts a session that vanished between the list and its delete (404), without listing it as revoked", async () => {
    const raced = world.sessionIds[1];
    world.emulator.injectFault({
      method: "DELETE",
      path: `/v1/environments/${world.environmentId}/users/${world.userId}/sessions/${raced}`,
      status: 404,
    });
    const { properties } = await host.create(urn, inputs());
    assert.ok(!(properties.revokedSessionIds as string[]).includes(raced));
    assert.equal((properties.revokedSessionIds as string[]).length, 3);
  });

  it("attempts every session before failing, counts the failures by kind, and gives the first in full", async () => {
    const sessionPath = (id: string) => `/v1/environments/${world.environmentId}/users/${world.userId}/sessions/${id}`;
    const listed = world.emulator.state.listSessions(world.environmentId, world.userId).map((s) => s.id); // newest first, as PingOne lists
    const [denied, reset, alsoDenied] = [listed[0], listed[1], listed[3]];
    world.emulator.injectFault({ method: "DELETE", path: sessionPath(denied), status: 403 });
    world.emulator.injectFault({ method: "DELETE", path: sessionPath(reset), reset: true, count: 5 });
    world.emulator.injectFault({ method: "DELETE", path: sessionPath(alsoDenied), status: 403 });
    const error = await host.create(urn, inputs({ connection: { maxAttempts: 2, retryBaseDelaySeconds: 0.01 } })).then(
      () => assert.fail("expected a failure"),
      (e: unknown) => e as ProviderHostError,
    );
    assert.match(
      error.message,
      new RegExp(
        `^3 of 4 sessions of user ${world.userId} in environment ${world.environmentId} could not be revoked: 2 ACCESS_FAILED \\(HTTP 403\\), 1 NO_ANSWER \\(ECONNRESET\\); 1 revoked, 0 already absent\\. ` +
          `First failure: Could not revoke session \\(session ${denied} .*The worker application [0-9a-f-]{36} holds Identity Data Admin at environment level for environment [0-9a-f-]{36}; so this 403 has another cause.* The other sessions not revoked: ${reset}, ${alsoDenied}\\. ` +
          "Once the cause is fixed, run the operation again: what was revoked stays revoked\\.$",
      ),
    );
    assert.equal(error.initFailure, undefined, "nothing is stored for a failed create");
    assert.deepEqual(remaining().sort(), [denied, reset, alsoDenied].sort(), "the fourth was revoked");
    assert.equal(
      world.apiRequests().filter((r) => r.path === sessionPath(reset)).length,
      2,
      "the reset was retried, up to maxAttempts",
    );
  });
});

describe("matching", () => {
  const sessions = [
    { id: "a", createdAt: "2026-11-28T10:00:00Z" },
    { id: "b", createdAt: "2026-11-28T12:00:00Z" },
    { id: "c" },
  ].map(decodeSession);
  it("keeps sessions created strictly before the cutoff, and those without a creation time", () => {
    assert.deepEqual(
      matching(sessions, "2026-11-28T12:00:00Z").map((s) => s.id),
      ["a", "c"],
    );
    assert.deepEqual(
      matching(sessions, undefined).map((s) => s.id),
      ["a", "b", "c"],
    );
  });
});
