/**
 * Interrupting `pingone-sessions revoke --all` (SIGINT, SIGTERM): it stops
 * sending, lets the requests in flight finish, reports what was done and
 * what was not attempted, and exits 130 or 143. Checked against the
 * emulator's request log: every session reported revoked was deleted with a
 * 204, no other DELETE was sent, and a second run finishes the job.
 */
import assert from "node:assert/strict";
import { EXIT_CODES } from "../../cli";
import { startWorld, World } from "../support/world";
import { cli, spawnCli, until } from "./support";

/** The report `revoke --json` prints. */
interface Report {
  revoked: string[];
  alreadyAbsent: string[];
  failed: unknown[];
  notAttempted: string[];
  interrupted: string | null;
}

describe("pingone-sessions revoke --all, interrupted", () => {
  let world: World;
  let env: Record<string, string>;
  beforeEach(async () => {
    world = await startWorld({}, 10);
    env = world.env;
    // Slow DELETEs, two at a time: the interrupt lands with some revoked, some in flight and most not yet sent.
    world.emulator.injectFault({ method: "DELETE", path: "/v1/", delayMs: 150, count: 100 });
  });
  afterEach(async () => {
    await world.stop();
  });

  const argv = () => [
    "revoke",
    "--environment",
    world.environmentId,
    "--user",
    world.userId,
    "--all",
    "--max-concurrency",
    "2",
  ];
  const deletes = () => world.apiRequests().filter((r) => r.method === "DELETE");
  const deletedIds = () => deletes().map((r) => r.path.split("/").pop()!);
  const sessionsLeft = () => world.emulator.state.listSessions(world.environmentId, world.userId).map((s) => s.id);

  /** The report's counts hold against the request log: revoked = DELETEd with 204; not attempted = never sent and still alive. */
  function assertReportMatchesLog(report: Report): void {
    assert.deepEqual(
      deletes()
        .map((r) => r.status)
        .filter((s) => s !== 204),
      [],
      "every DELETE sent was answered 204",
    );
    assert.deepEqual([...report.revoked].sort(), deletedIds().sort(), "revoked = exactly the sessions DELETEd");
    assert.deepEqual(
      [...report.notAttempted].sort(),
      [...sessionsLeft()].sort(),
      "not attempted = exactly the sessions still alive",
    );
    assert.deepEqual(
      [...report.revoked, ...report.notAttempted].sort(),
      [...world.sessionIds].sort(),
      "every session accounted for once",
    );
    assert.deepEqual(report.failed, []);
    assert.deepEqual(report.alreadyAbsent, []);
  }

  it("SIGINT mid-run (in-process): partial JSON report, exit 130; a second run revokes the rest", async () => {
    const interrupt = new AbortController();
    const running = cli([...argv(), "--json"], env, { interrupt: interrupt.signal });
    await until(() => deletes().some((r) => r.status === 204));
    interrupt.abort("SIGINT");
    const result = await running;

    assert.equal(result.code, EXIT_CODES.interrupted);
    const report = JSON.parse(result.stdout) as Report;
    assert.equal(report.interrupted, "SIGINT");
    assertReportMatchesLog(report);
    assert.ok(report.revoked.length >= 1, "the one answered before the interrupt is reported");
    assert.ok(report.notAttempted.length > 0, "interrupted before the end");
    assert.equal(
      result.stderr,
      `pingone-sessions: interrupted by SIGINT: no request was sent after it, and the requests in flight were let finish; ${report.notAttempted.length} sessions were not attempted. Run the same command again to finish.\n`,
    );

    const again = await cli([...argv(), "--json"], env);
    assert.equal(again.code, EXIT_CODES.ok);
    const second = JSON.parse(again.stdout) as Report;
    assert.deepEqual([...second.revoked].sort(), [...report.notAttempted].sort());
    assert.equal(second.interrupted, null);
    assert.deepEqual(second.notAttempted, []);
    assert.deepEqual(sessionsLeft(), []);
  });

  it("SIGTERM mid-run, text output: a line per session, the counts, exit 143", async () => {
    const interrupt = new AbortController();
    const running = cli(argv(), env, { interrupt: interrupt.signal });
    await until(() => deletes().some((r) => r.status === 204));
    interrupt.abort("SIGTERM");
    const result = await running;

    assert.equal(result.code, EXIT_CODES.terminated);
    const lines = result.stdout.trimEnd().split("\n");
    const revoked = lines.filter((l) => l.startsWith("revoked ")).map((l) => l.slice("revoked ".length));
    const notAttempted = lines
      .filter((l) => l.startsWith("not attempted "))
      .map((l) => l.slice("not attempted ".length));
    assertReportMatchesLog({ revoked, notAttempted, alreadyAbsent: [], failed: [], interrupted: "SIGTERM" });
    assert.equal(
      lines.at(-1),
      `Revoked ${revoked.length}, already absent 0, failed 0, not attempted ${notAttempted.length} (of 10 sessions of user ${world.userId} in environment ${world.environmentId}).`,
    );
    assert.match(result.stderr, /^pingone-sessions: interrupted by SIGTERM: /);
  });

  it("interrupted before anything was sent: nothing sent, a JSON error saying ABORTED, exit 130", async () => {
    const interrupt = new AbortController();
    interrupt.abort("SIGINT");
    const result = await cli([...argv(), "--json"], env, { interrupt: interrupt.signal });
    assert.equal(result.code, EXIT_CODES.interrupted);
    assert.equal((JSON.parse(result.stdout) as { error: { failure: string } }).error.failure, "ABORTED");
    assert.deepEqual(world.emulator.requests(), []);
    assert.equal(sessionsLeft().length, 10);
  });

  it("a real SIGINT to `node dist/cli/index.js`: partial report on stdout, exit code 130", async () => {
    const { child, exited } = spawnCli([...argv(), "--json"], env);
    await until(() => deletes().some((r) => r.status === 204));
    child.kill("SIGINT");
    const { code, signal, stdout, stderr } = await exited;

    assert.deepEqual({ code, signal }, { code: 130, signal: null }, stderr);
    const report = JSON.parse(stdout) as Report;
    assert.equal(report.interrupted, "SIGINT");
    assertReportMatchesLog(report);
    assert.ok(report.notAttempted.length > 0, "interrupted before the end");
    assert.match(stderr, /^pingone-sessions: interrupted by SIGINT: /);
  });
});
