/**
 * Issue 12: a 403 that names the facts. Against the emulator over HTTP, the
 * role rule comes from role assignments; each case of the explanation is
 * asserted word for word, with the lookups it cost in the request log.
 */
import assert from "node:assert/strict";
import { startEmulator, RunningEmulator } from "../../emulator";
import { BUILT_IN_ROLES } from "../../emulator/roles";
import { accessFacts, mayRevoke } from "../../provider/client/access";
import { PingOneClient } from "../../provider/client/client";
import { PingOneApiError } from "../../provider/client/errors";
import { FakeClock } from "../support/world";

const IDA = { id: BUILT_IN_ROLES.identityDataAdmin.id };
const READ_ONLY = { id: BUILT_IN_ROLES.identityDataReadOnly.id };

describe("the role rule, explained exactly", () => {
  let emulator: RunningEmulator;
  let env: string;
  let staff: string;
  let office: string;
  let contractors: string;
  let carol: string;
  let carolSession: string;
  const clients: PingOneClient[] = [];

  beforeEach(async () => {
    emulator = await startEmulator();
    env = emulator.state.addEnvironment();
    staff = emulator.state.addPopulation(env, { name: "Staff" });
    office = emulator.state.addPopulation(env, { name: "Office" });
    contractors = emulator.state.addPopulation(env, { name: "Contractors" });
    carol = emulator.state.addUser(env, { populationId: contractors, username: "carol" });
    carolSession = emulator.state.addSession(env, carol).id;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await emulator.stop();
  });

  function clientFor(app: { clientId: string; clientSecret: string }): PingOneClient {
    const client = PingOneClient.fromSettings(
      { explicit: { apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, environmentId: env, ...app } },
      { clock: new FakeClock() },
    );
    clients.push(client);
    return client;
  }

  async function refusal(promise: Promise<unknown>): Promise<PingOneApiError> {
    const error = await promise.then(
      () => assert.fail("expected a 403"),
      (e: unknown) => e,
    );
    assert.ok(PingOneApiError.isInstance(error));
    assert.equal(error.status, 403, "the 403 stays a 403");
    return error;
  }

  const lookups = () =>
    emulator
      .requests()
      .filter((r) => r.method === "GET" && !r.path.includes("/sessions"))
      .map((r) => r.path.replace(/\/v1/, "").replace(/\?.*/, ""));

  it("names the populations held and the user's population (case 1)", async () => {
    const app = emulator.state.addApplication({
      environmentId: env,
      roleAssignments: [
        { role: IDA, scope: { type: "POPULATION", id: staff } },
        { role: IDA, scope: { type: "POPULATION", id: office } },
        { role: READ_ONLY, scope: { type: "ENVIRONMENT", id: env } },
      ],
    });
    const error = await refusal(
      clientFor(app).deleteSession({ environmentId: env, userId: carol, sessionId: carolSession }),
    );
    assert.equal(
      error.advice,
      `The worker application ${app.clientId} holds Identity Data Admin for populations "Staff" (${staff}), "Office" (${office}) of environment ${env}; user ${carol} is in population "Contractors" (${contractors}): assign the role for "Contractors" (${contractors}), or at environment level.`,
    );
    assert.match(
      error.message,
      /^Could not revoke session .*: HTTP 403 ACCESS_FAILED\/INSUFFICIENT_PERMISSIONS .*\(PingOne error id [0-9a-f-]{36}, transaction id pulumi-pingone-sessions-[0-9a-f-]{36}, 1 attempt/,
    );
    assert.equal(emulator.state.listSessions(env, carol).length, 1, "nothing was revoked");
  });

  it("keeps the client secret out of the advice when a population's name echoes it", async () => {
    const app = emulator.state.addApplication({
      environmentId: env,
      roleAssignments: [
        { role: IDA, scope: { type: "POPULATION", id: staff } },
        { role: READ_ONLY, scope: { type: "ENVIRONMENT", id: env } },
      ],
    });
    const echoing = emulator.state.addPopulation(env, { name: `Echo ${app.clientSecret}` });
    const dave = emulator.state.addUser(env, { populationId: echoing, username: "dave" });
    const session = emulator.state.addSession(env, dave).id;
    const error = await refusal(clientFor(app).deleteSession({ environmentId: env, userId: dave, sessionId: session }));
    assert.equal(
      error.advice,
      `The worker application ${app.clientId} holds Identity Data Admin for population "Staff" (${staff}) of environment ${env}; user ${dave} is in population "Echo [redacted]" (${echoing}): assign the role for "Echo [redacted]" (${echoing}), or at environment level.`,
    );
    assert.equal(error.message.includes(app.clientSecret), false, error.message);
  });

  it("infers the user is outside its populations when it may not even read the user", async () => {
    const app = emulator.state.addApplication({
      environmentId: env,
      roleAssignments: [{ role: IDA, scope: { type: "POPULATION", id: staff } }],
    });
    const error = await refusal(clientFor(app).listSessions({ environmentId: env, userId: carol }));
    assert.equal(
      error.advice,
      `The worker application ${app.clientId} holds Identity Data Admin for population "Staff" (${staff}) of environment ${env} only, and may not even read user ${carol}: the user is outside those populations. Assign the role for the user's population, or at environment level.`,
    );
  });

  it("concludes nothing from a 403 on the user's read that is not PingOne's (an HTML page): the general advice stays", async () => {
    const app = emulator.state.addApplication({
      environmentId: env,
      roleAssignments: [{ role: IDA, scope: { type: "POPULATION", id: staff } }],
    });
    const userRead = new RegExp(`^/v1/environments/${env}/users/${carol}$`);
    const page = { status: 403, headers: { "content-type": "text/html" }, body: "<html>Forbidden</html>" };
    emulator.injectFault({ method: "GET", path: userRead, count: 2, ...page });
    const error = await refusal(
      clientFor(app).deleteSession({ environmentId: env, userId: carol, sessionId: carolSession }),
    );
    assert.match(
      error.advice,
      /^The worker application lacks permission: it needs the Identity Data Administrator role at environment level, or at population level for this user's population\./,
    );
    assert.doesNotMatch(error.advice, /may not even read user|outside those populations/);
    const lookup = await mayRevoke(clientFor(app), env, { userId: carol }).then(
      () => assert.fail("expected the user's read to fail"),
      (e: unknown) => e,
    );
    assert.ok(PingOneApiError.isInstance(lookup));
    assert.deepEqual([lookup.status, lookup.code], [403, "NOT_PINGONE"]);
  });

  it("says when the application holds no Identity Data Admin in the environment (case 2)", async () => {
    const other = emulator.state.addEnvironment();
    const app = emulator.state.addApplication({
      environmentId: env,
      roleAssignments: [
        { role: IDA, scope: { type: "ENVIRONMENT", id: other } },
        { role: { id: BUILT_IN_ROLES.environmentAdmin.id }, scope: { type: "ENVIRONMENT", id: env } },
      ],
    });
    const error = await refusal(
      clientFor(app).deleteSession({ environmentId: env, userId: carol, sessionId: carolSession }),
    );
    assert.equal(
      error.advice,
      `The worker application ${app.clientId} holds no Identity Data Admin role in environment ${env}: assign it at environment level, or for the users' populations.`,
    );
  });

  it("says the 403 has another cause when the role is held at environment level (case 3)", async () => {
    const app = emulator.state.addApplication({
      environmentId: env,
      roleAssignments: [{ role: IDA, scope: { type: "ENVIRONMENT", id: env } }],
    });
    emulator.injectFault({
      method: "DELETE",
      path: "/v1/",
      status: 403,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        id: "5e2a2f0e-1111-4222-8333-944444444444",
        code: "ACCESS_FAILED",
        message: "The request could not be completed.",
        details: [{ code: "LICENSE_EXCEEDED", message: "Licence limit reached." }],
      }),
    });
    const error = await refusal(
      clientFor(app).deleteSession({ environmentId: env, userId: carol, sessionId: carolSession }),
    );
    assert.equal(
      error.advice,
      `The worker application ${app.clientId} holds Identity Data Admin at environment level for environment ${env}; so this 403 has another cause: a licence limit, a token issued by another environment, or an environment created moments ago (PingOne said ACCESS_FAILED/LICENSE_EXCEEDED). Run again in a minute; if it persists, quote the ids here to Ping support.`,
    );
    assert.match(error.message, /PingOne error id 5e2a2f0e-1111-4222-8333-944444444444/);
  });

  it("falls back to the general advice when the role assignments may not be read (case 4)", async () => {
    const app = emulator.state.addApplication({
      environmentId: env,
      roleAssignments: [{ role: IDA, scope: { type: "POPULATION", id: staff } }],
      roleAssignmentsReadable: false,
    });
    const error = await refusal(
      clientFor(app).deleteSession({ environmentId: env, userId: carol, sessionId: carolSession }),
    );
    assert.match(
      error.advice,
      /^The worker application lacks permission: it needs the Identity Data Administrator role at environment level, or at population level for this user's population\./,
    );
    assert.match(
      error.advice,
      new RegExp(
        `The worker application ${app.clientId}'s roles could not be checked: reading its role assignments was refused \\(HTTP 403 ACCESS_FAILED\\); the exact check needs read access to role assignments`,
      ),
    );
  });

  it("costs at most 3 extra requests per refused user, and reads the application's roles once (100 users)", async () => {
    const app = emulator.state.addApplication({
      environmentId: env,
      roleAssignments: [
        { role: IDA, scope: { type: "POPULATION", id: staff } },
        { role: READ_ONLY, scope: { type: "ENVIRONMENT", id: env } },
      ],
    });
    const users = Array.from({ length: 100 }, () => emulator.state.addUser(env, { populationId: contractors }));
    for (const u of users) emulator.state.addSession(env, u);
    const client = clientFor(app);
    emulator.clearRequests();
    const errors = await Promise.all(users.map((u) => refusal(client.listSessions({ environmentId: env, userId: u }))));
    assert.ok(errors.every((e) => e.advice.includes(`is in population "Contractors" (${contractors})`)));
    const extra = lookups();
    assert.equal(extra.filter((p) => p.endsWith("/roleAssignments")).length, 1);
    assert.equal(extra.filter((p) => p.startsWith("/roles/")).length, 2, "one read per distinct role");
    assert.equal(extra.filter((p) => /\/users\/[^/]+$/.test(p)).length, 100, "one read per user");
    assert.ok(extra.length <= 3 * 100, `${extra.length} extra requests for 100 users`);
    assert.equal(extra.length, 100 + 1 + 2 + 2, "users, the assignments, two roles, two populations");
  });

  it("answers the pre-flight question for a user, a population and the environment", async () => {
    const app = emulator.state.addApplication({
      environmentId: env,
      roleAssignments: [
        { role: IDA, scope: { type: "POPULATION", id: staff } },
        { role: READ_ONLY, scope: { type: "ENVIRONMENT", id: env } },
      ],
    });
    const client = clientFor(app);
    const alice = emulator.state.addUser(env, { populationId: staff });
    assert.equal((await mayRevoke(client, env, { userId: alice })).may, true);
    assert.equal((await mayRevoke(client, env, { userId: carol })).may, false);
    const population = await mayRevoke(client, env, { populationId: contractors });
    assert.equal(population.may, false);
    assert.match(population.reason, /population "Contractors" .* is not among them: assign the role for "Contractors"/);
    assert.deepEqual((await accessFacts(client, env)).scopes, [{ type: "POPULATION", id: staff, name: "Staff" }]);
  });

  it("waits for the lookups no longer than the operation deadline: a slow server gets the general advice, said to be general", async () => {
    const app = emulator.state.addApplication({
      environmentId: env,
      roleAssignments: [{ role: IDA, scope: { type: "POPULATION", id: staff } }],
    });
    emulator.injectFault({ method: "GET", path: `/v1/environments/${env}/applications/`, delayMs: 5_000, count: 20 });
    const client = PingOneClient.fromSettings(
      {
        explicit: {
          apiUrl: emulator.apiUrl,
          authUrl: emulator.authUrl,
          environmentId: env,
          requestTimeoutSeconds: 0.5,
          operationTimeoutSeconds: 1,
          ...app,
        },
      },
      { clock: new FakeClock() },
    );
    clients.push(client);
    const error = await refusal(client.deleteSession({ environmentId: env, userId: carol, sessionId: carolSession }));
    assert.match(
      error.advice,
      /^The worker application lacks permission: .* The exact check \(the application's roles, the user's population\) did not answer before the operation deadline of 1 s; pingone-sessions access runs it on its own\.$/,
    );
    assert.equal(emulator.state.listSessions(env, carol).length, 1);
  });

  it("leaves a static token's 403 with the general advice, and looks nothing up", async () => {
    const app = emulator.state.addApplication({
      environmentId: env,
      roleAssignments: [{ role: IDA, scope: { type: "POPULATION", id: staff } }],
    });
    const { accessToken } = emulator.state.issueApplicationToken(app.clientId);
    const client = PingOneClient.fromSettings(
      { explicit: { apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, apiAccessToken: accessToken } },
      { clock: new FakeClock() },
    );
    clients.push(client);
    emulator.clearRequests();
    const error = await refusal(client.deleteSession({ environmentId: env, userId: carol, sessionId: carolSession }));
    assert.match(error.advice, /^The worker application lacks permission/);
    assert.deepEqual(lookups(), []);
  });
});
