/**
 * PopulationSessionsRevocation through Pulumi's real dynamic-provider host,
 * against the emulator: check and diff without a request; create by
 * population, filter, address range and time; refresh drift, update,
 * destroy; a population-scoped administrator; shards on three hosts; a host
 * killed mid-sweep; 30 % of requests faulted. One emulator and one host
 * serve every test; each test sweeps an environment of its own.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { populationSessionsRevocationProvider } from "../../provider/resources/populationSessionsRevocation";
import { BUILT_IN_ROLES, RequestLogEntry, RunningEmulator, startEmulator } from "../../emulator";
import { ProviderHost, ProviderHostError, serializeProvider, urnFor } from "../../harness/providerHost";
import { SENTINEL_SECRET, stackConfig } from "../support/world";

const TYPE = "pulumi-nodejs:dynamic/pingone:PopulationSessionsRevocation";
/** Retry waits scaled down so faulted runs stay fast; the same policy otherwise. */
const QUICK_RETRIES = {
  maxAttempts: 25,
  retryBaseDelaySeconds: 0.005,
  retryMaxDelaySeconds: 0.05,
  maxRetryAfterSeconds: 0.02,
};

/** The digest `revokedDigest` holds for a set of session ids: the XOR of each id's SHA-256. */
function digestOf(ids: readonly string[]): string {
  const digest = Buffer.alloc(32);
  for (const id of ids) {
    const h = createHash("sha256").update(id.toLowerCase()).digest();
    for (let i = 0; i < 32; i++) digest[i] ^= h[i];
  }
  return digest.toString("hex");
}

/** XOR of hex digests: the digest of the union of disjoint sets. */
function xorDigests(digests: readonly string[]): string {
  const out = Buffer.alloc(32);
  for (const d of digests) Buffer.from(d, "hex").forEach((byte, i) => (out[i] ^= byte));
  return out.toString("hex");
}

describe("PopulationSessionsRevocation through the dynamic-provider host", function () {
  this.timeout(30_000);
  let emulator: RunningEmulator;
  let host: ProviderHost;
  let provider: string;
  let config: Record<string, string>;

  before(async () => {
    emulator = await startEmulator({ requestLogLimit: 1_000_000 });
    const home = emulator.state.addEnvironment();
    // Identity Data Admin for the whole organization: each test's environment is in reach.
    const app = emulator.state.addApplication({
      environmentId: home,
      clientSecret: SENTINEL_SECRET,
      roleAssignments: [
        { role: "Identity Data Admin", scope: { type: "ORGANIZATION", id: emulator.state.organizationId } },
      ],
    });
    config = stackConfig(emulator, { clientId: app.clientId, clientSecret: SENTINEL_SECRET, environmentId: home });
    [provider, host] = await Promise.all([
      serializeProvider(populationSessionsRevocationProvider),
      ProviderHost.start({ config }),
    ]);
  });
  after(async () => {
    await host?.stop();
    await emulator?.stop();
  });

  /** A fresh environment with populations Staff and Contractors, and helpers to fill and read it. */
  function tenant() {
    const state = emulator.state;
    const env = state.addEnvironment();
    const staff = state.addPopulation(env, { name: "Staff" });
    const contractors = state.addPopulation(env, { name: "Contractors" });
    const t = {
      env,
      staff,
      contractors,
      /** Adds a user with `sessions` default sessions; returns its id and their ids. */
      user(populationId: string, sessions = 1, extra: { username?: string; groupIds?: string[] } = {}) {
        const userId = state.addUser(env, { populationId, ...extra });
        return { userId, sessionIds: Array.from({ length: sessions }, () => state.addSession(env, userId).id) };
      },
      sessionsOf: (userId: string) => state.listSessions(env, userId).map((s) => s.id),
      /** This environment's API requests, in arrival order. */
      requests: (): RequestLogEntry[] =>
        emulator.requests().filter((r) => r.path.startsWith(`/v1/environments/${env}/`)),
      /** Paths of the sessions whose DELETE PingOne answered 204. */
      revokedPaths: () =>
        t
          .requests()
          .filter((r) => r.method === "DELETE" && r.status === 204)
          .map((r) => r.path),
      inputs: (extra: Record<string, unknown>) => ({ __provider: provider, environmentId: env, ...extra }),
    };
    return t;
  }

  const urn = (name: string) => urnFor(TYPE, name);
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => assert.fail("expected a failure"),
      (e: unknown) => e as ProviderHostError,
    );

  describe("check and diff, without a request", () => {
    it("names each invalid selection, filter, range, date, shard and id", async () => {
      const t = tenant();
      emulator.clearRequests();
      const failures = async (extra: Record<string, unknown>) =>
        (await host.check(urn("bad"), {}, t.inputs(extra))).failures;
      assert.deepEqual(await failures({}), [
        {
          property: "populationId",
          reason:
            "say which users: populationId, userFilter, or allUsers: true (every user of the environment must be asked for explicitly)",
        },
      ]);
      assert.deepEqual(await failures({ populationId: t.staff, allUsers: true }), [
        {
          property: "allUsers",
          reason: "give only one of populationId, userFilter and allUsers; got populationId and allUsers",
        },
      ]);
      assert.deepEqual(await failures({ allUsers: "yes" }), [
        { property: "allUsers", reason: "allUsers must be true when given" },
      ]);
      assert.deepEqual(await failures({ populationId: "staff" }), [
        {
          property: "populationId",
          reason:
            'populationId must be a PingOne id (a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e); got "staff"',
        },
      ]);
      assert.deepEqual(await failures({ userFilter: 'username co "x"' }), [
        {
          property: "userFilter",
          reason:
            'userFilter "username co \\"x\\"": an operator (eq or sw) is expected at token 2 ("co"); the form is attribute eq|sw "value", or memberOfGroups[id eq "…"], joined by and/or',
        },
      ]);
      assert.deepEqual(
        (
          await failures({
            allUsers: true,
            remoteIps: ["203.0.113.0/24", "10.0.0.0/33", "intranet"],
            createdBefore: "yesterday",
            lastSignOnBefore: "2026-02-30T00:00:00Z",
          })
        ).map((f) => f.property),
        ["createdBefore", "lastSignOnBefore", "remoteIps[1]", "remoteIps[2]"],
      );
      assert.deepEqual(await failures({ allUsers: true, remoteIps: ["10.0.0.0/33"] }), [
        { property: "remoteIps[0]", reason: 'remoteIps[0]: "10.0.0.0/33" has a prefix length outside 0-32' },
      ]);
      assert.deepEqual(await failures({ allUsers: true, remoteIps: [] }), [
        { property: "remoteIps", reason: "remoteIps must be a non-empty list of CIDR ranges such as 203.0.113.0/24" },
      ]);
      assert.deepEqual(await failures({ allUsers: true, shard: { index: 3, count: 3 } }), [
        { property: "shard.index", reason: "shard.index must be a whole number from 0 to 2" },
      ]);
      assert.deepEqual(await failures({ allUsers: true, shard: { index: 0, count: 0 } }), [
        { property: "shard.count", reason: "shard.count must be a whole number from 1 to 10000" },
      ]);
      assert.deepEqual(
        (await failures({ environmentId: "prod", allUsers: true })).map((f) => f.property),
        ["environmentId"],
      );
      assert.deepEqual(
        await failures({
          populationId: t.staff,
          remoteIps: ["2001:db8::/32", "203.0.113.7"],
          createdBefore: "2026-11-28T13:00:00+01:00",
          shard: { index: 1, count: 2 },
        }),
        [],
      );
      assert.deepEqual(t.requests(), []);
      assert.equal(emulator.requests().length, 0, "check sends nothing at all, not even a token request");
    });

    it("skips values not known yet in preview, and still refuses a bad value beside them", async () => {
      const t = tenant();
      const unknown = (await import("@pulumi/pulumi/runtime/rpc")).unknownValue;
      const result = await host.check(
        urn("preview"),
        {},
        t.inputs({ userFilter: unknown, remoteIps: [unknown, "nope"], createdBefore: unknown, shard: unknown }),
      );
      assert.deepEqual(
        result.failures.map((f) => f.property),
        ["remoteIps[1]"],
      );
      assert.deepEqual(
        (await host.check(urn("preview"), {}, t.inputs({ allUsers: unknown, shard: { index: unknown, count: 4 } })))
          .failures,
        [],
      );
    });

    it("replaces on another environment, selection or shard; updates on new criteria or drift; otherwise no change", async () => {
      const t = tenant();
      const olds = {
        environmentId: t.env,
        populationId: t.staff,
        remoteIps: ["203.0.113.0/24", "198.51.100.0/24"],
        shard: { index: 0, count: 2 },
        present: false,
        connection: {},
      };
      const diff = async (news: Record<string, unknown>, stored: Record<string, unknown> = olds) => {
        const d = await host.diff(`${t.env}/sweep/0123456789abcdef`, urn("diff"), stored, t.inputs(news));
        return [d.changes, d.replaces];
      };
      const same = {
        populationId: t.staff,
        remoteIps: ["198.51.100.0/24", "203.0.113.0/24"],
        shard: { index: 0, count: 2 },
      };
      assert.deepEqual(await diff(same), ["none", []], "the same ranges in another order are no change");
      assert.deepEqual(
        await diff({ ...same, populationId: t.staff.toUpperCase() }),
        ["none", []],
        "ids compare without regard to case",
      );
      assert.deepEqual(await diff({ ...same, populationId: t.contractors }), ["some", ["populationId"]]);
      const { populationId: _, ...unselected } = same;
      assert.deepEqual(await diff({ ...unselected, userFilter: `population.id eq "${t.staff}"` }), [
        "some",
        ["populationId", "userFilter"],
      ]);
      assert.deepEqual(await diff({ ...same, shard: { index: 1, count: 2 } }), ["some", ["shard"]]);
      assert.deepEqual(await diff({ ...same, environmentId: emulator.state.addEnvironment() }), [
        "some",
        ["environmentId"],
      ]);
      assert.deepEqual(await diff({ ...same, remoteIps: ["203.0.113.0/24"] }), ["some", []]);
      assert.deepEqual(await diff({ ...same, createdBefore: "2026-11-28T12:00:00Z" }), ["some", []]);
      assert.deepEqual(
        await diff(same, { ...olds, present: true }),
        ["some", []],
        "a refresh that found matching sessions",
      );
      assert.deepEqual(
        await diff({ ...same, connection: { regionCode: "EU" } }),
        ["some", []],
        "new routing is stored",
      );
      assert.deepEqual(t.requests(), []);
    });
  });

  describe("create", () => {
    it("revokes every session of the population's users, reading pages smaller than asked, and leaves the others", async () => {
      const t = tenant();
      const staff = [t.user(t.staff, 2), t.user(t.staff, 1), t.user(t.staff, 3)];
      const others = [t.user(t.contractors, 2), t.user(t.contractors, 1)];
      emulator.setUserPageSize(2);
      try {
        const { id, properties } = await host.create(urn("staff"), t.inputs({ populationId: t.staff }));
        assert.match(id, new RegExp(`^${t.env}/sweep/[0-9a-f]{16}$`));
        const { __provider: _, ...outputs } = properties;
        const staffSessions = staff.flatMap((u) => u.sessionIds);
        assert.deepEqual(outputs, {
          environmentId: t.env,
          populationId: t.staff,
          usersScanned: 3,
          sessionsRevoked: 6,
          sessionsAlreadyAbsent: 0,
          sessionsFailed: 0,
          sessionsRemaining: 0,
          present: false,
          checkedAt: outputs.checkedAt,
          revokedDigest: digestOf(staffSessions),
          connection: {},
        });
        assert.ok(!Number.isNaN(Date.parse(String(outputs.checkedAt))));
        assert.deepEqual(
          staff.flatMap((u) => t.sessionsOf(u.userId)),
          [],
        );
        assert.deepEqual(
          others.map((u) => t.sessionsOf(u.userId).sort()),
          others.map((u) => [...u.sessionIds].sort()),
        );
        const listed = t
          .requests()
          .map((r) => `${r.method} ${r.path.split("?")[0].replace(`/v1/environments/${t.env}`, "")}`);
        assert.deepEqual(
          listed.filter((r) => r === "GET /users"),
          ["GET /users", "GET /users"],
          "two pages of at most 2 users",
        );
        assert.equal(listed.filter((r) => r.endsWith("/sessions")).length, 3, "one session list per staff user");
        assert.deepEqual(
          t
            .revokedPaths()
            .map((p) => p.split("/").pop())
            .sort(),
          [...staffSessions].sort(),
        );
        assert.equal(t.requests().length, 2 + 3 + 6, "nothing else was sent");
      } finally {
        emulator.setUserPageSize(200);
      }
    });

    it("selects users by a SCIM filter: username sw and memberOfGroups; a filter that matches nobody revokes nothing", async () => {
      const t = tenant();
      const responders = emulator.state.addGroup(t.env, { name: "Responders" });
      const swA = t.user(t.staff, 2, { username: "sw-alice" });
      const swB = t.user(t.contractors, 1, { username: "sw-bob" });
      const member = t.user(t.contractors, 2, { username: "carol", groupIds: [responders] });
      const bystander = t.user(t.staff, 2, { username: "dave" });

      const bySw = await host.create(urn("sw"), t.inputs({ userFilter: 'username sw "sw-"' }));
      assert.deepEqual([bySw.properties.usersScanned, bySw.properties.sessionsRevoked], [2, 3]);
      assert.deepEqual([...t.sessionsOf(swA.userId), ...t.sessionsOf(swB.userId)], []);
      const byGroup = await host.create(
        urn("group"),
        t.inputs({ userFilter: `memberOfGroups[id eq "${responders}"]` }),
      );
      assert.deepEqual([byGroup.properties.usersScanned, byGroup.properties.sessionsRevoked], [1, 2]);
      assert.deepEqual(t.sessionsOf(member.userId), []);
      const nobody = await host.create(urn("nobody"), t.inputs({ userFilter: 'username sw "nobody-"' }));
      assert.deepEqual(
        [nobody.properties.usersScanned, nobody.properties.sessionsRevoked, nobody.properties.revokedDigest],
        [0, 0, digestOf([])],
      );

      assert.deepEqual(
        t.sessionsOf(bystander.userId).sort(),
        [...bystander.sessionIds].sort(),
        "dave matched no filter",
      );
      assert.notEqual(bySw.id, byGroup.id, "another selection is another id");
      const filters = t
        .requests()
        .filter((r) => r.path.includes("/users?"))
        .map((r) => new URL(r.path, "http://x").searchParams.get("filter"));
      assert.deepEqual(
        filters,
        ['username sw "sw-"', `memberOfGroups[id eq "${responders}"]`, 'username sw "nobody-"'],
        "the filter reaches PingOne as written",
      );
    });

    it("revokes sessions seen from a range, by the last sign-on's address or any earlier location, and no other", async () => {
      const t = tenant();
      const { userId } = t.user(t.staff, 0);
      const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
      const add = (spec: Parameters<typeof emulator.state.addSession>[2]) =>
        emulator.state.addSession(t.env, userId, spec).id;
      const signedOnFromRange = add({ remoteIp: "203.0.113.7" });
      const onceInRange = add({
        locations: [
          { at: at(30), remoteIp: "203.0.113.9" },
          { at: at(5), remoteIp: "198.51.100.4" },
        ],
      });
      const elsewhere = add({
        locations: [
          { at: at(20), remoteIp: "198.51.100.5" },
          { at: at(2), remoteIp: "192.0.2.44" },
        ],
      });
      const ipv6 = add({ remoteIp: "2001:db8::17" });
      const session = (id: string) => emulator.state.getSession(t.env, userId, id)!;
      assert.equal(session(onceInRange).lastSignOn.remoteIp, "198.51.100.4", "its last sign-on is outside the range");

      const byRange = await host.create(
        urn("range"),
        t.inputs({ populationId: t.staff, remoteIps: ["203.0.113.0/24"] }),
      );
      assert.equal(byRange.properties.sessionsRevoked, 2);
      assert.deepEqual(t.sessionsOf(userId).sort(), [elsewhere, ipv6].sort());
      const noMatch = await host.create(
        urn("no-match"),
        t.inputs({ populationId: t.staff, remoteIps: ["10.0.0.0/8", "2001:db9::/32"] }),
      );
      assert.equal(noMatch.properties.sessionsRevoked, 0);
      assert.equal(byRange.id, noMatch.id, "the criteria are not part of the id: they update, they do not replace");
      const v6 = await host.create(urn("v6"), t.inputs({ populationId: t.staff, remoteIps: ["2001:db8::/32"] }));
      assert.equal(v6.properties.sessionsRevoked, 1);
      assert.deepEqual(t.sessionsOf(userId), [elsewhere]);
      assert.deepEqual(
        t
          .revokedPaths()
          .map((p) => p.split("/").pop())
          .sort(),
        [signedOnFromRange, onceInRange, ipv6].sort(),
      );
    });

    it("revokes only sessions created, or last signed on, before a cutoff", async () => {
      const t = tenant();
      const { userId } = t.user(t.staff, 0);
      const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
      const add = (createdAt: Date, lastSignOnAt: Date) =>
        emulator.state.addSession(t.env, userId, { createdAt, lastSignOnAt }).id;
      const oldAndIdle = add(hoursAgo(48), hoursAgo(40));
      const oldButActive = add(hoursAgo(48), hoursAgo(1));
      const fresh = add(hoursAgo(2), hoursAgo(1));
      const cutoff = hoursAgo(24).toISOString();

      const idle = await host.create(urn("idle"), t.inputs({ populationId: t.staff, lastSignOnBefore: cutoff }));
      assert.equal(idle.properties.lastSignOnBefore, cutoff);
      assert.deepEqual(t.sessionsOf(userId).sort(), [oldButActive, fresh].sort());
      await host.create(urn("old"), t.inputs({ populationId: t.staff, createdBefore: cutoff }));
      assert.deepEqual(t.sessionsOf(userId), [fresh]);
      assert.deepEqual(
        t.revokedPaths().map((p) => p.split("/").pop()),
        [oldAndIdle, oldButActive],
      );
    });
  });

  describe("refresh, update, destroy", () => {
    it("finds a new sign-on on refresh without deleting it, diff reports the drift, and the update revokes it", async () => {
      const t = tenant();
      const staff = [t.user(t.staff, 2), t.user(t.staff, 2)];
      const contractor = t.user(t.contractors, 1);
      const inputs = t.inputs({ populationId: t.staff });
      const created = await host.create(urn("drift"), inputs);
      const signedOnAgain = emulator.state.addSession(t.env, staff[1].userId).id;
      emulator.state.addSession(t.env, contractor.userId); // not selected: no drift
      emulator.clearRequests();

      const read = await host.read(created.id, urn("drift"), created.properties);
      assert.equal(read.id, created.id);
      assert.deepEqual(
        [
          read.properties.present,
          read.properties.sessionsRemaining,
          read.properties.usersScanned,
          read.properties.sessionsRevoked,
        ],
        [true, 1, 2, 4],
      );
      assert.deepEqual(
        t.requests().filter((r) => r.method !== "GET"),
        [],
        "a refresh deletes nothing",
      );
      assert.deepEqual(t.sessionsOf(staff[1].userId), [signedOnAgain]);

      const diff = await host.diff(created.id, urn("drift"), read.properties, inputs);
      assert.deepEqual([diff.changes, diff.replaces], ["some", []]);
      const updated = await host.update(created.id, urn("drift"), read.properties, inputs);
      assert.deepEqual(
        [
          updated.properties.present,
          updated.properties.sessionsRemaining,
          updated.properties.sessionsRevoked,
          updated.properties.revokedDigest,
        ],
        [false, 0, 1, digestOf([signedOnAgain])],
      );
      assert.deepEqual(t.sessionsOf(staff[1].userId), []);
      assert.equal(t.sessionsOf(contractor.userId).length, 2);

      const reread = await host.read(created.id, urn("drift"), updated.properties);
      assert.deepEqual([reread.properties.present, reread.properties.sessionsRemaining], [false, 0]);
      assert.equal((await host.diff(created.id, urn("drift"), reread.properties, inputs)).changes, "none");
    });

    it("sweeps once more on destroy, revoking what matches then and nothing else: the teardown", async () => {
      const t = tenant();
      const alice = t.user(t.staff, 1);
      const created = await host.create(
        urn("teardown"),
        t.inputs({ populationId: t.staff, remoteIps: ["203.0.113.0/24"] }),
      );
      assert.equal(created.properties.sessionsRevoked, 0, "alice's default session is outside the range");
      const later = emulator.state.addSession(t.env, alice.userId, { remoteIp: "203.0.113.50" }).id;
      const newcomer = t.user(t.staff, 0).userId;
      const newcomerSession = emulator.state.addSession(t.env, newcomer, { remoteIp: "203.0.113.51" }).id;
      emulator.clearRequests();

      await host.delete(created.id, urn("teardown"), created.properties);
      assert.deepEqual(
        t
          .revokedPaths()
          .map((p) => p.split("/").pop())
          .sort(),
        [later, newcomerSession].sort(),
      );
      assert.deepEqual(t.sessionsOf(alice.userId), alice.sessionIds);
      assert.deepEqual(t.sessionsOf(newcomer), []);
    });
  });

  describe("the role rule", () => {
    it("a population-scoped administrator sweeps its population; with allUsers, the others are refused after every user was attempted", async () => {
      const t = tenant();
      // Identity Data Admin for Staff only; reading users everywhere, so allUsers lists the contractors too.
      const scoped = emulator.state.addApplication({
        environmentId: t.env,
        roleAssignments: [
          { role: "Identity Data Admin", scope: { type: "POPULATION", id: t.staff } },
          { role: { id: BUILT_IN_ROLES.identityDataReadOnly.id }, scope: { type: "ENVIRONMENT", id: t.env } },
        ],
      });
      const connection = { clientId: scoped.clientId, clientSecret: scoped.clientSecret, environmentId: t.env };
      const staff = [t.user(t.staff, 2), t.user(t.staff, 1)];
      const contractors = [t.user(t.contractors, 1), t.user(t.contractors, 2)];

      const own = await host.create(urn("own"), t.inputs({ populationId: t.staff, connection }));
      assert.deepEqual([own.properties.usersScanned, own.properties.sessionsRevoked], [2, 3]);
      assert.deepEqual(own.properties.connection, {}, "no credential in outputs");

      const again = [
        emulator.state.addSession(t.env, staff[0].userId).id,
        emulator.state.addSession(t.env, staff[1].userId).id,
      ];
      emulator.clearRequests();
      const error = await failureOf(host.create(urn("everyone"), t.inputs({ allUsers: true, connection })));
      assert.match(
        error.message,
        new RegExp(
          `^The sweep of all users in environment ${t.env} could not list the sessions of 2 of 4 users: 2 ACCESS_FAILED \\(HTTP 403\\)\\. ` +
            "Every user and session was attempted: 2 revoked, 0 already absent\\. " +
            `First failure: Could not list sessions \\(user (${contractors[0].userId}|${contractors[1].userId}) in environment ${t.env}\\): HTTP 403 ACCESS_FAILED.*holds Identity Data Admin for population "Staff" \\([0-9a-f-]{36}\\) of environment ${t.env}; user \\1 is in population "Contractors" \\([0-9a-f-]{36}\\): assign the role for "Contractors".*` +
            "Once the cause is fixed, run the operation again: what was revoked stays revoked\\.$",
        ),
      );
      assert.equal(error.initFailure, undefined, "nothing is stored for a failed create");
      assert.deepEqual(
        t
          .revokedPaths()
          .map((p) => p.split("/").pop())
          .sort(),
        [...again].sort(),
        "its own users were swept",
      );
      const listed = t
        .requests()
        .filter((r) => r.method === "GET" && r.path.endsWith("/sessions"))
        .map((r) => r.path.split("/")[5]);
      assert.deepEqual(
        listed.sort(),
        [...staff, ...contractors].map((u) => u.userId).sort(),
        "every user was attempted, once",
      );
      assert.deepEqual(
        contractors.map((u) => t.sessionsOf(u.userId).sort()),
        contractors.map((u) => [...u.sessionIds].sort()),
      );
      assert.ok(!error.message.includes(scoped.clientSecret));
    });
  });

  describe("at scale and under failure", () => {
    it("shards on three hosts: disjoint, and together every matching session, each revoked once", async () => {
      const t = tenant();
      const staff = Array.from({ length: 60 }, (_, i) => t.user(t.staff, 1 + (i % 3)));
      const contractors = [t.user(t.contractors, 2), t.user(t.contractors, 2)];
      const [second, third] = await Promise.all([ProviderHost.start({ config }), ProviderHost.start({ config })]);
      try {
        const hosts = [host, second, third];
        const results = await Promise.all(
          hosts.map((h, index) =>
            h.create(urn(`shard-${index}`), t.inputs({ populationId: t.staff, shard: { index, count: 3 } })),
          ),
        );
        const all = staff.flatMap((u) => u.sessionIds);
        const revoked = t.revokedPaths().map((p) => p.split("/").pop()!);
        assert.equal(new Set(revoked).size, revoked.length, "no session revoked twice");
        assert.deepEqual([...revoked].sort(), [...all].sort(), "every staff session revoked");
        assert.equal(
          t.requests().filter((r) => r.method === "DELETE").length,
          all.length,
          "one DELETE per session in all",
        );
        const listedUsers = t
          .requests()
          .filter((r) => r.path.endsWith("/sessions"))
          .map((r) => r.path.split("/")[5]);
        assert.deepEqual(
          [...listedUsers].sort(),
          staff.map((u) => u.userId).sort(),
          "each user listed by exactly one shard",
        );
        assert.deepEqual(
          results.map((r) => r.properties.usersScanned).reduce((a, b) => Number(a) + Number(b)),
          60,
        );
        assert.ok(
          results.every((r) => Number(r.properties.sessionsRevoked) > 0),
          "each shard had work",
        );
        assert.equal(
          xorDigests(results.map((r) => String(r.properties.revokedDigest))),
          digestOf(all),
          "the shards' digests combine to the whole",
        );
        assert.equal(new Set(results.map((r) => r.id)).size, 3, "each shard is its own resource");
        assert.deepEqual(
          contractors.map((u) => t.sessionsOf(u.userId).length),
          [2, 2],
        );
      } finally {
        await Promise.all([second.stop(), third.stop()]);
      }
    });

    it("converges after the host is killed mid-sweep: a second host revokes the rest, without errors", async () => {
      const t = tenant();
      const staff = Array.from({ length: 300 }, () => t.user(t.staff, 1));
      const bystander = t.user(t.contractors, 2);
      const inputs = t.inputs({ populationId: t.staff });
      emulator.setLatency(20);
      const crashing = await ProviderHost.start({ config });
      try {
        const firstRun = crashing.create(urn("crash"), inputs).then(
          () => "finished",
          () => "lost",
        );
        for (let waited = 0; t.revokedPaths().length < 40; waited += 5) {
          assert.ok(waited < 20_000, "the first sweep made no progress");
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await crashing.kill("SIGKILL");
        assert.equal(await firstRun, "lost");
        // The DELETEs that reached the emulator before the kill are still answered, 20 ms later: wait until
        // each has been (a probe's round trip first, so requests read from the dead host's sockets are logged).
        assert.equal((await fetch(`${emulator.url}/probe`)).status, 404);
        for (let waited = 0; t.requests().some((r) => r.status === "pending"); waited += 5) {
          assert.ok(waited < 20_000, "requests still pending after the kill");
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const left = staff.filter((u) => t.sessionsOf(u.userId).length > 0).length;
        assert.ok(left > 0 && left < 300, `${left} sessions left after the kill`);

        const second = await host.create(urn("crash"), inputs);
        assert.deepEqual(
          [second.properties.usersScanned, second.properties.sessionsRevoked, second.properties.sessionsAlreadyAbsent],
          [300, left, 0],
        );
        assert.equal(staff.filter((u) => t.sessionsOf(u.userId).length > 0).length, 0);
        assert.equal(t.revokedPaths().length, 300, "each session revoked exactly once over both runs");
        assert.equal(t.sessionsOf(bystander.userId).length, 2);
      } finally {
        emulator.setLatency(0);
        await crashing.stop();
      }
    });

    it("ends with 0 matching sessions while 30 % of requests are faulted", async () => {
      const t = tenant();
      const staff = Array.from({ length: 40 }, () => t.user(t.staff, 2));
      const bystander = t.user(t.contractors, 2);
      emulator.setChaos({ seed: 20261128, rate: 0.3, retryAfter: "1" });
      try {
        const { properties } = await host.create(
          urn("chaos"),
          t.inputs({ populationId: t.staff, connection: QUICK_RETRIES }),
        );
        const all = staff.flatMap((u) => u.sessionIds);
        assert.deepEqual([properties.usersScanned, properties.sessionsRevoked, properties.sessionsFailed], [40, 80, 0]);
        assert.equal(properties.revokedDigest, digestOf(all));
        assert.deepEqual(
          staff.flatMap((u) => t.sessionsOf(u.userId)),
          [],
        );
        assert.equal(t.sessionsOf(bystander.userId).length, 2);
        const log = t.requests();
        const faulted = log.filter(
          (r) =>
            r.status === "reset" ||
            (typeof r.status === "number" && r.status >= 429 && r.status !== 403 && r.status !== 404),
        ).length;
        assert.ok(
          faulted / log.length > 0.15,
          `chaos (30 % of requests, in arrival order) reached ${faulted} of ${log.length} requests`,
        );
      } finally {
        emulator.setChaos(undefined);
      }
    });
  });

  it("keeps the serialized shim thin: no client, no credential, under 8 KB", () => {
    assert.ok(Buffer.byteLength(provider) < 8 * 1024, `serialized provider is ${Buffer.byteLength(provider)} bytes`);
    assert.match(provider, /PopulationSessionsRevocation/);
    assert.doesNotMatch(provider, /https-proxy-agent|createTransport|PingOneClient|Bearer|sweepSessions/);
    assert.ok(!provider.includes(SENTINEL_SECRET));
  });
});
