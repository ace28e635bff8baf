// The role rule from data: who may act on which user follows from the role assignments of the
// application behind the token, over real HTTP on loopback. Also the read endpoints a client uses
// to explain a 403: the user, its population, the application's role assignments, a role.

import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";

import { BUILT_IN_ROLES, DEMO, startEmulator, type RunningEmulator } from "../../emulator";
import { call, sessionsUrl, tokenFor, UUID_PATTERN } from "./helpers";

const IDA = BUILT_IN_ROLES.identityDataAdmin.id;
const READ_ONLY = BUILT_IN_ROLES.identityDataReadOnly.id;
const FORBIDDEN_DETAIL = "Actor does not have permissions to access this resource.";
const FORBIDDEN_MESSAGE = "The request could not be completed. You do not have access to this resource.";

/** Three populations with one user each, and applications holding every kind of assignment. */
function seed(emu: RunningEmulator) {
  const s = emu.state;
  const env = s.addEnvironment();
  const other = s.addEnvironment();
  const popA = s.addPopulation(env, { name: "Alpha" });
  const popB = s.addPopulation(env, { name: "Beta" });
  const popC = s.addPopulation(env, { name: "Gamma" });
  const users = {
    a: s.addUser(env, { populationId: popA }),
    b: s.addUser(env, { populationId: popB }),
    c: s.addUser(env, { populationId: popC }),
  };
  const sessions = {
    a: s.addSession(env, users.a).id,
    b: s.addSession(env, users.b).id,
    c: s.addSession(env, users.c).id,
  };
  const app = (
    roleAssignments: Parameters<typeof s.addApplication>[0]["roleAssignments"],
    extra: Partial<Parameters<typeof s.addApplication>[0]> = {},
  ) => s.addApplication({ environmentId: env, roleAssignments, ...extra });
  const apps = {
    environment: app([{ role: { id: IDA }, scope: { type: "ENVIRONMENT", id: env } }]),
    organization: app([{ role: "Identity Data Admin", scope: { type: "ORGANIZATION", id: s.organizationId } }]),
    populations: app([
      { role: { id: IDA }, scope: { type: "POPULATION", id: popA } },
      { role: { id: IDA }, scope: { type: "POPULATION", id: popB } },
    ]),
    legacy: s.addApplication({
      environmentId: env,
      roles: [{ role: "Identity Data Administrator", environmentId: env, populationId: popA }],
    }),
    none: app([]),
    readOnly: app([{ role: { id: READ_ONLY }, scope: { type: "ENVIRONMENT", id: env } }]),
    refused: app([{ role: { id: IDA }, scope: { type: "POPULATION", id: popA } }], { roleAssignmentsReadable: false }),
    elsewhere: app([{ role: { id: IDA }, scope: { type: "ENVIRONMENT", id: other } }]),
  };
  return { env, other, popA, popB, popC, users, sessions, apps };
}

type Tenant = ReturnType<typeof seed>;
type AppName = keyof Tenant["apps"];

describe("PingOne emulator: the role rule from role assignments", () => {
  let emu: RunningEmulator;
  let t: Tenant;
  const tokens = {} as Record<AppName, string>;

  before(async () => {
    emu = await startEmulator();
    t = seed(emu);
    for (const name of Object.keys(t.apps) as AppName[])
      tokens[name] = await tokenFor(emu, t.env, t.apps[name].clientId, t.apps[name].clientSecret);
  });
  after(() => emu.stop());
  beforeEach(() => emu.clearRequests());

  const api = (path: string, token: string, method = "GET") => call(method, `${emu.apiUrl}${path}`, { token });

  describe("session endpoints", () => {
    it("answer each application as its assignments say: environment and organization level reach everyone, population level its populations, none nobody", async () => {
      const unknown = randomUUID();
      const expected: Record<AppName, [a: number, b: number, c: number, unknownUser: number]> = {
        environment: [200, 200, 200, 404],
        organization: [200, 200, 200, 404],
        populations: [200, 200, 403, 403],
        legacy: [200, 403, 403, 403],
        none: [403, 403, 403, 403],
        readOnly: [403, 403, 403, 403],
        refused: [200, 403, 403, 403],
        elsewhere: [403, 403, 403, 403],
      };
      for (const [name, statuses] of Object.entries(expected) as Array<[AppName, number[]]>) {
        const got = [];
        for (const user of [t.users.a, t.users.b, t.users.c, unknown])
          got.push((await call("GET", sessionsUrl(emu, t.env, user), { token: tokens[name] })).status);
        assert.deepEqual(got, statuses, name);
      }
      assert.equal(emu.requests().length, 32);
      assert.ok(emu.requests().every((r) => r.method === "GET" && r.path.endsWith("/sessions")));
    });

    it("delete only where the assignments reach, and a refusal deletes nothing", async () => {
      const del = (name: AppName, user: "a" | "b" | "c") =>
        call("DELETE", sessionsUrl(emu, t.env, t.users[user], t.sessions[user]), { token: tokens[name] });
      assert.equal((await del("populations", "c")).status, 403);
      assert.equal((await del("none", "a")).status, 403);
      assert.notEqual(emu.state.getSession(t.env, t.users.c, t.sessions.c), undefined);
      assert.notEqual(emu.state.getSession(t.env, t.users.a, t.sessions.a), undefined);
      assert.equal((await del("populations", "b")).status, 204);
      assert.equal(emu.state.getSession(t.env, t.users.b, t.sessions.b), undefined);
      assert.deepEqual(
        emu.requests().map((r) => `${r.method} ${r.status}`),
        ["DELETE 403", "DELETE 403", "DELETE 204"],
      );
      emu.state.addSession(t.env, t.users.b, { id: t.sessions.b });
    });

    it("word every 403 the same, with no hint at the role or population that would have been needed", async () => {
      const replies = [
        await call("GET", sessionsUrl(emu, t.env, t.users.c), { token: tokens.populations }),
        await call("GET", sessionsUrl(emu, t.env, randomUUID()), { token: tokens.populations }),
        await call("GET", sessionsUrl(emu, t.env, t.users.a), { token: tokens.none }),
        await call("GET", sessionsUrl(emu, randomUUID(), t.users.a), { token: tokens.environment }),
      ];
      for (const reply of replies) {
        assert.equal(reply.status, 403);
        assert.match(reply.json.id, UUID_PATTERN);
        assert.deepEqual(
          { ...reply.json, id: "x" },
          {
            id: "x",
            code: "ACCESS_FAILED",
            message: FORBIDDEN_MESSAGE,
            details: [{ code: "INSUFFICIENT_PERMISSIONS", message: FORBIDDEN_DETAIL }],
          },
        );
      }
    });

    it("take an assignment added later into account at once", async () => {
      const app = emu.state.addApplication({ environmentId: t.env, roleAssignments: [] });
      const token = await tokenFor(emu, t.env, app.clientId, app.clientSecret);
      assert.equal((await call("GET", sessionsUrl(emu, t.env, t.users.c), { token })).status, 403);
      emu.state.assignRole(app.clientId, { role: { id: IDA }, scope: { type: "POPULATION", id: t.popC } });
      assert.equal((await call("GET", sessionsUrl(emu, t.env, t.users.c), { token })).status, 200);
      assert.equal((await call("GET", sessionsUrl(emu, t.env, t.users.a), { token })).status, 403);
    });

    it("treat a static access token configured for an application as that application", async () => {
      const { accessToken } = emu.state.issueApplicationToken(t.apps.populations.clientId, {
        accessToken: "static-pop-token",
      });
      assert.equal(accessToken, "static-pop-token");
      const inside = await call("GET", sessionsUrl(emu, t.env, t.users.b), { token: accessToken });
      const outside = await call("GET", sessionsUrl(emu, t.env, t.users.c), { token: accessToken });
      assert.deepEqual([inside.status, outside.status], [200, 403]);
      assert.throws(() => emu.state.issueApplicationToken(t.apps.none.clientId, { accessToken }), {
        name: "EmulatorStateError",
        kind: "conflict",
      } as object);
    });

    it("derive from the role's permissions: a custom role without the session permissions reaches no session", async () => {
      const roleId = emu.state.addRole({ name: "User Reader", permissions: ["identity:read:user"] });
      const app = emu.state.addApplication({
        environmentId: t.env,
        roleAssignments: [{ role: "User Reader", scope: { type: "ENVIRONMENT", id: t.env } }],
      });
      const token = await tokenFor(emu, t.env, app.clientId, app.clientSecret);
      assert.equal((await call("GET", sessionsUrl(emu, t.env, t.users.a), { token })).status, 403);
      assert.equal((await api(`/environments/${t.env}/users/${t.users.a}`, token)).status, 200);
      assert.equal((await api(`/roles/${roleId}`, token)).json.name, "User Reader");
    });
  });

  describe("GET /environments/{envID}/users/{userID}", () => {
    it("gives the user with population.id to an application whose assignments reach the user", async () => {
      const reply = await api(`/environments/${t.env}/users/${t.users.c}`, tokens.environment);
      assert.equal(reply.status, 200);
      assert.equal(reply.json.id, t.users.c);
      assert.deepEqual(reply.json.population, { id: t.popC });
      assert.deepEqual(reply.json.environment, { id: t.env });
      assert.equal(reply.json._links.self.href, `${emu.apiUrl}/environments/${t.env}/users/${t.users.c}`);
      assert.equal(
        (await api(`/environments/${t.env}/users/${t.users.c}`, tokens.readOnly)).json.population.id,
        t.popC,
      );
    });

    it("refuses a population-level application a user outside its populations (403, also for an unknown user), and refuses no role at all", async () => {
      const statuses = [
        (await api(`/environments/${t.env}/users/${t.users.a}`, tokens.populations)).status,
        (await api(`/environments/${t.env}/users/${t.users.c}`, tokens.populations)).status,
        (await api(`/environments/${t.env}/users/${randomUUID()}`, tokens.populations)).status,
        (await api(`/environments/${t.env}/users/${randomUUID()}`, tokens.environment)).status,
        (await api(`/environments/${t.env}/users/${t.users.a}`, tokens.none)).status,
      ];
      assert.deepEqual(statuses, [200, 403, 403, 404, 403]);
    });

    it("lets a user's own sign-on token read that user and no other", async () => {
      const token = emu.state.issueUserSessionToken(t.env, t.users.a, t.sessions.a);
      assert.equal((await api(`/environments/${t.env}/users/${t.users.a}`, token)).status, 200);
      assert.equal((await api(`/environments/${t.env}/users/${t.users.b}`, token)).status, 403);
    });

    it("answers a path id that is not a UUID with 400 before any role check", async () => {
      const reply = await api(`/environments/${t.env}/users/not-a-user`, tokens.none);
      assert.equal(reply.status, 400);
      assert.deepEqual(
        reply.json.details.map((d: { code: string; target: string }) => [d.code, d.target]),
        [["INVALID_VALUE", "userId"]],
      );
      const put = await api(`/environments/${t.env}/users/${t.users.a}`, tokens.environment, "DELETE");
      assert.deepEqual([put.status, put.headers.get("allow")], [405, "GET"]);
    });
  });

  describe("GET /environments/{envID}/populations/{populationID}", () => {
    it("gives the name to an application reaching the population", async () => {
      const reply = await api(`/environments/${t.env}/populations/${t.popC}`, tokens.environment);
      assert.equal(reply.status, 200);
      assert.deepEqual(
        [reply.json.id, reply.json.name, reply.json.default, reply.json.environment.id],
        [t.popC, "Gamma", false, t.env],
      );
      assert.equal((await api(`/environments/${t.env}/populations/${t.popA}`, tokens.populations)).json.name, "Alpha");
      assert.equal(
        (await api(`/environments/${t.env}/populations/${emu.state.defaultPopulationId(t.env)}`, tokens.readOnly)).json
          .default,
        true,
      );
    });

    it("refuses a population outside a population-level application's reach, and any without a role; 404 only to whom could see it", async () => {
      const statuses = [
        (await api(`/environments/${t.env}/populations/${t.popC}`, tokens.populations)).status,
        (await api(`/environments/${t.env}/populations/${randomUUID()}`, tokens.populations)).status,
        (await api(`/environments/${t.env}/populations/${randomUUID()}`, tokens.environment)).status,
        (await api(`/environments/${t.env}/populations/${t.popA}`, tokens.none)).status,
      ];
      assert.deepEqual(statuses, [403, 403, 404, 403]);
    });
  });

  describe("GET /environments/{envID}/applications/{appID}/roleAssignments", () => {
    it("lists the application's assignments: id, role.id, scope {id, type}, environment.id", async () => {
      const reply = await api(
        `/environments/${t.env}/applications/${t.apps.populations.clientId}/roleAssignments`,
        tokens.populations,
      );
      assert.equal(reply.status, 200);
      const assignments = reply.json._embedded.roleAssignments;
      assert.deepEqual(
        assignments.map((a: { role: { id: string }; scope: unknown; environment: unknown }) => [
          a.role.id,
          a.scope,
          a.environment,
        ]),
        [
          [IDA, { id: t.popA, type: "POPULATION" }, { id: t.env }],
          [IDA, { id: t.popB, type: "POPULATION" }, { id: t.env }],
        ],
      );
      for (const a of assignments) assert.match(a.id, UUID_PATTERN);
      assert.deepEqual([reply.json.count, reply.json.size], [2, 2]);
    });

    it("shows the first emulator's shorthand as the assignment it stands for", async () => {
      const reply = await api(
        `/environments/${t.env}/applications/${t.apps.legacy.clientId}/roleAssignments`,
        tokens.environment,
      );
      assert.deepEqual(
        reply.json._embedded.roleAssignments.map((a: { role: { id: string }; scope: unknown }) => [a.role.id, a.scope]),
        [[IDA, { id: t.popA, type: "POPULATION" }]],
      );
      const org = await api(
        `/environments/${t.env}/applications/${t.apps.organization.clientId}/roleAssignments`,
        tokens.environment,
      );
      assert.deepEqual(org.json._embedded.roleAssignments[0].scope, {
        id: emu.state.organizationId,
        type: "ORGANIZATION",
      });
    });

    it("refuses (403) an application without a role that may read role assignments, or whose reading is switched off", async () => {
      const path = `/environments/${t.env}/applications/${t.apps.refused.clientId}/roleAssignments`;
      const statuses = {
        refusedReadingItself: (await api(path, tokens.refused)).status,
        noRole: (await api(path, tokens.none)).status,
        readOnlyRole: (await api(path, tokens.readOnly)).status,
        populationAdmin: (await api(path, tokens.populations)).status,
        userToken: (await api(path, emu.state.issueUserSessionToken(t.env, t.users.a, t.sessions.a))).status,
      };
      assert.deepEqual(statuses, {
        refusedReadingItself: 403,
        noRole: 403,
        readOnlyRole: 403,
        populationAdmin: 200,
        userToken: 403,
      });
    });

    it("answers 404 for an unknown application or one that lives in another environment, and 403 for an unknown environment", async () => {
      const unknown = await api(
        `/environments/${t.env}/applications/${randomUUID()}/roleAssignments`,
        tokens.environment,
      );
      const elsewhere = emu.state.addApplication({ environmentId: t.other, roleAssignments: [] });
      const wrongEnv = await api(
        `/environments/${t.env}/applications/${elsewhere.clientId}/roleAssignments`,
        tokens.environment,
      );
      const noEnv = await api(
        `/environments/${randomUUID()}/applications/${t.apps.environment.clientId}/roleAssignments`,
        tokens.environment,
      );
      assert.deepEqual([unknown.status, wrongEnv.status, noEnv.status], [404, 404, 403]);
      assert.equal(unknown.json.code, "NOT_FOUND");
    });
  });

  describe("GET /roles/{roleID}", () => {
    it("names Identity Data Admin exactly so, and lists at least one other role", async () => {
      const ida = await api(`/roles/${IDA}`, tokens.none);
      assert.equal(ida.status, 200);
      assert.equal(ida.json.name, "Identity Data Admin");
      assert.deepEqual(ida.json.applicableTo, ["ORGANIZATION", "ENVIRONMENT", "POPULATION"]);
      const all = await api("/roles", tokens.none);
      const names = all.json._embedded.roles.map((r: { name: string }) => r.name);
      assert.ok(
        names.includes("Identity Data Admin") && names.includes("Identity Data Read Only") && names.length >= 3,
        names.join(", "),
      );
    });

    it("answers 404 for an unknown role, 400 for a malformed id, 403 to a user's sign-on token", async () => {
      const statuses = [
        (await api(`/roles/${randomUUID()}`, tokens.environment)).status,
        (await api("/roles/identity-data-admin", tokens.environment)).status,
        (await api(`/roles/${IDA}`, emu.state.issueUserSessionToken(t.env, t.users.a, t.sessions.a))).status,
      ];
      assert.deepEqual(statuses, [404, 400, 403]);
    });
  });

  describe("seeding refusals", () => {
    it("refuses a scope the role cannot have, an unknown scope, an unknown role, and a non-boolean switch", () => {
      const s = emu.state;
      const cases: Array<[() => unknown, string, RegExp]> = [
        [
          () =>
            s.addApplication({
              environmentId: t.env,
              roleAssignments: [{ role: "Environment Admin", scope: { type: "POPULATION", id: t.popA } }],
            }),
          "invalid",
          /cannot be assigned at POPULATION scope/,
        ],
        [
          () =>
            s.addApplication({
              environmentId: t.env,
              roleAssignments: [{ role: { id: IDA }, scope: { type: "POPULATION", id: randomUUID() } }],
            }),
          "not_found",
          /population .* does not exist/,
        ],
        [
          () =>
            s.addApplication({
              environmentId: t.env,
              roleAssignments: [{ role: { id: IDA }, scope: { type: "ORGANIZATION", id: randomUUID() } }],
            }),
          "not_found",
          /organization .* does not exist/,
        ],
        [
          () =>
            s.addApplication({
              environmentId: t.env,
              roleAssignments: [{ role: "Nobody", scope: { type: "ENVIRONMENT", id: t.env } }],
            }),
          "not_found",
          /role "Nobody" does not exist/,
        ],
        [
          () => s.addApplication({ environmentId: t.env, roleAssignmentsReadable: "yes" as unknown as boolean }),
          "invalid",
          /roleAssignmentsReadable must be a boolean/,
        ],
      ];
      for (const [seedIt, kind, message] of cases)
        assert.throws(
          seedIt,
          (err: Error & { kind?: string }) =>
            err.name === "EmulatorStateError" && err.kind === kind && message.test(err.message),
        );
    });
  });
});

describe("PingOne emulator: demo seed applications", () => {
  let emu: RunningEmulator;
  before(async () => (emu = await startEmulator({ seed: "demo" })));
  after(() => emu.stop());

  it("has an environment-level and a population-level application, and the population-level one can learn why carol is refused", async () => {
    const env = DEMO.applications.environmentAdmin;
    const staff = DEMO.applications.staffAdmin;
    assert.equal(staff.clientId, DEMO.clientId);
    const envToken = await tokenFor(emu, DEMO.environmentId, env.clientId, env.clientSecret);
    const staffToken = await tokenFor(emu, DEMO.environmentId, staff.clientId, staff.clientSecret);
    const carol = sessionsUrl(emu, DEMO.environmentId, DEMO.users.carol);
    assert.deepEqual(
      [
        (await call("GET", carol, { token: envToken })).status,
        (await call("GET", carol, { token: staffToken })).status,
      ],
      [200, 403],
    );
    const user = await call("GET", `${emu.apiUrl}/environments/${DEMO.environmentId}/users/${DEMO.users.carol}`, {
      token: staffToken,
    });
    const population = await call(
      "GET",
      `${emu.apiUrl}/environments/${DEMO.environmentId}/populations/${user.json.population.id}`,
      { token: staffToken },
    );
    const assignments = await call(
      "GET",
      `${emu.apiUrl}/environments/${DEMO.environmentId}/applications/${staff.clientId}/roleAssignments`,
      { token: staffToken },
    );
    const roles = await Promise.all(
      assignments.json._embedded.roleAssignments.map(
        async (a: { role: { id: string }; scope: { type: string; id: string } }) => {
          const role = await call("GET", `${emu.apiUrl}/roles/${a.role.id}`, { token: staffToken });
          return `${role.json.name} ${a.scope.type} ${a.scope.id}`;
        },
      ),
    );
    assert.equal(population.json.name, "Contractors");
    assert.deepEqual(roles, [
      `Identity Data Admin POPULATION ${DEMO.populations.staff}`,
      `Identity Data Read Only ENVIRONMENT ${DEMO.environmentId}`,
    ]);
  });
});
