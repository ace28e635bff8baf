/**
 * `pingone-sessions sweep`, run in-process against the emulator over real
 * HTTP on loopback: flags checked before any request, a dry run that sends
 * no DELETE, the sessions revoked exactly as selected, the report file line
 * by line, shards that split the users, the confirmation above 1,000
 * sessions, failures counted by code, and an interrupt that leaves a report
 * a re-run finishes.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { PassThrough } from "node:stream";
import path from "node:path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { EXIT_CODES } from "../../cli";
import { askLine } from "../../cli/common";
import { sweepStatus } from "../../cli/commands/sweep";
import { shardOf } from "../../provider/client/criteria";
import { SENTINEL_SECRET } from "../support/world";
import { cli, emulatorEnv, until } from "./support";

const HINT = " (see pingone-sessions sweep --help)\n";
const OLD = "2026-01-10T08:00:00.000Z";
const NEW = "2026-03-01T08:00:00.000Z";
const CUTOFF = "2026-02-01T00:00:00Z";

/** A tenant: 5 staff and 3 contractors, each with an old session (from 203.0.113.0/24) and a new one (from 198.51.100.0/24); pages of 3 users. */
interface Tenant {
  emulator: RunningEmulator;
  environmentId: string;
  staff: string;
  contractors: string;
  /** User ids by population, in the order added. */
  users: { staff: string[]; contractors: string[] };
  /** Session ids per user: [old, new]. */
  sessions: Map<string, [string, string]>;
  env: Record<string, string>;
  clientId: string;
  dir: string;
  stop(): Promise<void>;
}

async function startTenant(): Promise<Tenant> {
  const emulator = await startEmulator({ userPageSize: 3 });
  const state = emulator.state;
  const environmentId = state.addEnvironment();
  const staff = state.addPopulation(environmentId, { name: "Staff" });
  const contractors = state.addPopulation(environmentId, { name: "Contractors" });
  const users = { staff: [] as string[], contractors: [] as string[] };
  const sessions = new Map<string, [string, string]>();
  let n = 0;
  for (const [population, list, prefix, count] of [
    [staff, users.staff, "staff", 5],
    [contractors, users.contractors, "contractor", 3],
  ] as const) {
    for (let i = 0; i < count; i++) {
      n++;
      const userId = state.addUser(environmentId, { populationId: population, username: `${prefix}-${i}` });
      const old = state.addSession(environmentId, userId, { createdAt: new Date(OLD), remoteIp: `203.0.113.${n}` }).id;
      const fresh = state.addSession(environmentId, userId, {
        createdAt: new Date(NEW),
        remoteIp: `198.51.100.${n}`,
      }).id;
      list.push(userId);
      sessions.set(userId, [old, fresh]);
    }
  }
  const { clientId } = state.addApplication({
    environmentId,
    clientSecret: SENTINEL_SECRET,
    roles: [{ role: "Identity Data Administrator", environmentId }],
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pingone-sweep-"));
  return {
    emulator,
    environmentId,
    staff,
    contractors,
    users,
    sessions,
    env: emulatorEnv(emulator, { clientId, clientSecret: SENTINEL_SECRET, environmentId }),
    clientId,
    dir,
    async stop() {
      fs.rmSync(dir, { recursive: true, force: true });
      await emulator.stop();
    },
  };
}

describe("pingone-sessions sweep", () => {
  let t: Tenant;
  beforeEach(async () => {
    t = await startTenant();
  });
  afterEach(async () => {
    await t.stop();
  });

  const sweep = (...args: string[]) => ["sweep", "--environment", t.environmentId, ...args];
  const api = () => t.emulator.requests().filter((r) => r.path.startsWith("/v1/"));
  const deletes = () => api().filter((r) => r.method === "DELETE");
  const deletedIds = () =>
    deletes()
      .map((r) => r.path.split("/").pop()!)
      .sort();
  const left = (userId: string) => t.emulator.state.listSessions(t.environmentId, userId).map((s) => s.id);
  const oldOf = (users: string[]) => users.map((u) => t.sessions.get(u)![0]).sort();

  describe("usage errors: exit 2, one line naming the flag, nothing sent", () => {
    const cases: { name: string; argv: () => string[]; env?: Record<string, string>; message: string }[] = [
      {
        name: "no users selected",
        argv: () => sweep(),
        message:
          "say which users: --population P, --filter SCIM or --all-users (every user of the environment must be asked for explicitly)",
      },
      {
        name: "two selections",
        argv: () => sweep("--population", t.staff, "--all-users"),
        message: "give only one of --population, --filter and --all-users; got --population and --all-users",
      },
      {
        name: "a population that is not an id",
        argv: () => sweep("--population", "Staff"),
        message: '--population must be a PingOne id (a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e); got "Staff"',
      },
      {
        name: "a filter PingOne would refuse (the shared validator, naming the flag)",
        argv: () => sweep("--filter", 'username co "x"'),
        message:
          '--filter "username co \\"x\\"": an operator (eq or sw) is expected at token 2 ("co"); the form is attribute eq|sw "value", or memberOfGroups[id eq "…"], joined by and/or',
      },
      {
        name: "a date that does not exist (the shared date-time validator)",
        argv: () => sweep("--all-users", "--created-before", "2026-02-30T00:00:00Z"),
        message:
          '--created-before names a time that does not exist (February 2026 has 28 days): use an ISO 8601 date-time with a time zone, such as 2026-11-28T12:00:00Z; got "2026-02-30T00:00:00Z"',
      },
      {
        name: "a sign-on time without a zone",
        argv: () => sweep("--all-users", "--last-sign-on-before", "2026-02-01T00:00"),
        message:
          '--last-sign-on-before must be an ISO 8601 date-time with a time zone, such as 2026-11-28T12:00:00Z; got "2026-02-01T00:00"',
      },
      {
        name: "a range that is not CIDR",
        argv: () => sweep("--all-users", "--remote-ip", "10.0.0.0/8", "--remote-ip", "10.0.0.0/33"),
        message: '--remote-ip "10.0.0.0/33" has a prefix length outside 0-32',
      },
      {
        name: "a shard past the count",
        argv: () => sweep("--all-users", "--shard", "4/4"),
        message: '--shard "4/4": its index must be a whole number from 0 to 3',
      },
      {
        name: "a shard that is not I/N",
        argv: () => sweep("--all-users", "--shard", "first"),
        message: '--shard must be INDEX/COUNT, such as 0/4 for the first of 4 shards; got "first"',
      },
      {
        name: "--shard and --shard-from-env",
        argv: () => sweep("--all-users", "--shard", "0/2", "--shard-from-env"),
        message: "--shard and --shard-from-env exclude each other: give the shard, or read it from the environment",
      },
      {
        name: "--shard-from-env with no index variable",
        argv: () => sweep("--all-users", "--shard-from-env", "--shard-count", "4"),
        message:
          "--shard-from-env: neither PINGONE_SHARD_INDEX (a CI matrix) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set",
      },
      {
        name: "--shard-from-env with no count",
        argv: () => sweep("--all-users", "--shard-from-env"),
        env: { JOB_COMPLETION_INDEX: "2" },
        message:
          "--shard-from-env needs the number of shards: --shard-count N or PINGONE_SHARD_COUNT (a Kubernetes Indexed Job's completions, a CI matrix's size)",
      },
      {
        name: "--shard-from-env whose two index variables disagree",
        argv: () => sweep("--all-users", "--shard-from-env"),
        env: { JOB_COMPLETION_INDEX: "2", PINGONE_SHARD_INDEX: "1", PINGONE_SHARD_COUNT: "4" },
        message: '--shard-from-env: PINGONE_SHARD_INDEX="1" and JOB_COMPLETION_INDEX="2" disagree: unset one',
      },
      {
        name: "--shard-from-env with an index past the count",
        argv: () => sweep("--all-users", "--shard-from-env"),
        env: { JOB_COMPLETION_INDEX: "4", PINGONE_SHARD_COUNT: "4" },
        message:
          "--shard-from-env (index JOB_COMPLETION_INDEX=4, count PINGONE_SHARD_COUNT=4): its index must be a whole number from 0 to 3",
      },
      {
        name: "--dry-run with --yes",
        argv: () => sweep("--all-users", "--dry-run", "--yes"),
        message: "--dry-run revokes nothing, so --yes has nothing to confirm: give one of them",
      },
      {
        name: "a report file in a folder that does not exist",
        argv: () => sweep("--all-users", "--yes", "--report", "/nonexistent-dir/r.jsonl"),
        message:
          '--report "/nonexistent-dir/r.jsonl" cannot be opened for appending: its folder "/nonexistent-dir" does not exist',
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const result = await cli(c.argv(), { ...t.env, ...c.env });
        assert.equal(result.stderr, `pingone-sessions: ${c.message}${HINT}`);
        assert.equal(result.code, EXIT_CODES.usage);
        assert.equal(result.stdout, "");
        assert.deepEqual(t.emulator.requests(), [], "nothing sent, not even a token request");
      });
    }
  });

  describe("--dry-run", () => {
    it("lists what would be revoked (escaped table) and sends no DELETE", async () => {
      const result = await cli(sweep("--population", t.staff, "--created-before", CUTOFF, "--dry-run"), t.env);
      assert.equal(result.code, EXIT_CODES.ok, result.stderr);
      const lines = result.stdout.trimEnd().split("\n");
      assert.equal(
        lines[0],
        "user                                  session                               createdAt                 lastSignOn.at             remoteIp",
      );
      const expected = t.users.staff.map(
        (u, i) => `${u}  ${t.sessions.get(u)![0]}  ${OLD}  ${OLD}  203.0.113.${i + 1}`,
      );
      assert.deepEqual(lines.slice(1, -1).sort(), expected.sort());
      assert.equal(
        lines.at(-1),
        `Dry run of population ${t.staff} in environment ${t.environmentId}, sessions created before ${CUTOFF}: 5 users scanned; 5 sessions would be revoked. Nothing was deleted.`,
      );
      assert.deepEqual(deletes(), [], "no DELETE in the request log");
      const pages = api().filter((r) => r.path.includes("/users?"));
      assert.equal(pages.length, 2, "5 users in pages of 3");
      assert.ok(
        pages[0].path.includes(`filter=${encodeURIComponent(`population.id eq "${t.staff}"`).replace(/%20/g, "+")}`),
        pages[0].path,
      );
      for (const u of t.users.staff) assert.equal(left(u).length, 2);
    });

    it("--json: the matched sessions and the summary in one document; still no DELETE", async () => {
      const result = await cli(
        sweep("--filter", 'username sw "contractor-"', "--remote-ip", "203.0.113.0/24", "--dry-run", "--json"),
        t.env,
      );
      assert.equal(result.code, EXIT_CODES.ok, result.stderr);
      const doc = JSON.parse(result.stdout) as {
        matched: { userId: string; sessionId: string; createdAt: string; lastSignOnAt: string; remoteIps: string[] }[];
        failures: unknown[];
        summary: Record<string, unknown>;
      };
      assert.deepEqual(
        doc.matched.sort((a, b) => a.userId.localeCompare(b.userId)),
        t.users.contractors
          .map((u, i) => ({
            userId: u,
            sessionId: t.sessions.get(u)![0],
            createdAt: OLD,
            lastSignOnAt: OLD,
            remoteIps: [`203.0.113.${6 + i}`],
          }))
          .sort((a, b) => a.userId.localeCompare(b.userId)),
      );
      assert.deepEqual(doc.failures, []);
      assert.equal(doc.summary.pass, "dry-run");
      assert.equal(doc.summary.sessionsMatched, 3);
      assert.equal(doc.summary.usersScanned, 3);
      assert.equal(doc.summary.sessionsRevoked, 0);
      assert.deepEqual(deletes(), []);
    });

    it("server text that tries to drive the terminal is shown escaped", async () => {
      const [user] = t.users.contractors;
      const hostile = {
        id: "0f8fad5b-d9cb-469f-a165-70867728950e",
        createdAt: "2026-01-01T00:00:00Z\x1b]0;pwned\x07",
        lastSignOn: { at: "\x1b[2J", remoteIp: "10.0.0.1\u202e" },
      };
      t.emulator.injectFault({
        method: "GET",
        path: `/v1/environments/${t.environmentId}/users/${user}/sessions`,
        status: 200,
        body: JSON.stringify({ _embedded: { sessions: [hostile] } }),
      });
      const result = await cli(sweep("--filter", `username eq "contractor-0"`, "--dry-run"), t.env);
      assert.equal(result.code, EXIT_CODES.ok, result.stderr);
      assert.equal(
        result.stdout.split("\n")[1],
        `${user}  ${hostile.id}  2026-01-01T00:00:00Z\\x1b]0;pwned\\x07  ${"\\x1b[2J".padEnd(24)}  10.0.0.1\\u202e`,
      );
      assert.doesNotMatch(result.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    });
  });

  describe("revoking", () => {
    it("revokes exactly the matching sessions: one DELETE each, a summary line, exit 0", async () => {
      const result = await cli(sweep("--population", t.staff, "--created-before", CUTOFF, "--yes"), t.env);
      assert.equal(result.code, EXIT_CODES.ok, result.stderr);
      assert.equal(result.stderr, "");
      assert.equal(
        result.stdout,
        `Swept population ${t.staff} in environment ${t.environmentId}, sessions created before ${CUTOFF}: 5 users scanned; 5 sessions matched: revoked 5, already absent 0, failed 0.\n`,
      );
      assert.deepEqual(deletedIds(), oldOf(t.users.staff));
      assert.ok(deletes().every((r) => r.status === 204));
      for (const u of t.users.staff) assert.deepEqual(left(u), [t.sessions.get(u)![1]]);
      for (const u of t.users.contractors) assert.equal(left(u).length, 2, "another population is untouched");
      assert.equal(t.emulator.requests().filter((r) => r.path.endsWith("/as/token")).length, 1, "one token");
      assert.equal(
        api().filter((r) => r.method === "GET").length,
        2 + 5,
        "--yes: no count first; two user pages and one list per user",
      );
    });

    it("--last-sign-on-before and --remote-ip together: both must hold", async () => {
      const result = await cli(
        sweep(
          "--all-users",
          "--last-sign-on-before",
          "2026-12-31T00:00:00Z",
          "--remote-ip",
          "198.51.100.1/32",
          "--remote-ip",
          "198.51.100.8",
          "--yes",
          "--json",
        ),
        t.env,
      );
      assert.equal(result.code, EXIT_CODES.ok, result.stderr);
      const first = t.users.staff[0];
      const last = t.users.contractors[2];
      assert.deepEqual(deletedIds(), [t.sessions.get(first)![1], t.sessions.get(last)![1]].sort());
      const { summary } = JSON.parse(result.stdout) as { summary: Record<string, unknown> };
      assert.equal(summary.usersScanned, 8);
      assert.equal(summary.sessionsRevoked, 2);
    });

    it("a second sweep finds nothing to revoke: exit 0, no DELETE", async () => {
      await cli(sweep("--all-users", "--created-before", CUTOFF, "--yes"), t.env);
      t.emulator.clearRequests();
      const again = await cli(sweep("--all-users", "--created-before", CUTOFF, "--yes"), t.env);
      assert.equal(again.code, EXIT_CODES.ok);
      assert.match(again.stdout, /: 8 users scanned; 0 sessions matched: revoked 0, already absent 0, failed 0\.\n$/);
      assert.deepEqual(deletes(), []);
    });

    it("failures: every session attempted, exit 1, counted by code, each named on stderr and in the report", async () => {
      const [victim] = t.users.staff;
      const [oldSession] = t.sessions.get(victim)!;
      const errorId = "5e4f1d2a-0c3b-4a59-9d7e-3f2a1b0c9d8e";
      t.emulator.injectFault({
        method: "DELETE",
        path: `/v1/environments/${t.environmentId}/users/${victim}/sessions/${oldSession}`,
        status: 403,
        body: JSON.stringify({
          id: errorId,
          code: "ACCESS_FAILED",
          message: "Denied",
          details: [
            { code: "INSUFFICIENT_PERMISSIONS", message: "Actor does not have permissions to access this resource." },
          ],
        }),
      });
      const reportPath = path.join(t.dir, "report.jsonl");
      const result = await cli(
        sweep("--population", t.staff, "--created-before", CUTOFF, "--yes", "--report", reportPath),
        t.env,
      );
      assert.equal(result.code, EXIT_CODES.failed);
      assert.match(
        result.stdout,
        /: 5 users scanned; 5 sessions matched: revoked 4, already absent 0, failed 1 \(failures: 1 ACCESS_FAILED \(HTTP 403\)\)\.\n$/,
      );
      const stderr = result.stderr.split("\n");
      assert.equal(stderr.length, 2, result.stderr);
      assert.ok(
        stderr[0].startsWith(`failed user ${victim} session ${oldSession}: Could not revoke session`),
        stderr[0],
      );
      assert.ok(stderr[0].includes(errorId));
      assert.equal(deletes().length, 5, "the others were still attempted");
      const lines = fs
        .readFileSync(reportPath, "utf8")
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const failed = lines.filter((l) => l.outcome === "failed");
      assert.equal(failed.length, 1);
      assert.deepEqual(
        { ...failed[0], at: "" },
        {
          at: "",
          environmentId: t.environmentId,
          userId: victim,
          sessionId: oldSession,
          outcome: "failed",
          errorId,
          errorCode: "ACCESS_FAILED",
          status: 403,
        },
      );
      const { summary } = lines.at(-1) as { summary: Record<string, unknown> };
      assert.deepEqual(summary.failuresByCode, { "ACCESS_FAILED (HTTP 403)": 1 });
      assert.equal(summary.sessionsFailed, 1);
    });

    it("--json lists every failure, not the first five; stderr names five and says where the rest are", async () => {
      const body = JSON.stringify({
        id: "5e4f1d2a-0c3b-4a59-9d7e-3f2a1b0c9d8e",
        code: "ACCESS_FAILED",
        message: "Denied",
      });
      t.emulator.injectFault({ method: "DELETE", path: /\/sessions\//, status: 403, body, count: 7 });
      const result = await cli(sweep("--all-users", "--yes", "--json"), t.env);
      assert.equal(result.code, EXIT_CODES.failed);
      const doc = JSON.parse(result.stdout) as {
        failures: { sessionId: string; status: number }[];
        summary: { sessionsFailed: number };
      };
      assert.equal(doc.summary.sessionsFailed, 7);
      assert.equal(doc.failures.length, 7);
      assert.equal(new Set(doc.failures.map((f) => f.sessionId)).size, 7);
      assert.ok(doc.failures.every((f) => f.status === 403));
      const stderr = result.stderr.trimEnd().split("\n");
      assert.equal(stderr.length, 6, result.stderr);
      assert.equal(stderr[5], "... and 2 more failures (each is in the JSON on stdout).");
    });

    it("with --report, the rest are said to be in the report, its path typed with a control character shown escaped", async () => {
      const body = JSON.stringify({
        id: "5e4f1d2a-0c3b-4a59-9d7e-3f2a1b0c9d8e",
        code: "ACCESS_FAILED",
        message: "Denied",
      });
      t.emulator.injectFault({ method: "DELETE", path: /\/sessions\//, status: 403, body, count: 7 });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sweep-report-"));
      try {
        const reportPath = path.join(dir, "clear\x1b[2J.jsonl");
        const result = await cli(sweep("--all-users", "--yes", "--report", reportPath), t.env);
        assert.equal(result.code, EXIT_CODES.failed);
        const stderr = result.stderr.trimEnd().split("\n");
        assert.equal(stderr[5], `... and 2 more failures (each is in ${dir}/clear\\x1b[2J.jsonl).`);
        const recorded = fs
          .readFileSync(reportPath, "utf8")
          .trimEnd()
          .split("\n")
          .map((line) => JSON.parse(line) as { outcome?: string });
        assert.equal(recorded.filter((line) => line.outcome === "failed").length, 7, "each failure is in the report");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("the users list fails part way: what was done is summarised, the error said, exit 1", async () => {
      t.emulator.injectFault({
        method: "GET",
        path: /\/users\?.*cursor=/,
        status: 400,
        body: JSON.stringify({
          id: "0c4e2f10-0000-4000-8000-000000000001",
          code: "INVALID_DATA",
          message: "bad cursor",
        }),
      });
      const reportPath = path.join(t.dir, "report.jsonl");
      const result = await cli(sweep("--all-users", "--yes", "--report", reportPath, "--json"), t.env);
      assert.equal(result.code, EXIT_CODES.failed);
      const { summary } = JSON.parse(result.stdout) as {
        summary: {
          usersScanned: number;
          sessionsRevoked: number;
          listComplete: boolean;
          revokedDigest: null;
          error: { status: number; code: string };
        };
      };
      assert.equal(summary.usersScanned, 3, "the first page of three users");
      assert.equal(summary.sessionsRevoked, 6);
      assert.equal(summary.listComplete, false);
      assert.equal(summary.revokedDigest, null);
      assert.deepEqual([summary.error.status, summary.error.code], [400, "INVALID_DATA"]);
      assert.match(
        result.stderr,
        /^pingone-sessions: Could not list users .*HTTP 400 INVALID_DATA.* The sweep stopped there: users past that point were not looked at; run the same command again\.\n$/,
      );
      assert.equal(deletes().length, 6);
      const lines = fs.readFileSync(reportPath, "utf8").trimEnd().split("\n");
      assert.equal(lines.length, 7, "six sessions, then the summary");
      assert.deepEqual(JSON.parse(lines[6]), { summary });
    });
  });

  describe("--report FILE", () => {
    it("one line per session acted on, then the summary; mode 0600; no secret; the digest of the revoked ids", async () => {
      const reportPath = path.join(t.dir, "incident.jsonl");
      const result = await cli(
        sweep("--all-users", "--created-before", CUTOFF, "--shard", "0/1", "--yes", "--report", reportPath),
        t.env,
      );
      assert.equal(result.code, EXIT_CODES.ok, result.stderr);
      assert.equal(fs.statSync(reportPath).mode & 0o777, 0o600);
      const text = fs.readFileSync(reportPath, "utf8");
      assert.ok(!text.includes(SENTINEL_SECRET));
      const lines = text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(lines.length, 9);
      const sessions = lines.slice(0, 8);
      for (const line of sessions) {
        assert.deepEqual(Object.keys(line), [
          "at",
          "environmentId",
          "userId",
          "sessionId",
          "outcome",
          "errorId",
          "errorCode",
          "status",
        ]);
        assert.equal(line.outcome, "revoked");
        assert.equal(line.environmentId, t.environmentId);
        assert.deepEqual([line.errorId, line.errorCode, line.status], [null, null, null]);
        assert.match(String(line.at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        assert.equal(t.sessions.get(String(line.userId))![0], line.sessionId);
      }
      assert.deepEqual(sessions.map((l) => l.sessionId).sort(), deletedIds());
      const digest = Buffer.alloc(32);
      for (const id of deletedIds())
        createHash("sha256")
          .update(id)
          .digest()
          .forEach((b, i) => (digest[i] ^= b));
      const { summary } = lines[8] as { summary: Record<string, unknown> };
      assert.deepEqual(summary, {
        at: summary.at,
        pass: "revoke",
        environmentId: t.environmentId,
        users: { allUsers: true },
        sessions: { createdBefore: CUTOFF },
        shard: { index: 0, count: 1 },
        usersScanned: 8,
        usersInOtherShards: 0,
        usersFailed: 0,
        usersNotAttempted: 0,
        sessionsMatched: 8,
        sessionsRevoked: 8,
        sessionsAlreadyAbsent: 0,
        sessionsFailed: 0,
        sessionsNotAttempted: 0,
        failuresByCode: {},
        listComplete: true,
        revokedDigest: digest.toString("hex"),
        interrupted: null,
        error: null,
      });

      // A second run appends: the file is evidence, never overwritten.
      await cli(sweep("--all-users", "--yes", "--report", reportPath), t.env);
      const after = fs.readFileSync(reportPath, "utf8").trimEnd().split("\n");
      assert.equal(after.length, 9 + 8 + 1);
      assert.equal(fs.statSync(reportPath).mode & 0o777, 0o600);
    });
  });

  describe("sharding", () => {
    const matchedUsers = async (args: string[], env: Record<string, string> = {}) => {
      const result = await cli(sweep("--all-users", "--dry-run", "--json", ...args), { ...t.env, ...env });
      assert.equal(result.code, EXIT_CODES.ok, result.stderr);
      const doc = JSON.parse(result.stdout) as {
        matched: { userId: string }[];
        summary: { usersScanned: number; usersInOtherShards: number };
      };
      return {
        users: [...new Set(doc.matched.map((m) => m.userId))].sort(),
        scanned: doc.summary.usersScanned,
        inOtherShards: doc.summary.usersInOtherShards,
      };
    };

    it("--shard i/N: disjoint shards that together cover every user, as shardOf splits them", async () => {
      const all = [...t.users.staff, ...t.users.contractors].sort();
      const shards = [];
      for (let i = 0; i < 3; i++) shards.push(await matchedUsers(["--shard", `${i}/3`]));
      shards.forEach((s, i) => {
        assert.deepEqual(
          s.users,
          all.filter((u) => shardOf(u, 3) === i),
        );
        assert.equal(s.scanned, s.users.length);
        assert.equal(s.scanned + s.inOtherShards, 8);
      });
      assert.deepEqual(shards.flatMap((s) => s.users).sort(), all, "complete and disjoint");
    });

    it("--shard-from-env reads JOB_COMPLETION_INDEX (Kubernetes) or PINGONE_SHARD_INDEX (CI), and the count from PINGONE_SHARD_COUNT or --shard-count", async () => {
      const expected = await matchedUsers(["--shard", "1/3"]);
      assert.deepEqual(
        await matchedUsers(["--shard-from-env"], { JOB_COMPLETION_INDEX: "1", PINGONE_SHARD_COUNT: "3" }),
        expected,
      );
      assert.deepEqual(
        await matchedUsers(["--shard-from-env", "--shard-count", "3"], { PINGONE_SHARD_INDEX: "1" }),
        expected,
      );
      assert.deepEqual(
        await matchedUsers(["--shard-from-env"], {
          PINGONE_SHARD_INDEX: "1",
          JOB_COMPLETION_INDEX: "1",
          PINGONE_SHARD_COUNT: "3",
        }),
        expected,
      );
    });
  });

  describe("confirmation above 1,000 sessions", () => {
    /** 101 more users with 10 sessions each: 1,010 sessions to revoke. */
    const seedMany = () => {
      const population = t.emulator.state.addPopulation(t.environmentId, { name: "Many" });
      for (let i = 0; i < 101; i++) {
        const userId = t.emulator.state.addUser(t.environmentId, { populationId: population });
        for (let j = 0; j < 10; j++)
          t.emulator.state.seedSession(t.environmentId, userId, { createdAt: new Date(OLD) });
      }
      return population;
    };

    it("no terminal and no --yes: counts, refuses with exit 2, sends no DELETE; the report says so", async () => {
      const many = seedMany();
      const reportPath = path.join(t.dir, "refused.jsonl");
      const result = await cli(sweep("--population", many, "--report", reportPath), t.env);
      assert.equal(result.code, EXIT_CODES.usage);
      assert.equal(
        result.stderr,
        "pingone-sessions: this sweep would revoke 1,010 sessions of 101 users, more than 1,000: pass --yes to revoke them (stdin is not a terminal, so there is no one to ask); --dry-run lists them. Nothing was revoked." +
          HINT,
      );
      assert.equal(result.stdout, "");
      assert.deepEqual(deletes(), []);
      const [line] = fs.readFileSync(reportPath, "utf8").trimEnd().split("\n");
      const { summary } = JSON.parse(line) as {
        summary: { pass: string; sessionsMatched: number; sessionsRevoked: number; error: { message: string } };
      };
      assert.deepEqual([summary.pass, summary.sessionsMatched, summary.sessionsRevoked], ["count", 1010, 0]);
      assert.match(summary.error.message, /^this sweep would revoke 1,010 sessions/);
    });

    it("on a terminal: asks once; a no sends no DELETE (exit 2), a yes revokes them all", async () => {
      const many = seedMany();
      const asked: string[] = [];
      const no = await cli(sweep("--population", many), t.env, { ask: async (q) => (asked.push(q), "n") });
      assert.equal(no.code, EXIT_CODES.usage);
      assert.equal(no.stderr, `pingone-sessions: not confirmed (the answer was not yes): nothing was revoked${HINT}`);
      assert.deepEqual(deletes(), []);

      const yes = await cli(sweep("--population", many), t.env, { ask: async (q) => (asked.push(q), "y") });
      assert.equal(yes.code, EXIT_CODES.ok, yes.stderr);
      assert.deepEqual(asked, [
        "Revoke 1,010 sessions of 101 users? [y/N] ",
        "Revoke 1,010 sessions of 101 users? [y/N] ",
      ]);
      assert.match(
        yes.stdout,
        /: 101 users scanned; 1,010 sessions matched: revoked 1,010, already absent 0, failed 0\.\n$/,
      );
      assert.equal(deletes().length, 1010);
    });

    it("the terminal's question: the line typed, or no on end of input or an interrupt", async () => {
      let shown = "";
      const output = { write: (text: string) => (shown += text) };
      const typed = new PassThrough();
      const answer = askLine("Revoke 1,010 sessions of 101 users? [y/N] ", typed, output);
      typed.write("y\n");
      assert.equal(await answer, "y");
      assert.equal(shown, "Revoke 1,010 sessions of 101 users? [y/N] ");
      const ended = new PassThrough();
      const noAnswer = askLine("?", ended, output);
      ended.end();
      assert.equal(await noAnswer, "");
      const interrupt = new AbortController();
      const waiting = askLine("?", new PassThrough(), output, interrupt.signal);
      interrupt.abort("SIGINT");
      assert.equal(await waiting, "");
    });

    it("--yes: no count, no question, every session revoked", async () => {
      const many = seedMany();
      const result = await cli(sweep("--population", many, "--yes"), t.env, {
        ask: async () => assert.fail("asked despite --yes"),
      });
      assert.equal(result.code, EXIT_CODES.ok, result.stderr);
      assert.equal(deletes().length, 1010);
      assert.equal(
        api().filter((r) => r.method === "GET" && r.path.includes("/sessions")).length,
        101,
        "each user listed once",
      );
    });

    it("1,000 or fewer: counts, then revokes without asking", async () => {
      const result = await cli(sweep("--all-users", "--created-before", CUTOFF), t.env, {
        ask: async () => assert.fail("asked for 8 sessions"),
      });
      assert.equal(result.code, EXIT_CODES.ok, result.stderr);
      assert.equal(deletes().length, 8);
      assert.equal(
        api().filter((r) => r.method === "GET" && r.path.includes("/sessions")).length,
        16,
        "listed twice: the count, then the sweep",
      );
    });
  });

  describe("on a terminal", () => {
    it("a status line on stderr: users scanned, sessions revoked; erased at the end; not with --json", async () => {
      const result = await cli(sweep("--all-users", "--created-before", CUTOFF, "--yes"), t.env, { stderrIsTTY: true });
      assert.equal(result.code, EXIT_CODES.ok);
      assert.match(result.stderr, /\r(\x1b\[K)?users scanned 8, sessions revoked 8(, \d+ req\/s)?\r\x1b\[K$/);
      assert.ok(!result.stdout.includes("\r"));
      const json = await cli(sweep("--all-users", "--yes", "--json"), t.env, { stderrIsTTY: true });
      assert.equal(json.stderr, "");
      const dryRun = await cli(sweep("--all-users", "--dry-run"), t.env, { stderrIsTTY: true });
      assert.equal(dryRun.stderr, "", "a dry run's rows are its progress: no status line runs through them");
    });

    it("the status line: each part only when known, an ETA only with a total", () => {
      assert.equal(
        sweepStatus({ usersScanned: 1200, sessions: 4000, verb: "revoked" }),
        "users scanned 1,200, sessions revoked 4,000",
      );
      assert.equal(
        sweepStatus({ usersScanned: 1200, sessions: 4000, verb: "matched", requestsPerSecond: 84.6 }),
        "users scanned 1,200, sessions matched 4,000, 85 req/s",
      );
      assert.equal(
        sweepStatus({
          usersScanned: 1200,
          usersTotal: 2000,
          sessions: 4000,
          verb: "revoked",
          requestsPerSecond: 190,
          etaMs: 65_000,
        }),
        "users scanned 1,200 of 2,000, sessions revoked 4,000, 190 req/s, ETA 1 min 05 s",
      );
      assert.equal(
        sweepStatus({ usersScanned: 5, usersTotal: 100_000, sessions: 9, verb: "revoked", etaMs: 3_725_000 }),
        "users scanned 5 of 100,000, sessions revoked 9, ETA 1 h 02 min",
      );
    });
  });

  it("--local-address: every request leaves from that address (a runner's own share of the rate limit); a bad one is a usage error", async () => {
    const result = await cli(sweep("--all-users", "--yes", "--local-address", "127.0.0.2"), t.env);
    assert.equal(result.code, EXIT_CODES.ok, result.stderr);
    assert.deepEqual([...new Set(t.emulator.requests().map((r) => r.remoteAddress))], ["127.0.0.2"]);
    const bad = await cli(sweep("--all-users", "--yes", "--local-address", "runner-3"), t.env);
    assert.equal(bad.code, EXIT_CODES.usage);
    assert.equal(
      bad.stderr,
      `pingone-sessions: --local-address must be an IP address of this machine, such as 10.0.0.5; got "runner-3"${HINT}`,
    );
  });

  it("never prints the client secret, nor writes it to the report", async () => {
    const reportPath = path.join(t.dir, "r.jsonl");
    const runs = [
      await cli(sweep("--all-users", "--dry-run"), t.env),
      await cli(sweep("--all-users", "--yes", "--report", reportPath, "--json"), t.env),
      await cli(sweep("--all-users", "--yes", "--client-id", "0f8fad5b-d9cb-469f-a165-70867728950e"), t.env),
    ];
    assert.deepEqual(
      runs.map((r) => r.code),
      [0, 0, 1],
    );
    for (const r of runs) assert.ok(!`${r.stdout}${r.stderr}`.includes(SENTINEL_SECRET));
    assert.ok(!fs.readFileSync(reportPath, "utf8").includes(SENTINEL_SECRET));
  });
});

describe("pingone-sessions sweep, interrupted", () => {
  let t: Tenant;
  beforeEach(async () => {
    t = await startTenant();
  });
  afterEach(async () => {
    await t.stop();
  });

  const argv = (...extra: string[]) => [
    "sweep",
    "--environment",
    t.environmentId,
    "--all-users",
    "--yes",
    "--max-concurrency",
    "2",
    ...extra,
  ];
  const deletes = () => t.emulator.requests().filter((r) => r.method === "DELETE");
  const alive = () =>
    [...t.users.staff, ...t.users.contractors].flatMap((u) =>
      t.emulator.state.listSessions(t.environmentId, u).map((s) => s.id),
    );
  const readReport = (file: string) =>
    fs
      .readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it("SIGINT while deleting: in-flight DELETEs finish, the rest are not attempted; report and summary agree with the request log; exit 130; a re-run finishes", async () => {
    t.emulator.injectFault({ method: "DELETE", path: "/v1/", delayMs: 150, count: 100 });
    // The second users page is asked for once the first DELETEs are answered, and answers 300 ms later:
    // the signal, sent as the first DELETE is answered, always comes while it is on its way. Timers
    // fire in order of their due time, so this holds however slow the machine is.
    t.emulator.injectFault({ method: "GET", path: /\/users\?.*cursor=/, delayMs: 300, count: 10 });
    const reportPath = path.join(t.dir, "r.jsonl");
    const interrupt = new AbortController();
    const running = cli(argv("--report", reportPath, "--json"), t.env, { interrupt: interrupt.signal });
    await until(() => deletes().some((r) => r.status === 204));
    interrupt.abort("SIGINT");
    const result = await running;

    assert.equal(result.code, EXIT_CODES.interrupted);
    const { summary } = JSON.parse(result.stdout) as { summary: Record<string, number | string | boolean | null> };
    const lines = readReport(reportPath);
    assert.deepEqual(lines.at(-1), { summary }, "the report closes with the same summary");
    const revoked = lines.slice(0, -1);
    assert.ok(revoked.every((l) => l.outcome === "revoked"));
    assert.deepEqual(
      revoked.map((l) => l.sessionId).sort(),
      deletes()
        .map((r) => r.path.split("/").pop())
        .sort(),
      "revoked lines = the DELETEs sent",
    );
    assert.ok(
      deletes().every((r) => r.status === 204),
      "every DELETE sent was answered",
    );
    assert.equal(summary.interrupted, "SIGINT");
    assert.equal(summary.sessionsRevoked, revoked.length);
    assert.ok(Number(summary.sessionsNotAttempted) > 0, "interrupted before the end");
    // Still alive: the sessions not attempted, and both sessions of every user not listed (not attempted, or on a page never read).
    assert.equal(Number(summary.sessionsNotAttempted) + 2 * (8 - Number(summary.usersScanned)), alive().length);
    // The first page's users were swept; the second page, on its way at the signal, arrived and its users were not attempted;
    // the third was never asked for, so the list is incomplete.
    assert.deepEqual([summary.usersScanned, summary.usersNotAttempted, summary.listComplete], [3, 3, false]);
    assert.equal(
      t.emulator.requests().filter((r) => r.method === "GET" && r.path.includes("/users?")).length,
      2,
      "no page asked for after the signal",
    );
    assert.equal(summary.sessionsFailed, 0);
    assert.equal(summary.usersFailed, 0);
    assert.match(
      result.stderr,
      new RegExp(
        `^pingone-sessions: interrupted by SIGINT: no request was sent after it, and the requests in flight were let finish; ${summary.sessionsNotAttempted} matching sessions and ${summary.usersNotAttempted} users were not attempted, and users past the last page read were not looked at\\. Run the same command again to finish\\.\\n$`,
      ),
    );

    const again = await cli(argv(), t.env);
    assert.equal(again.code, EXIT_CODES.ok, again.stderr);
    assert.deepEqual(alive(), []);
  });

  it("SIGTERM while paging users: the users not listed are counted, the list marked incomplete; exit 143", async () => {
    t.emulator.injectFault({ method: "GET", path: /\/users\?.*cursor=/, delayMs: 200, count: 10 });
    const reportPath = path.join(t.dir, "r.jsonl");
    const interrupt = new AbortController();
    const running = cli(
      ["sweep", "--environment", t.environmentId, "--all-users", "--yes", "--report", reportPath],
      t.env,
      { interrupt: interrupt.signal },
    );
    // The first page's users are done, and the second page is on its way (slowly).
    await until(
      () =>
        deletes().filter((r) => r.status === 204).length === 6 &&
        t.emulator.requests().some((r) => r.path.includes("cursor=")),
    );
    interrupt.abort("SIGTERM");
    const result = await running;

    assert.equal(result.code, EXIT_CODES.terminated);
    const { summary } = readReport(reportPath).at(-1) as { summary: Record<string, unknown> };
    assert.equal(summary.interrupted, "SIGTERM");
    assert.equal(summary.listComplete, false);
    assert.equal(summary.revokedDigest, null);
    assert.equal(summary.usersScanned, 3, "the first page's users were swept");
    assert.equal(summary.usersNotAttempted, 3, "the second page arrived after the signal: its users were not listed");
    assert.equal(summary.sessionsRevoked, 6);
    assert.equal(alive().length, 10);
    assert.match(
      result.stdout,
      /: 3 users scanned, 3 not attempted; 6 sessions matched: revoked 6, already absent 0, failed 0, not attempted 0\.\n$/,
    );
    assert.match(
      result.stderr,
      /0 matching sessions and 3 users were not attempted, and users past the last page read were not looked at\. Run the same command again to finish\.\n$/,
    );
  });
});
