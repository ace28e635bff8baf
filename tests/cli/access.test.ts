/**
 * `pingone-sessions access`, against the demo emulator over real HTTP: the
 * worker application's Identity Data Admin scopes with population names, a
 * yes or no for a user or a population with the reason, exit 0 / 1 / 3,
 * only reads sent, and the case where the role assignments are unreadable.
 */
import assert from "node:assert/strict";
import { DEMO, RunningEmulator, startEmulator } from "../../emulator";
import { EXIT_CODES } from "../../cli";
import { cli, emulatorEnv } from "./support";

const HINT = " (see pingone-sessions access --help)\n";
const E = DEMO.environmentId;
const STAFF_APP = DEMO.applications.staffAdmin.clientId;
const STAFF = `"Staff" (${DEMO.populations.staff})`;
const CONTRACTORS = `"Contractors" (${DEMO.populations.contractors})`;

describe("pingone-sessions access", () => {
  let emulator: RunningEmulator;
  let env: Record<string, string>;
  before(async () => {
    emulator = await startEmulator({ seed: "demo" });
    env = emulatorEnv(emulator, { ...DEMO.applications.staffAdmin, environmentId: E });
  });
  after(async () => {
    await emulator.stop();
  });
  beforeEach(() => emulator.clearRequests());

  const access = (...extra: string[]) => ["access", "--environment", E, ...extra];
  const scopesTable = [
    `Identity Data Admin scopes of worker application ${STAFF_APP} in environment ${E}:`,
    "scope       id                                    name",
    `POPULATION  ${DEMO.populations.staff}  "Staff"`,
  ];
  const onlyReads = () =>
    assert.deepEqual(
      [...new Set(emulator.requests().map((r) => r.method))].sort(),
      ["GET", "POST"],
      "reads and the token only: no DELETE",
    );

  it("a population-level application, about the environment: its scopes by name, yes for its populations only, exit 0", async () => {
    const result = await cli(access(), env);
    assert.equal(result.code, EXIT_CODES.ok, result.stderr);
    assert.equal(
      result.stdout,
      [
        ...scopesTable,
        `yes: The worker application ${STAFF_APP} holds Identity Data Admin for population ${STAFF} of environment ${E} only: it may revoke sessions of their users, and of no one else.`,
        "",
      ].join("\n"),
    );
    assert.equal(result.stderr, "");
    onlyReads();
  });

  it("--user outside its populations: no, naming both populations and what to assign; exit 1", async () => {
    const result = await cli(access("--user", DEMO.users.carol), env);
    assert.equal(result.code, EXIT_CODES.failed);
    assert.equal(
      result.stdout.split("\n")[3],
      `no: The worker application ${STAFF_APP} holds Identity Data Admin for population ${STAFF} of environment ${E}; user ${DEMO.users.carol} is in population ${CONTRACTORS}: assign the role for ${CONTRACTORS}, or at environment level.`,
    );
    assert.ok(
      emulator.requests().some((r) => r.path === `/v1/environments/${E}/users/${DEMO.users.carol}`),
      "the user's population was read",
    );
    onlyReads();
    assert.equal(emulator.state.listSessions(E, DEMO.users.carol).length, 2);
  });

  it("--user inside its populations: yes, exit 0", async () => {
    const result = await cli(access("--user", DEMO.users.alice), env);
    assert.equal(result.code, EXIT_CODES.ok);
    assert.equal(
      result.stdout.split("\n")[3],
      `yes: The worker application ${STAFF_APP} holds Identity Data Admin for ${STAFF}, and user ${DEMO.users.alice} is in population ${STAFF}.`,
    );
  });

  it("--population not among its populations: no, exit 1; --json for pipelines", async () => {
    const result = await cli(access("--population", DEMO.populations.contractors, "--json"), env);
    assert.equal(result.code, EXIT_CODES.failed);
    assert.deepEqual(JSON.parse(result.stdout), {
      environmentId: E,
      applicationId: STAFF_APP,
      target: { populationId: DEMO.populations.contractors },
      may: false,
      reason: `The worker application ${STAFF_APP} holds Identity Data Admin for population ${STAFF} of environment ${E}; population ${CONTRACTORS} is not among them: assign the role for ${CONTRACTORS}, or at environment level.`,
      readable: true,
      scopes: [{ type: "POPULATION", id: DEMO.populations.staff, name: "Staff" }],
      population: { id: DEMO.populations.contractors, name: "Contractors" },
      refusal: null,
    });
  });

  it("an environment-level application: yes for anyone, exit 0", async () => {
    const result = await cli(
      access("--user", DEMO.users.carol),
      emulatorEnv(emulator, { ...DEMO.applications.environmentAdmin, environmentId: E }),
    );
    assert.equal(result.code, EXIT_CODES.ok);
    assert.deepEqual(result.stdout.trimEnd().split("\n").slice(1), [
      "scope        id                                    name",
      `ENVIRONMENT  ${E}  -`,
      `yes: The worker application ${DEMO.applications.environmentAdmin.clientId} holds Identity Data Admin at environment level for environment ${E}, so it may revoke any user's sessions there.`,
    ]);
  });

  it("an application without the role: none, no; exit 1", async () => {
    const app = emulator.state.addApplication({
      environmentId: E,
      roleAssignments: [
        { role: "Identity Data Read Only", scope: { type: "ENVIRONMENT", id: E } },
        { role: "Environment Admin", scope: { type: "ENVIRONMENT", id: E } },
      ],
    });
    const result = await cli(access(), emulatorEnv(emulator, { ...app, environmentId: E }));
    assert.equal(result.code, EXIT_CODES.failed);
    assert.equal(
      result.stdout,
      `Identity Data Admin scopes of worker application ${app.clientId} in environment ${E}: none.\n` +
        `no: The worker application ${app.clientId} holds no Identity Data Admin role in environment ${E}: assign it at environment level, or for the users' populations.\n`,
    );
  });

  it("an application that may not read its role assignments: unknown, the check needs that read access; exit 1", async () => {
    const app = emulator.state.addApplication({
      environmentId: E,
      roleAssignments: [{ role: "Identity Data Admin", scope: { type: "POPULATION", id: DEMO.populations.staff } }],
      roleAssignmentsReadable: false,
    });
    const result = await cli(access("--user", DEMO.users.carol), emulatorEnv(emulator, { ...app, environmentId: E }));
    assert.equal(result.code, EXIT_CODES.failed);
    const refused = emulator.requests().find((r) => r.path.endsWith("/roleAssignments"))!;
    assert.equal(refused.status, 403);
    assert.equal(
      result.stdout,
      `Identity Data Admin scopes of worker application ${app.clientId} in environment ${E}: not readable.\n` +
        `unknown: The worker application ${app.clientId}'s roles could not be checked: reading its role assignments was refused (HTTP 403 ACCESS_FAILED); the exact check needs read access to role assignments (a role such as Identity Data Admin or Environment Admin).\n`,
    );
    assert.match(
      result.stderr,
      new RegExp(
        `^pingone-sessions: reading the role assignments of worker application ${app.clientId} was refused: HTTP 403 ACCESS_FAILED \\(PingOne error id [0-9a-f-]{36}, transaction id ${refused.transactionId}\\)\\n$`,
      ),
    );
    const json = JSON.parse(
      (await cli(access("--json"), emulatorEnv(emulator, { ...app, environmentId: E }))).stdout,
    ) as { may: null; readable: boolean; refusal: { status: number } };
    assert.deepEqual([json.may, json.readable, json.refusal.status], [null, false, 403]);
  });

  it("usage errors exit 2 and configuration errors exit 3, before any request", async () => {
    const both = await cli(access("--user", DEMO.users.alice, "--population", DEMO.populations.staff), env);
    assert.equal(both.code, EXIT_CODES.usage);
    assert.equal(
      both.stderr,
      `pingone-sessions: --user and --population exclude each other: ask about one user, one population, or (with neither) the environment${HINT}`,
    );
    const badId = await cli(access("--population", "Staff"), env);
    assert.equal(badId.code, EXIT_CODES.usage);
    assert.equal(
      badId.stderr,
      `pingone-sessions: --population must be a PingOne id (a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e); got "Staff"${HINT}`,
    );
    const noCredentials = await cli(access(), { PINGONE_API_URL: emulator.apiUrl, PINGONE_AUTH_URL: emulator.authUrl });
    assert.equal(noCredentials.code, EXIT_CODES.config);
    assert.match(noCredentials.stderr, /^pingone-sessions: PingOne credentials are missing/);
    assert.deepEqual(emulator.requests(), []);
  });
});
