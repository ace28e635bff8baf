// GET /environments/{envID}/users over real HTTP on loopback: the SCIM filter subset (accepted and
// refused, with PingOne's error body), limit and cursor paging with pages smaller than asked, what a
// population-level administrator sees, and paging that holds while sessions are deleted.

import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";

import { BUILT_IN_ROLES, startEmulator, type RunningEmulator } from "../../emulator";
import { allPages, call, sessionsUrl, tokenFor, usersUrl, UUID_PATTERN } from "./helpers";

const IDA = BUILT_IN_ROLES.identityDataAdmin.id;
const INVALID_FILTER_MESSAGE = "The request could not be completed. The filter is not valid.";

/** Users with every filterable attribute set on some of them, in two populations and two groups. */
function seed(emu: RunningEmulator) {
  const s = emu.state;
  const env = s.addEnvironment();
  const popA = s.addPopulation(env, { name: "Staff" });
  const popB = s.addPopulation(env, { name: "Contractors" });
  const g1 = s.addGroup(env, { name: "Responders" });
  const g2 = s.addGroup(env, { name: "Vendors" });
  const u = {
    alice: s.addUser(env, {
      populationId: popA,
      username: "alice",
      email: "alice@corp.example",
      groupIds: [g1],
      name: { given: "Alice", family: "Adams" },
      accountId: "acc-1",
      externalId: "ext-1",
      nickname: "Al",
      title: "Engineer",
      type: "Employee",
    }),
    albert: s.addUser(env, { populationId: popA, username: "albert", enabled: false }),
    bob: s.addUser(env, { populationId: popB, username: "bob", groupIds: [g1, g2] }),
    c1: s.addUser(env, { populationId: popB, username: "contractor-01", groupIds: [g2] }),
    c2: s.addUser(env, { populationId: popB, username: "contractor-02" }),
    c3: s.addUser(env, { populationId: popB, username: "contractor-03", groupIds: [g2] }),
  };
  const envApp = s.addApplication({
    environmentId: env,
    roleAssignments: [{ role: { id: IDA }, scope: { type: "ENVIRONMENT", id: env } }],
  });
  const popApp = s.addApplication({
    environmentId: env,
    roleAssignments: [{ role: { id: IDA }, scope: { type: "POPULATION", id: popA } }],
  });
  const noneApp = s.addApplication({ environmentId: env, roleAssignments: [] });
  return { env, popA, popB, g1, g2, u, envApp, popApp, noneApp };
}

describe("PingOne emulator: the users list", () => {
  let emu: RunningEmulator;
  let t: ReturnType<typeof seed>;
  let envToken: string;
  let popToken: string;
  const byId = new Map<string, string>();

  before(async () => {
    emu = await startEmulator();
    t = seed(emu);
    envToken = await tokenFor(emu, t.env, t.envApp.clientId, t.envApp.clientSecret);
    popToken = await tokenFor(emu, t.env, t.popApp.clientId, t.popApp.clientSecret);
    for (const [name, id] of Object.entries(t.u)) byId.set(id, name);
  });
  after(() => emu.stop());
  beforeEach(() => emu.clearRequests());

  /** The names of the users a filter selects, in the order listed. */
  async function select(filter: string, token = envToken): Promise<string[]> {
    const reply = await call("GET", usersUrl(emu, t.env, { filter }), { token });
    assert.equal(reply.status, 200, `${filter}: ${reply.text}`);
    assert.equal(reply.json.count, reply.json._embedded.users.length, filter);
    return reply.json._embedded.users.map((user: { id: string }) => byId.get(user.id));
  }

  describe("filter", () => {
    it("accepts eq and sw on population.id, username and email, joined by and / or, with parentheses", async () => {
      const cases: Array<[string, string[]]> = [
        [`population.id eq "${"POP_A"}"`, ["alice", "albert"]],
        [`username sw "contractor-"`, ["c1", "c2", "c3"]],
        [`population.id eq "POP_B" and username sw "contractor-"`, ["c1", "c2", "c3"]],
        [`username eq "alice" or username eq "bob"`, ["alice", "bob"]],
        [`email eq "alice@corp.example"`, ["alice"]],
        [`email sw "contractor-02@"`, ["c2"]],
        [`(username eq "alice" or username eq "bob") and population.id eq "POP_A"`, ["alice"]],
        [`username eq "bob" or username eq "alice" and population.id eq "POP_B"`, ["bob"]],
        [`((username sw "al"))`, ["alice", "albert"]],
      ];
      for (const [filter, names] of cases) {
        const text = filter.replace("POP_A", t.popA).replace("POP_B", t.popB);
        assert.deepEqual(await select(text), names, text);
      }
    });

    it('accepts memberOfGroups[id eq "..."], alone and joined', async () => {
      assert.deepEqual(await select(`memberOfGroups[id eq "${t.g1}"]`), ["alice", "bob"]);
      assert.deepEqual(await select(`memberOfGroups[id eq "${t.g1}"] or memberOfGroups[id eq "${t.g2}"]`), [
        "alice",
        "bob",
        "c1",
        "c3",
      ]);
      assert.deepEqual(await select(`memberOfGroups[id eq "${t.g2}"] and username sw "contractor-"`), ["c1", "c3"]);
    });

    it("accepts the other attributes Ping's Terraform data source filters on", async () => {
      const cases: Array<[string, string[]]> = [
        [`accountId eq "acc-1"`, ["alice"]],
        [`externalId eq "ext-1"`, ["alice"]],
        [`name.given eq "Alice"`, ["alice"]],
        [`name.family sw "Ad"`, ["alice"]],
        [`nickname eq "Al"`, ["alice"]],
        [`title eq "Engineer"`, ["alice"]],
        [`type eq "Employee"`, ["alice"]],
        [`enabled eq false`, ["albert"]],
        [`id eq "${t.u.bob}"`, ["bob"]],
        [`lifecycle.status eq "ACCOUNT_OK" and username sw "b"`, ["bob"]],
      ];
      for (const [filter, names] of cases) assert.deepEqual(await select(filter), names, filter);
    });

    it("compares strings, attribute names and operators without regard to case, as SCIM does", async () => {
      assert.deepEqual(await select(`USERNAME EQ "ALICE"`), ["alice"]);
      assert.deepEqual(await select(`userName Sw "Contractor-0" AND Population.Id eq "${t.popB.toUpperCase()}"`), [
        "c1",
        "c2",
        "c3",
      ]);
    });

    it("refuses anything else with 400 INVALID_FILTER, naming what, and logs the request", async () => {
      const refused: Array<[string, string]> = [
        [`username co "a"`, "Unsupported operator: co."],
        [`username ew "a"`, "Unsupported operator: ew."],
        [`username ne "a"`, "Unsupported operator: ne."],
        [`username pr`, "Unsupported operator: pr."],
        [`createdAt gt "2025-01-01"`, "Unsupported attribute: createdAt."],
        [`not (username eq "a")`, "Unsupported operator: not."],
        [`phone eq "1"`, "Unsupported attribute: phone."],
        [`username eq`, "Unexpected end of filter: expected a value."],
        [`username eq "a" and`, "Unexpected end of filter: expected an attribute or (."],
        [`(username eq "a"`, "Unexpected end of filter: expected )."],
        [`username eq "a")`, 'Unexpected ")" at position 15.'],
        [`username eq 'a'`, `Unexpected character "'" at position 12.`],
        [`username eq "a`, "Unterminated string starting at position 12."],
        [`enabled eq "true"`, 'Invalid comparison: enabled eq "true".'],
        [`enabled sw true`, "Invalid comparison: enabled sw true."],
        [`username eq 42`, 'Unexpected "42" at position 12: expected a quoted value.'],
        [`memberOfGroups[name eq "x"]`, "Unsupported attribute: memberOfGroups.name."],
        [`memberOfGroups[id sw "x"]`, "Unsupported operator: sw."],
        [``, "The filter is empty."],
      ];
      for (const [filter, message] of refused) {
        const reply = await call("GET", usersUrl(emu, t.env, { filter }), { token: envToken });
        assert.equal(reply.status, 400, filter);
        assert.match(reply.json.id, UUID_PATTERN);
        assert.deepEqual(
          { ...reply.json, id: "x" },
          {
            id: "x",
            code: "INVALID_FILTER",
            message: INVALID_FILTER_MESSAGE,
            details: [{ code: "INVALID_VALUE", target: "filter", message }],
          },
          filter,
        );
      }
      assert.deepEqual(
        emu.requests().map((r) => r.status),
        refused.map(() => 400),
      );
    });

    it("checks the role before the filter: no role gets 403 whatever the filter", async () => {
      const token = await tokenFor(emu, t.env, t.noneApp.clientId, t.noneApp.clientSecret);
      const reply = await call("GET", usersUrl(emu, t.env, { filter: 'username co "a"' }), { token });
      assert.deepEqual([reply.status, reply.json.code], [403, "ACCESS_FAILED"]);
    });
  });

  describe("who sees whom", () => {
    it("shows a population-level administrator only its populations' users, others silently left out", async () => {
      assert.deepEqual(await select(`username sw ""`, popToken), ["alice", "albert"]);
      assert.deepEqual(await select(`population.id eq "${t.popB}"`, popToken), []);
      const all = await call("GET", usersUrl(emu, t.env), { token: popToken });
      assert.deepEqual([all.status, all.json.count, all.json.size], [200, 2, 2]);
    });

    it("refuses (403) an application with no role there, a user's own sign-on token, and an unknown environment", async () => {
      const none = await tokenFor(emu, t.env, t.noneApp.clientId, t.noneApp.clientSecret);
      const session = emu.state.addSession(t.env, t.u.alice).id;
      const statuses = [
        (await call("GET", usersUrl(emu, t.env), { token: none })).status,
        (await call("GET", usersUrl(emu, t.env), { token: emu.state.issueUserSessionToken(t.env, t.u.alice, session) }))
          .status,
        (await call("GET", usersUrl(emu, randomUUID()), { token: envToken })).status,
        (await call("GET", `${emu.apiUrl}/environments/nope/users`, { token: envToken })).status,
      ];
      assert.deepEqual(statuses, [403, 403, 403, 400]);
      emu.state.deleteSession(t.env, t.u.alice, session);
    });
  });
});

describe("PingOne emulator: users list paging", () => {
  let emu: RunningEmulator;
  let env: string;
  let pops: string[];
  let ids: string[];
  let token: string;

  before(async () => {
    emu = await startEmulator({ userPageSize: 3 });
    env = emu.state.addEnvironment();
    pops = [emu.state.addPopulation(env, { name: "Odd" }), emu.state.addPopulation(env, { name: "Even" })];
    ids = Array.from({ length: 11 }, (_, i) =>
      emu.state.addUser(env, { populationId: pops[i % 2], username: `user-${String(i).padStart(2, "0")}` }),
    );
    for (const id of ids)
      for (let s = 0; s < 3; s++) emu.state.addSession(env, id, { createdAt: new Date(Date.UTC(2025, 0, 1, 0, s)) });
    const app = emu.state.addApplication({
      environmentId: env,
      roleAssignments: [{ role: { id: IDA }, scope: { type: "ENVIRONMENT", id: env } }],
    });
    token = await tokenFor(emu, env, app.clientId, app.clientSecret);
  });
  after(() => emu.stop());
  beforeEach(() => {
    emu.clearRequests();
    emu.setUserPageSize(3);
  });

  it("returns fewer users than limit asks when its page size is smaller, and every user once through _links.next", async () => {
    const { pages, ids: listed } = await allPages(usersUrl(emu, env, { limit: "100" }), token);
    assert.deepEqual(listed, ids);
    assert.deepEqual(
      pages.map((p) => p.json.size),
      [3, 3, 3, 2],
    );
    assert.ok(pages.every((p) => p.json.count === 11));
    const next = pages[0].json._links.next.href as string;
    assert.ok(next.startsWith(`${emu.apiUrl}/environments/${env}/users?limit=100&cursor=`), next);
    assert.equal(pages[3].json._links.next, undefined);
    assert.deepEqual(
      emu.requests().map((r) => `${r.method} ${r.status}`),
      ["GET 200", "GET 200", "GET 200", "GET 200"],
    );
    assert.equal(emu.requests()[0].path, `/v1/environments/${env}/users?limit=100`);
  });

  it("keeps the filter and limit in the next link, and pages a filtered listing by what matches", async () => {
    const filter = `population.id eq "${pops[0]}"`;
    const { pages, ids: listed } = await allPages(usersUrl(emu, env, { filter, limit: "2" }), token);
    assert.deepEqual(
      listed,
      ids.filter((_, i) => i % 2 === 0),
    );
    assert.deepEqual(
      pages.map((p) => p.json.size),
      [2, 2, 2],
    );
    assert.ok(pages.every((p) => p.json.count === 6));
    assert.match(
      pages[0].json._links.next.href,
      new RegExp(`\\?filter=population\\.id%20eq%20%22${pops[0]}%22&limit=2&cursor=`),
    );
  });

  it("caps a page at 200 users whatever limit asks, and gives 100 when no limit is sent", async () => {
    emu.setUserPageSize(200);
    const big = emu.state.addEnvironment();
    for (let i = 0; i < 230; i++) emu.state.addUser(big);
    const app = emu.state.addApplication({
      environmentId: big,
      roleAssignments: [{ role: { id: IDA }, scope: { type: "ENVIRONMENT", id: big } }],
    });
    const bigToken = await tokenFor(emu, big, app.clientId, app.clientSecret);
    const asked500 = await allPages(usersUrl(emu, big, { limit: "500" }), bigToken);
    const none = await call("GET", usersUrl(emu, big), { token: bigToken });
    assert.deepEqual(
      asked500.pages.map((p) => p.json.size),
      [200, 30],
    );
    assert.equal(new Set(asked500.ids).size, 230);
    assert.equal(none.json.size, 100);
    assert.match(none.json._links.next.href, /\?limit=100&cursor=/);
  });

  it("refuses a limit that is not a positive integer and a cursor it did not issue, with 400 INVALID_DATA naming the parameter", async () => {
    for (const [query, target] of [
      [{ limit: "0" }, "limit"],
      [{ limit: "ten" }, "limit"],
      [{ limit: "-5" }, "limit"],
      [{ cursor: "abc" }, "cursor"],
      [{ cursor: Buffer.from("users:999").toString("base64url") }, "cursor"],
    ] as const) {
      const reply = await call("GET", usersUrl(emu, env, query), { token });
      assert.deepEqual(
        [reply.status, reply.json.code, reply.json.details[0].code, reply.json.details[0].target],
        [400, "INVALID_DATA", "INVALID_VALUE", target],
        JSON.stringify(query),
      );
    }
  });

  it("holds while sessions are deleted between pages: the same users, each once", async () => {
    const seen: string[] = [];
    let next: string | undefined = usersUrl(emu, env, { limit: "3" });
    while (next !== undefined) {
      const page = await call("GET", next, { token });
      for (const user of page.json._embedded.users as Array<{ id: string }>) {
        seen.push(user.id);
        // Revoke as a sweep would, between pages.
        for (const session of emu.state.listSessions(env, user.id))
          assert.equal((await call("DELETE", sessionsUrl(emu, env, user.id, session.id), { token })).status, 204);
      }
      next = page.json._links.next?.href;
    }
    assert.deepEqual(seen, ids);
    assert.equal(
      ids.reduce((n, id) => n + emu.state.listSessions(env, id).length, 0),
      0,
    );
    for (const id of ids)
      for (let s = 0; s < 3; s++) emu.state.addSession(env, id, { createdAt: new Date(Date.UTC(2025, 0, 1, 0, s)) });
  });

  it("adds users created during a listing at its end", async () => {
    const first = await call("GET", usersUrl(emu, env, { limit: "3" }), { token });
    const late = emu.state.addUser(env, { populationId: pops[0] });
    const rest = await allPages(first.json._links.next.href, token);
    assert.deepEqual([...first.json._embedded.users.map((u: { id: string }) => u.id), ...rest.ids], [...ids, late]);
    ids.push(late);
  });
});

describe("PingOne emulator: session list paging under deletion", () => {
  it("continues after the last session of the previous page even when that session was deleted meanwhile", async () => {
    const emu = await startEmulator({ listPageSize: 2 });
    try {
      const env = emu.state.addEnvironment();
      const user = emu.state.addUser(env);
      const created = Array.from(
        { length: 6 },
        (_, i) => emu.state.addSession(env, user, { createdAt: new Date(Date.UTC(2025, 0, 1, 0, i)) }).id,
      );
      const app = emu.state.addApplication({
        environmentId: env,
        roles: [{ role: "Identity Data Administrator", environmentId: env }],
      });
      const token = await tokenFor(emu, env, app.clientId, app.clientSecret);
      const newestFirst = [...created].reverse();
      const first = await call("GET", sessionsUrl(emu, env, user), { token });
      assert.deepEqual(
        first.json._embedded.sessions.map((s: { id: string }) => s.id),
        newestFirst.slice(0, 2),
      );
      // A sweep deletes what it has seen before asking for the next page.
      for (const id of newestFirst.slice(0, 2)) await call("DELETE", sessionsUrl(emu, env, user, id), { token });
      const second = await call("GET", first.json._links.next.href, { token });
      assert.deepEqual(
        second.json._embedded.sessions.map((s: { id: string }) => s.id),
        newestFirst.slice(2, 4),
      );
      assert.equal(second.json.count, 4);
      const third = await call("GET", second.json._links.next.href, { token });
      assert.deepEqual(
        third.json._embedded.sessions.map((s: { id: string }) => s.id),
        newestFirst.slice(4, 6),
      );
      assert.equal(third.json._links.next, undefined);
    } finally {
      await emu.stop();
    }
  });
});
