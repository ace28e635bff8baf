/**
 * `pingone-sessions revoke --all` for several users (`--user` repeated,
 * `--users-file`), against the emulator over real HTTP: one process, one
 * token, every user's sessions revoked, the report grouped by user, and a
 * user whose sessions cannot be listed reported without stopping the others.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EXIT_CODES } from "../../cli";
import { startWorld, World } from "../support/world";
import { cli } from "./support";

/** The end of a usage error's line: a pointer to the help of the command run. */
const hint = (command: string) => ` (see pingone-sessions ${command} --help)\n`;

describe("pingone-sessions revoke --all, several users", () => {
  let world: World;
  let env: Record<string, string>;
  let users: string[];
  let dir: string;
  beforeEach(async () => {
    world = await startWorld();
    env = world.env;
    users = [world.userId];
    for (let i = 0; i < 2; i++) {
      const userId = world.emulator.state.addUser(world.environmentId);
      for (let j = 0; j < 2; j++) world.emulator.state.addSession(world.environmentId, userId);
      users.push(userId);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pingone-users-"));
  });
  afterEach(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await world.stop();
  });

  const base = () => ["revoke", "--environment", world.environmentId, "--all"];
  const sessionsOf = (userId: string) =>
    world.emulator.state.listSessions(world.environmentId, userId).map((s) => s.id);
  const usersFile = (text: string) => {
    const file = path.join(dir, "users.txt");
    fs.writeFileSync(file, text);
    return file;
  };

  it("--user repeated: every user's sessions, one token for the run, lines grouped by user, a total; exit 0", async () => {
    const before = users.map(sessionsOf);
    const result = await cli([...base(), ...users.flatMap((u) => ["--user", u])], env);
    assert.equal(result.code, EXIT_CODES.ok, result.stderr);
    for (const u of users) assert.deepEqual(sessionsOf(u), []);
    assert.equal(world.tokenRequests().length, 1, "one client, one token for every user");
    const expected = users.flatMap((u, i) => [
      `user ${u}`,
      ...before[i].map((s) => `revoked ${s}`),
      `Revoked ${before[i].length}, already absent 0, failed 0 (of ${before[i].length} sessions of user ${u} in environment ${world.environmentId}).`,
    ]);
    const lines = result.stdout.trimEnd().split("\n");
    const sortedRevokes = (list: string[]) => list.map((l) => (l.startsWith("revoked ") ? "revoked" : l));
    assert.deepEqual(
      sortedRevokes(lines.slice(0, -1)),
      sortedRevokes(expected),
      "grouped: header, the user's lines, the user's summary",
    );
    assert.deepEqual(
      lines.filter((l) => l.startsWith("revoked ")).sort(),
      before
        .flat()
        .map((s) => `revoked ${s}`)
        .sort(),
    );
    assert.equal(
      lines.at(-1),
      `Total: revoked 7, already absent 0, failed 0 (of 7 sessions of 3 users in environment ${world.environmentId}).`,
    );
  });

  it("--users-file: one id a line, # comments and blank lines ignored, repeats dropped; --json grouped by user", async () => {
    const file = usersFile(
      `# incident 4711\n${users[0]}\n\n  ${users[1]}   # the contractor\n${users[0].toUpperCase()}\n${users[2]}\n`,
    );
    const result = await cli([...base(), "--users-file", file, "--json"], env);
    assert.equal(result.code, EXIT_CODES.ok, result.stderr);
    const report = JSON.parse(result.stdout) as {
      revoked: string[];
      users: { userId: string; revoked: string[]; error: unknown }[];
      interrupted: null;
    };
    assert.deepEqual(
      report.users.map((u) => u.userId),
      users,
    );
    assert.deepEqual(
      report.users.map((u) => u.revoked.length),
      [3, 2, 2],
    );
    assert.deepEqual(
      report.users.map((u) => u.error),
      [null, null, null],
    );
    assert.equal(report.revoked.length, 7);
    assert.equal(world.apiRequests().filter((r) => r.method === "GET").length, 3, "each user listed once");
  });

  it("a user whose sessions cannot be listed is reported; the others are revoked; exit 1", async () => {
    world.emulator.injectFault({
      method: "GET",
      path: `/v1/environments/${world.environmentId}/users/${users[1]}/sessions`,
      status: 403,
    });
    const result = await cli([...base(), ...users.flatMap((u) => ["--user", u]), "--json"], env);
    assert.equal(result.code, EXIT_CODES.failed);
    const report = JSON.parse(result.stdout) as {
      users: { userId: string; revoked: string[]; error: { status: number; code: string; failure: string } | null }[];
    };
    assert.deepEqual(
      report.users.map((u) => u.revoked.length),
      [3, 0, 2],
    );
    assert.deepEqual(
      [report.users[1].error?.status, report.users[1].error?.code, report.users[1].error?.failure],
      [403, "ACCESS_FAILED", "HTTP_STATUS"],
    );
    assert.equal(sessionsOf(users[1]).length, 2);
    assert.deepEqual([sessionsOf(users[0]), sessionsOf(users[2])], [[], []]);
    assert.match(
      result.stderr,
      new RegExp(`^failed user ${users[1]}: Could not list sessions .*HTTP 403 ACCESS_FAILED`),
    );
    assert.equal(result.stderr.split("\n").length, 2, "one line");

    world.emulator.injectFault({
      method: "GET",
      path: `/v1/environments/${world.environmentId}/users/${users[1]}/sessions`,
      status: 403,
    });
    const text = await cli([...base(), "--user", users[0], "--user", users[1]], env);
    assert.equal(text.code, EXIT_CODES.failed);
    const lines = text.stdout.trimEnd().split("\n");
    assert.ok(
      lines.includes(
        `Not listed: its sessions could not be listed (user ${users[1]} in environment ${world.environmentId}).`,
      ),
      text.stdout,
    );
    assert.equal(
      lines.at(-1),
      `Total: revoked 0, already absent 0, failed 0 (of 0 sessions of 2 users in environment ${world.environmentId}; 1 user not listed).`,
    );
  });

  describe("usage errors: exit 2, nothing sent", () => {
    const cases: { name: string; argv: () => string[]; message: () => string }[] = [
      {
        name: "an id that is not a UUID on line 3 of the users file",
        argv: () => [...base(), "--users-file", usersFile(`${users[0]}\n# fine\nalice@example.com\n`)],
        message: () =>
          `--users-file ${JSON.stringify(path.join(dir, "users.txt"))} line 3 must be a PingOne id (a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e); got "alice@example.com"`,
      },
      {
        name: "a users file with no id",
        argv: () => [...base(), "--users-file", usersFile("# nobody\n\n")],
        message: () =>
          `--users-file ${JSON.stringify(path.join(dir, "users.txt"))} holds no user id (one a line; blank lines and # comments are ignored)`,
      },
      {
        name: "a users file that does not exist",
        argv: () => [...base(), "--users-file", path.join(dir, "missing.txt")],
        message: () => `--users-file ${JSON.stringify(path.join(dir, "missing.txt"))} cannot be read: no such file`,
      },
      {
        name: "a bad --user among good ones",
        argv: () => [...base(), "--user", users[0], "--user", "bob"],
        message: () => '--user must be a PingOne id (a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e); got "bob"',
      },
      {
        name: "--session with two users",
        argv: () => [
          "revoke",
          "--environment",
          world.environmentId,
          "--user",
          users[0],
          "--user",
          users[1],
          "--session",
          world.sessionIds[0],
        ],
        message: () => "--session revokes one session of one user: give one --user (several users take --all)",
      },
      {
        name: "list with two users",
        argv: () => ["list", "--environment", world.environmentId, "--user", users[0], "--user", users[1]],
        message: () => "--user is given 2 times: give it once",
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const result = await cli(c.argv(), env);
        assert.equal(result.stderr, `pingone-sessions: ${c.message()}${hint(c.argv()[0])}`);
        assert.equal(result.code, EXIT_CODES.usage);
        assert.deepEqual(world.emulator.requests(), []);
      });
    }
  });
});
