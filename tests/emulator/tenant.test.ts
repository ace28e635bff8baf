// Seeding the tenant: session fields a sweep matches on (createdAt, lastSignOn, locations), the admin
// routes for the new records, and a large tenant drawn from a seeded PRNG, served over HTTP.

import { strict as assert } from "node:assert";

import {
  BUILT_IN_ROLES,
  EmulatorState,
  seedTenant,
  startEmulator,
  type RunningEmulator,
  type Session,
} from "../../emulator";
import { allPages, call, sessionsUrl, tokenFor, usersUrl } from "./helpers";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");
const DAY = 86_400_000;

describe("PingOne emulator: session fields", () => {
  let emu: RunningEmulator;
  let env: string;
  let user: string;
  let token: string;

  before(async () => {
    emu = await startEmulator();
    env = emu.state.addEnvironment();
    user = emu.state.addUser(env);
    const app = emu.state.addApplication({
      environmentId: env,
      roles: [{ role: "Identity Data Administrator", environmentId: env }],
    });
    token = await tokenFor(emu, env, app.clientId, app.clientSecret);
  });
  after(() => emu.stop());

  const read = async (id: string): Promise<Session> =>
    (await call("GET", sessionsUrl(emu, env, user, id), { token })).json;

  it("serves the createdAt, lastSignOn, locations and browser a seed sets", async () => {
    const { id } = emu.state.addSession(env, user, {
      createdAt: new Date("2026-02-01T08:00:00Z"),
      lastSignOnAt: new Date("2026-02-03T09:30:00Z"),
      remoteIp: "203.0.113.9",
      locations: [
        { at: new Date("2026-02-01T08:00:00Z"), remoteIp: "198.51.100.4", city: "Oslo", country: "Norway" },
        { at: new Date("2026-02-03T09:30:00Z"), remoteIp: "203.0.113.9" },
      ],
      browser: { name: "Lynx", version: "2.9" },
    });
    const s = await read(id);
    assert.equal(s.createdAt, "2026-02-01T08:00:00.000Z");
    assert.deepEqual(s.lastSignOn, {
      at: "2026-02-03T09:30:00.000Z",
      remoteIp: "203.0.113.9",
      authenticators: ["pwd"],
    });
    assert.equal(s.activeAt, "2026-02-03T09:30:00.000Z");
    assert.equal(s.expiresAt, "2026-02-03T17:30:00.000Z");
    assert.deepEqual(s.browser, { name: "Lynx", version: "2.9" });
    assert.deepEqual(
      s.locations.map((l) => [l.at, l.remoteIp, l.city, l.country]),
      [
        ["2026-02-01T08:00:00.000Z", "198.51.100.4", "Oslo", "Norway"],
        ["2026-02-03T09:30:00.000Z", "203.0.113.9", s.locations[1].city, s.locations[1].country],
      ],
    );
    assert.equal(typeof s.locations[0].region, "string");
  });

  it("defaults the last sign-on to the creation, or to the last location, with one location at the last sign-on", async () => {
    const plain = await read(emu.state.addSession(env, user, { createdAt: new Date("2026-02-10T00:00:00Z") }).id);
    assert.equal(plain.lastSignOn.at, "2026-02-10T00:00:00.000Z");
    assert.deepEqual(
      plain.locations.map((l) => [l.at, l.remoteIp]),
      [["2026-02-10T00:00:00.000Z", plain.lastSignOn.remoteIp]],
    );
    assert.match(plain.lastSignOn.remoteIp, /^198\.51\.100\.\d+$/);
    const located = await read(
      emu.state.addSession(env, user, {
        createdAt: new Date("2026-02-11T00:00:00Z"),
        locations: [{ at: new Date("2026-02-12T00:00:00Z"), remoteIp: "2001:db8::7" }],
      }).id,
    );
    assert.deepEqual([located.lastSignOn.at, located.lastSignOn.remoteIp], ["2026-02-12T00:00:00.000Z", "2001:db8::7"]);
  });

  it("keeps the last 5 locations, as PingOne does", async () => {
    const locations = Array.from({ length: 7 }, (_, i) => ({
      at: new Date(Date.UTC(2026, 1, 1, i)),
      remoteIp: `192.0.2.${i + 1}`,
    }));
    const s = await read(emu.state.addSession(env, user, { createdAt: new Date(Date.UTC(2026, 1, 1)), locations }).id);
    assert.deepEqual(
      s.locations.map((l) => l.remoteIp),
      ["192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6", "192.0.2.7"],
    );
  });

  it("refuses a bad address or a location without a time", () => {
    assert.throws(() => emu.state.addSession(env, user, { remoteIp: "999.1.1.1" }), /remoteIp must be an IP address/);
    assert.throws(
      () => emu.state.addSession(env, user, { locations: [{ remoteIp: "192.0.2.1" } as never] }),
      /locations\[0\]\.at is required/,
    );
  });
});

describe("PingOne emulator: admin routes for the tenant model", () => {
  let emu: RunningEmulator;
  before(async () => (emu = await startEmulator()));
  after(() => emu.stop());

  const admin = (method: string, path: string, body?: unknown) =>
    call(method, `${emu.url}/__emulator${path}`, {
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("seeds groups, users with attributes, sessions with sign-on details, role assignments and static tokens over HTTP", async () => {
    const env = (await admin("POST", "/environments", {})).json.id as string;
    const pop = (
      await admin("POST", `/environments/${env}/populations`, { name: "Responders", description: "on call" })
    ).json.id as string;
    const group = (await admin("POST", `/environments/${env}/groups`, { name: "Incident 42" })).json.id as string;
    const user = (
      await admin("POST", `/environments/${env}/users`, {
        populationId: pop,
        username: "dana",
        email: "dana@corp.example",
        name: { given: "Dana" },
        groupIds: [group],
      })
    ).json.id as string;
    const other = (await admin("POST", `/environments/${env}/users`, { populationId: pop, username: "erin" })).json
      .id as string;
    assert.equal((await admin("POST", `/environments/${env}/groups/${group}/members`, { userId: other })).status, 204);
    const session = await admin("POST", `/environments/${env}/users/${user}/sessions`, {
      createdAt: "2026-01-01T00:00:00Z",
      lastSignOnAt: "2026-01-02T00:00:00Z",
      locations: [{ at: "2026-01-02T00:00:00Z", remoteIp: "203.0.113.50", city: "Lima" }],
    });
    assert.equal(session.status, 201);
    assert.deepEqual([session.json.lastSignOn.remoteIp, session.json.locations[0].city], ["203.0.113.50", "Lima"]);
    const app = await admin("POST", "/applications", { environmentId: env, roleAssignments: [] });
    const assigned = await admin("POST", `/applications/${app.json.clientId}/roleAssignments`, {
      role: "Identity Data Admin",
      scope: { type: "POPULATION", id: pop },
    });
    const role = await admin("POST", "/roles", { name: "Session Reader", permissions: ["authn:read:sessions"] });
    const staticToken = await admin("POST", `/applications/${app.json.clientId}/tokens`, {
      accessToken: "static-dana-token",
    });
    assert.deepEqual([app.status, assigned.status, role.status, staticToken.status], [201, 201, 201, 201]);
    assert.equal(staticToken.json.accessToken, "static-dana-token");
    const listed = await call(
      "GET",
      usersUrl(emu, env, { filter: `memberOfGroups[id eq "${group}"] and name.given eq "dana"` }),
      { token: staticToken.json.accessToken },
    );
    assert.deepEqual(
      listed.json._embedded.users.map((u: { username: string }) => u.username),
      ["dana"],
    );
    const both = await call("GET", usersUrl(emu, env, { filter: `memberOfGroups[id eq "${group}"]` }), {
      token: staticToken.json.accessToken,
    });
    assert.equal(both.json.count, 2);
  });

  it("refuses bad tenant input with 400, an unknown parent with 404, a taken static token with 409; changes the user page size", async () => {
    const env = (await admin("POST", "/environments", {})).json.id as string;
    const a = (await admin("POST", "/applications", { environmentId: env, roleAssignments: [] })).json.clientId;
    const b = (await admin("POST", "/applications", { environmentId: env, roleAssignments: [] })).json.clientId;
    await admin("POST", `/applications/${a}/tokens`, { accessToken: "taken-token-value" });
    const statuses = [
      (await admin("POST", `/environments/${env}/users`, { enabled: "yes" })).status,
      (await admin("POST", `/environments/${env}/users/${env}/sessions`, {})).status,
      (await admin("POST", `/applications/${b}/tokens`, { accessToken: "taken-token-value" })).status,
      (await admin("POST", "/tenant", { users: -1 })).status,
      (await admin("PUT", "/settings", { userPageSize: 500 })).status,
      (await admin("PUT", "/settings", { userPageSize: 7 })).status,
    ];
    assert.deepEqual(statuses, [400, 404, 409, 400, 400, 204]);
  });
});

describe("PingOne emulator: a large tenant from a seeded PRNG", () => {
  it("builds the same tenant from the same seed, and another from another seed", () => {
    const snapshot = (seed: number) => {
      const state = new EmulatorState({ organizationId: "00000000-0000-4000-8000-000000000000" });
      const summary = seedTenant(state, { users: 300, seed, now: NOW });
      const users = state.listUsers(summary.environmentId, {
        filter: undefined,
        filterText: "",
        reach: { kind: "environment" },
        from: 0,
        pageSize: 1000,
      }).users;
      const sessions = users.map((u) => state.listSessions(summary.environmentId, u.id));
      return JSON.stringify({ ...summary, elapsedMs: 0, users, sessions });
    };
    assert.equal(snapshot(42), snapshot(42));
    assert.notEqual(snapshot(42), snapshot(43));
  });

  it("draws 20% of users without a session and the rest 1-10, with times within 30 days and addresses from the documentation ranges", () => {
    const state = new EmulatorState();
    const t = seedTenant(state, { users: 2000, seed: 7, now: NOW });
    const views = state.listUsers(t.environmentId, {
      filter: undefined,
      filterText: "",
      reach: { kind: "environment" },
      from: 0,
      pageSize: 5000,
    }).users;
    assert.equal(views.length, 2000);
    const counts = views.map((u) => state.listSessions(t.environmentId, u.id).length);
    assert.equal(counts.filter((n) => n === 0).length, t.sessionless);
    assert.ok(t.sessionless / 2000 > 0.17 && t.sessionless / 2000 < 0.23, `sessionless ${t.sessionless}`);
    assert.deepEqual([Math.min(...counts.filter((n) => n > 0)), Math.max(...counts)], [1, 10]);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      t.sessions,
    );
    assert.equal(state.sessionCount(), t.sessions);
    assert.equal(
      t.populations.reduce((n, p) => n + p.users, 0),
      2000,
    );
    assert.deepEqual(
      t.populations.map((p) => p.name),
      ["Employees", "Contractors", "Partners", "Customers"],
    );
    const slugs = new Map(t.populations.map((p) => [p.id, p.name.toLowerCase().slice(0, -1)]));
    for (const u of views) assert.ok(u.username.startsWith(`${slugs.get(u.population.id)}-`), u.username);
    for (const u of views.slice(0, 300)) {
      for (const s of state.listSessions(t.environmentId, u.id)) {
        const created = Date.parse(s.createdAt);
        const last = Date.parse(s.lastSignOn.at);
        assert.ok(created >= NOW - 30 * DAY && created <= NOW, s.createdAt);
        assert.ok(last >= created && last <= NOW, s.lastSignOn.at);
        assert.ok(s.locations.length >= 1 && s.locations.length <= 3);
        assert.deepEqual(
          [s.locations.at(-1)!.at, s.locations.at(-1)!.remoteIp],
          [s.lastSignOn.at, s.lastSignOn.remoteIp],
        );
        assert.deepEqual(
          [...s.locations].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
          s.locations,
        );
        for (const l of s.locations)
          assert.match(l.remoteIp, /^(198\.51\.100|203\.0\.113|192\.0\.2)\.([1-9]\d?|1\d\d|2[0-4]\d|25[0-4])$/);
      }
    }
  });

  it("is served over HTTP: the environment-level application pages through every user, the population-level one sees its population only", async () => {
    const emu = await startEmulator();
    try {
      const t = seedTenant(emu.state, { users: 1000, seed: 11, now: NOW });
      const { environmentAdmin, populationAdmin } = t.applications;
      const envToken = await tokenFor(emu, t.environmentId, environmentAdmin.clientId, environmentAdmin.clientSecret);
      const popToken = await tokenFor(emu, t.environmentId, populationAdmin.clientId, populationAdmin.clientSecret);
      emu.clearRequests();
      const everyone = await allPages(usersUrl(emu, t.environmentId, { limit: "200" }), envToken);
      assert.equal(new Set(everyone.ids).size, 1000);
      assert.deepEqual(
        everyone.pages.map((p) => p.json.size),
        [200, 200, 200, 200, 200],
      );
      assert.equal(emu.requests().length, 5);
      const scoped = await allPages(usersUrl(emu, t.environmentId, { limit: "200" }), popToken);
      const expected = t.populations.find((p) => p.id === populationAdmin.populationId)!;
      assert.equal(expected.name, "Contractors");
      assert.equal(scoped.ids.length, expected.users);
      const bySlug = await call(
        "GET",
        usersUrl(emu, t.environmentId, { filter: 'username sw "contractor-"', limit: "1" }),
        { token: envToken },
      );
      assert.equal(bySlug.json.count, expected.users);
      const outside = everyone.ids.find((id) => !scoped.ids.includes(id))!;
      assert.equal((await call("GET", sessionsUrl(emu, t.environmentId, outside), { token: popToken })).status, 403);
      const roles = await call(
        "GET",
        `${emu.apiUrl}/environments/${t.environmentId}/applications/${populationAdmin.clientId}/roleAssignments`,
        { token: popToken },
      );
      assert.deepEqual(
        roles.json._embedded.roleAssignments.map((a: { role: { id: string }; scope: unknown }) => [a.role.id, a.scope]),
        [[BUILT_IN_ROLES.identityDataAdmin.id, { type: "POPULATION", id: populationAdmin.populationId }]],
      );
    } finally {
      await emu.stop();
    }
  });

  it("refuses options out of range", () => {
    const state = new EmulatorState();
    assert.throws(() => seedTenant(state, { users: 1.5 }), /users must be an integer/);
    assert.throws(() => seedTenant(state, { users: 1, sessionlessShare: 2 }), /sessionlessShare/);
    assert.throws(
      () => seedTenant(state, { users: 1, maxSessionsPerUser: 11 }),
      /maxSessionsPerUser must be an integer 1\.\.10/,
    );
    assert.throws(() => seedTenant(state, { users: 1, populations: [] }), /populations must be a non-empty array/);
  });
});
