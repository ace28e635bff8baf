/**
 * Issue 17 ("Keep every promise, round 3"): users listed twice, lists that
 * are not lists, users lists that drop their filter. Each test plays a server
 * over real HTTP on loopback and asserts what the client concluded, the
 * exact error text, and what the server saw.
 */
import assert from "node:assert/strict";
import { revokeUserSessions } from "../../provider/client/bulk";
import { PingOneClient } from "../../provider/client/client";
import { Cidr, criteriaProblems, inRange, parseCidr } from "../../provider/client/criteria";
import { PingOneApiError } from "../../provider/client/errors";
import { sweepSessions } from "../../provider/client/sweep";
import { MAX_USER_PAGES } from "../../provider/client/userList";
import { HostileServer, json, startHostileServer } from "../support/hostileServer";
import { FakeClock } from "../support/world";

const ENV = "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f";
const POP = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeee1";
const OTHER_POP = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeee2";
const USERS = ["11111111-2222-4333-8444-555555555551", "11111111-2222-4333-8444-555555555552", "11111111-2222-4333-8444-555555555553", "11111111-2222-4333-8444-555555555554"];
const STATIC_TOKEN = "static-token-sentinel-17";

/** Two sessions of each user, ids derived from the user's. */
function sessionsOf(userId: string): { id: string; createdAt: string }[] {
  return [1, 2].map((n) => ({ id: `${userId.slice(0, -1)}${n === 1 ? "a" : "b"}`, createdAt: "2026-11-01T00:00:00Z" }));
}

function usersPage(users: unknown[], next?: string) {
  return { _embedded: { users }, _links: { self: { href: "x" }, ...(next ? { next: { href: next } } : {}) } };
}

describe("issue 17: users lists and list answers", () => {
  let server: HostileServer | undefined;
  const clients: PingOneClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.stop();
    server = undefined;
  });

  function clientOf(s: HostileServer): PingOneClient {
    const client = PingOneClient.fromSettings({ explicit: { apiUrl: `${s.origin}/v1`, authUrl: s.origin, apiAccessToken: STATIC_TOKEN } }, { clock: new FakeClock() });
    clients.push(client);
    return client;
  }

  async function failure(promise: Promise<unknown>): Promise<PingOneApiError> {
    const error = await promise.then(
      () => assert.fail("expected a failure"),
      (e: unknown) => e,
    );
    assert.ok(PingOneApiError.isInstance(error), `expected PingOneApiError, got ${String(error)}`);
    return error;
  }

  /** Answers session lists (two sessions a user) and DELETEs; `users` answers the users list. */
  function tenant(users: (url: string) => unknown) {
    return (req: { method: string; url: string }, res: Parameters<typeof json>[0]) => {
      if (req.method === "DELETE") return res.writeHead(204).end();
      if (req.url.includes("/users?")) return json(res, 200, users(req.url));
      const userId = req.url.split("/users/")[1].split("/")[0];
      json(res, 200, { _embedded: { sessions: sessionsOf(userId) }, _links: { self: { href: "x" } } });
    };
  }

  const deletes = () => server!.requests.filter((r) => r.method === "DELETE");
  const userGets = () => server!.requests.filter((r) => r.url.includes("/users?"));

  describe("item 2: a user listed twice is swept once", () => {
    it("counts a user repeated on the same page and on the next page once, and revokes each session once", async () => {
      server = await startHostileServer(
        tenant((url) =>
          url.includes("cursor=2")
            ? usersPage([{ id: USERS[1] }, { id: USERS[3] }, { id: USERS[0].toUpperCase() }])
            : usersPage([{ id: USERS[0] }, { id: USERS[1] }, { id: USERS[2] }, { id: USERS[0] }], `/v1/environments/${ENV}/users?limit=200&cursor=2`),
        ),
      );
      const result = await sweepSessions(clientOf(server), { environmentId: ENV, users: { allUsers: true } });
      assert.deepEqual(
        { usersScanned: result.usersScanned, sessionsMatched: result.sessionsMatched, sessionsRevoked: result.sessionsRevoked, sessionsAlreadyAbsent: result.sessionsAlreadyAbsent },
        { usersScanned: 4, sessionsMatched: 8, sessionsRevoked: 8, sessionsAlreadyAbsent: 0 },
      );
      assert.equal(deletes().length, 8, "one DELETE per session");
      assert.equal(new Set(deletes().map((r) => r.url)).size, 8);
    });

    it("fails a users list whose cursor advances but repeats the same users, after 11 pages with no new user", async () => {
      server = await startHostileServer(tenant((url) => usersPage([{ id: USERS[0] }, { id: USERS[1] }], `/v1/environments/${ENV}/users?limit=200&cursor=${Number(/cursor=(\d+)/.exec(url)?.[1] ?? 1) + 1}`)));
      const error = await failure(sweepSessions(clientOf(server), { environmentId: ENV, users: { allUsers: true } }));
      assert.equal(error.failure, "MALFORMED_ANSWER");
      assert.match(error.message, /HTTP 200; page 12 of the user list: 11 pages in a row listed no user not already listed: its cursor advances without the list doing so; the user list is incomplete/);
      assert.equal(userGets().length, 12, "it stopped at the 12th page, not 300 pages later");
      assert.equal(deletes().length, 4, "the two users listed were swept once each");
    });

    it("bounds a users list at 100,000 pages: 1,000,000 users at pages of 10", () => {
      assert.equal(MAX_USER_PAGES, 100_000);
    });
  });

  describe("item 3: a 200 JSON object without _embedded is not an empty list", () => {
    const UP = { status: "UP" };
    it("fails a session list answered {\"status\":\"UP\"}, saying what was seen", async () => {
      server = await startHostileServer((_req, res) => json(res, 200, UP));
      const error = await failure(revokeUserSessions(clientOf(server), { environmentId: ENV, userId: USERS[0] }));
      assert.equal(error.failure, "MALFORMED_ANSWER");
      assert.match(error.message, /HTTP 200; page 1 of the session list: the answer is a JSON object without _embedded \(keys seen: "status"\), not a session list; the session list is incomplete, so nothing was concluded from it\./);
      assert.equal(deletes().length, 0);
    });

    it("fails a users list answered {\"status\":\"UP\"} instead of reading 0 users scanned", async () => {
      server = await startHostileServer((_req, res) => json(res, 200, UP));
      const error = await failure(sweepSessions(clientOf(server), { environmentId: ENV, users: { allUsers: true } }));
      assert.match(error.message, /page 1 of the user list: the answer is a JSON object without _embedded \(keys seen: "status"\), not a user list/);
    });

    it("fails a role assignments list answered {\"status\":\"UP\"} or with _embedded but no roleAssignments", async () => {
      server = await startHostileServer((req, res) => json(res, 200, req.url.includes("cursor") ? { _embedded: {} } : UP));
      const client = clientOf(server);
      const error = await failure(client.listRoleAssignments(ENV, USERS[0]));
      assert.match(error.message, /page 1 of the role assignment list: the answer is a JSON object without _embedded \(keys seen: "status"\), not a role assignment list/);
      await server.stop();
      server = await startHostileServer((_req, res) => json(res, 200, { _embedded: { items: [] } }));
      const empty = await failure(clientOf(server).listRoleAssignments(ENV, USERS[0]));
      assert.match(empty.message, /the role assignment list's _embedded has no roleAssignments \(keys seen: "items"\)/);
    });
  });

  describe("item 7: a users list is held to its selection", () => {
    it("does not follow a next link that drops the filter, and revokes no user of page 2", async () => {
      server = await startHostileServer(
        tenant((url) =>
          url.includes("cursor=2")
            ? usersPage([{ id: USERS[1], population: { id: OTHER_POP } }])
            : usersPage([{ id: USERS[0], population: { id: POP } }], `/v1/environments/${ENV}/users?limit=200&cursor=2`),
        ),
      );
      const error = await failure(sweepSessions(clientOf(server), { environmentId: ENV, users: { populationId: POP } }));
      assert.match(error.message, /page 1 of the user list: its next link drops the filter asked for; it was not followed; the user list is incomplete/);
      assert.equal(userGets().length, 1, "page 2 was never asked for");
      assert.equal(deletes().length, 0, "a page whose next link is refused is not acted on either");
    });

    it("does not follow a next link that changes the filter", async () => {
      server = await startHostileServer(tenant(() => usersPage([{ id: USERS[0], population: { id: POP } }], `/v1/environments/${ENV}/users?limit=200&cursor=2&filter=${encodeURIComponent(`population.id eq "${OTHER_POP}"`)}`)));
      const error = await failure(sweepSessions(clientOf(server), { environmentId: ENV, users: { populationId: POP } }));
      assert.match(error.message, new RegExp(`its next link changes the filter to "population\\.id eq \\\\"${OTHER_POP}\\\\"" asked for; it was not followed`));
      assert.equal(userGets().length, 1);
    });

    it("never revokes a listed user of another population: the server did not apply the filter", async () => {
      server = await startHostileServer(tenant(() => usersPage([{ id: USERS[0], population: { id: POP } }, { id: USERS[1], population: { id: OTHER_POP } }])));
      const error = await failure(sweepSessions(clientOf(server), { environmentId: ENV, users: { populationId: POP } }));
      assert.match(error.message, new RegExp(`page 1 of the user list: it lists user ${USERS[1]} of population ${OTHER_POP}, outside the population ${POP} asked for \\(the filter was not applied\\), so no user of it is trusted`));
      assert.equal(deletes().length, 0, "no user of that page was swept");
      assert.equal(server.requests.filter((r) => r.url.includes(`/users/${USERS[1]}`)).length, 0, "the other population's user was never touched");
    });
  });
});

describe("issue 17 item 8: IPv4-mapped IPv6 addresses match (Node's BlockList)", () => {
  const range = (t: string) => parseCidr(t) as Cidr;
  for (const [ip, cidr] of [
    ["::ffff:cb00:7109", "203.0.113.0/24"],
    ["0:0:0:0:0:ffff:203.0.113.9", "203.0.113.0/24"],
    ["::ffff:203.0.113.9", "::ffff:203.0.113.0/120"],
    ["203.0.113.9", "::ffff:203.0.113.0/120"],
    ["::ffff:198.51.100.1", "::/0"],
  ] as const) {
    it(`matches ${ip} against ${cidr}`, () => {
      assert.equal(inRange(ip, range(cidr)), true);
    });
  }

  it("does not match a mapped address outside the range, nor an unreadable one", () => {
    assert.equal(inRange("::ffff:cb00:7209", range("203.0.113.0/24")), false);
    assert.equal(inRange("198.51.100.1", range("::ffff:203.0.113.0/120")), false);
    assert.equal(inRange("not an address", range("0.0.0.0/0")), false);
  });

  it("refuses a CIDR with host bits set, naming both readings", () => {
    assert.deepEqual(parseCidr("203.0.113.7/24"), {
      problem: '"203.0.113.7/24" has host bits set after its /24 prefix: write the network (such as 203.0.113.0/24), or the single address with /32',
    });
    assert.deepEqual(parseCidr("2001:db8::1/32"), {
      problem: '"2001:db8::1/32" has host bits set after its /32 prefix: write the network (such as 203.0.113.0/24), or the single address with /128',
    });
    assert.equal(criteriaProblems({ remoteIps: ["203.0.113.7/24"] })[0]?.property, "remoteIps[0]");
    assert.ok(!("problem" in parseCidr("203.0.113.7")), "a bare address is its own /32");
  });
});
