// The emulator's command line: the usage names real commands, usage errors are EmulatorUsageError
// (code ERR_USAGE, never a TypeError), the listing is aligned, --users seeds a large tenant, and the
// process goes with its parent: started as `npm run emulator` starts it (sh -c "node …/cli.js"),
// it exits when npm or the shell is killed, and on SIGINT, SIGTERM and SIGHUP.

import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { mock } from "node:test";

import { DEMO, EmulatorUsageError } from "../../emulator";
import { main, USAGE } from "../../emulator/cli";
import { PARENT_CHECK_INTERVAL_MS } from "../../emulator/lifecycle";
import { call, callFrom, tokenFor } from "./helpers";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "dist/emulator/cli.js");

/** Runs `main` in-process until its first lines are out, then hands them over with a stop function. */
async function running(
  argv: string[],
  until: (lines: string[]) => boolean,
): Promise<{ lines: string[]; stop: () => Promise<void> }> {
  const lines: string[] = [];
  const abort = new AbortController();
  const done = main(argv, { write: (l) => lines.push(...l.split("\n")), signal: abort.signal });
  let failed: unknown;
  done.catch((err) => (failed = err));
  while (!until(lines)) {
    if (failed) throw failed;
    await new Promise((r) => setTimeout(r, 10));
  }
  return { lines, stop: async () => (abort.abort(), await done) };
}

/** The column where each row's value starts, for rows of the printed table that hold one of `values`. */
function valueColumns(lines: string[], values: string[]): number[] {
  return values.map((v) => {
    const line = lines.find((l) => l.startsWith("  ") && l.includes(v));
    assert.ok(line, `no table row holds ${v}`);
    return line.indexOf(v);
  });
}

describe("PingOne emulator: command line", () => {
  describe("usage", () => {
    it("--help names the commands that exist: npm run emulator -- and pingone-sessions emulator", async () => {
      const lines: string[] = [];
      await main(["--help"], { write: (l) => lines.push(l) });
      const text = lines.join("\n");
      assert.ok(text.startsWith("Usage: npm run emulator -- [options]"), text);
      assert.match(text, /^ {7}pingone-sessions emulator \[options\]/m);
      assert.doesNotMatch(text, /pingone-emulator/);
      for (const flag of [
        "--port",
        "--seed demo",
        "--users N",
        "--random-seed",
        "--rate-limit",
        "--per-ip-share",
        "--user-page-size",
        "--outlive-parent",
      ])
        assert.ok(text.includes(flag), flag);
    });

    it("reports a wrong command line as EmulatorUsageError with code ERR_USAGE, never a TypeError", async () => {
      const cases: Array<[string[], RegExp | string]> = [
        [["--bogus"], "unknown option --bogus"],
        [["--prot", "8080"], "unknown option --prot; did you mean --port?"],
        [["--port"], "--port needs a value"],
        [["--port", "99999"], "--port must be an integer 0..65535, got 99999"],
        [["--port", ""], "--port must be an integer 0..65535, got "],
        [["--seed", "other"], '--seed accepts only "demo", got other'],
        [["--users", "10", "--seed", "demo"], "--users and --seed demo cannot go together: run two emulators"],
        [["--users=-1"], "--users must be an integer 0..1000000, got -1"],
        [["--users", "-1"], '--users needs a value (write --users=VALUE for a value starting with "-")'],
        [["--random-seed", "4"], "--random-seed needs --users"],
        [["--burst", "3"], "--burst, --per-ip-share and --retry-after-header need --rate-limit"],
        [["--rate-limit", "10", "--per-ip-share", "0"], "--per-ip-share must be a number in (0, 1], got 0"],
        [["--user-page-size", "201"], "--user-page-size must be an integer 1..200, got 201"],
      ];
      for (const [argv, message] of cases) {
        const err = await main(argv, { write: () => undefined }).then(
          () => assert.fail(`${argv.join(" ")} was accepted`),
          (e: unknown) => e,
        );
        assert.ok(err instanceof EmulatorUsageError, `${argv.join(" ")}: ${String(err)}`);
        assert.ok(!(err instanceof TypeError));
        assert.equal(err.code, "ERR_USAGE");
        assert.equal(err.name, "EmulatorUsageError");
        if (typeof message === "string") assert.equal(err.message, message);
        else assert.match(err.message, message);
      }
      const parseError: unknown = await main(["--bogus"]).catch((e: unknown) => e);
      assert.ok(parseError instanceof EmulatorUsageError);
      assert.equal((parseError.cause as { code?: string }).code, "ERR_PARSE_ARGS_UNKNOWN_OPTION");
    });

    it("recognises a usage error from another copy of the package by name and code, and nothing else", () => {
      const foreign = Object.assign(new Error("--port must be ..."), { name: "EmulatorUsageError", code: "ERR_USAGE" });
      assert.equal(EmulatorUsageError.isInstance(foreign), true);
      assert.equal(EmulatorUsageError.isInstance(new TypeError("--port must be ...")), false);
      assert.equal(EmulatorUsageError.isInstance(Object.assign(new Error("x"), { code: "ERR_USAGE" })), false);
    });
  });

  describe("listing", () => {
    it("aligns every row of the demo story, the population Contractors row included", async () => {
      const { lines, stop } = await running(["--seed", "demo"], (l) =>
        l.some((x) => x.includes("application, environment level")),
      );
      try {
        const columns = valueColumns(lines, [
          DEMO.environmentId,
          DEMO.populations.staff,
          DEMO.populations.contractors,
          DEMO.users.alice,
          DEMO.users.bob,
          DEMO.users.carol,
          `${DEMO.clientId}  (exported above)`,
          DEMO.applications.environmentAdmin.clientId,
        ]);
        assert.equal(new Set(columns).size, 1, `value columns ${columns.join(", ")}`);
        assert.ok(
          lines.includes(
            `  population Contractors${" ".repeat(columns[0] - 2 - "population Contractors".length)}${DEMO.populations.contractors}`,
          ),
        );
        assert.ok(lines.some((l) => l.includes(`secret ${DEMO.applications.environmentAdmin.clientSecret}`)));
      } finally {
        await stop();
      }
    });

    it("--users seeds a large tenant, exports its environment-level application, and the flags set the rate limit and page size", async () => {
      const argv = [
        "--users",
        "300",
        "--random-seed",
        "5",
        "--rate-limit",
        "0.1",
        "--burst",
        "10",
        "--per-ip-share",
        "0.3",
        "--user-page-size",
        "7",
      ];
      const { lines, stop } = await running(argv, (l) =>
        l.some((x) => x.startsWith("  application, Contractors only")),
      );
      try {
        const vars = Object.fromEntries(
          lines.filter((l) => l.startsWith("export ")).map((l) => l.slice(7).split("=") as [string, string]),
        );
        assert.deepEqual(Object.keys(vars), [
          "PINGONE_API_URL",
          "PINGONE_AUTH_URL",
          "PINGONE_ENVIRONMENT_ID",
          "PINGONE_CLIENT_ID",
          "PINGONE_CLIENT_SECRET",
        ]);
        const summary = lines.find((l) => l.startsWith("Large tenant"));
        assert.match(
          summary ?? "",
          /^Large tenant \(random seed 5\): 300 users \(\d+ without a session\), \d+ sessions, seeded in \d+\.\d s$/,
        );
        const rows = lines.filter((l) => l.startsWith("  "));
        assert.equal(rows.length, 1 + 4 + 3 + 2);
        assert.equal(new Set(rows.map((r) => r.search(/[0-9a-f]{8}-[0-9a-f]{4}-/))).size, 1, rows.join("\n"));
        // The token request comes from 127.0.0.1, exempt from the share; the listing from 127.0.0.2 is not.
        const emu = { authUrl: vars.PINGONE_AUTH_URL } as Parameters<typeof tokenFor>[0];
        const token = await tokenFor(
          emu,
          vars.PINGONE_ENVIRONMENT_ID,
          vars.PINGONE_CLIENT_ID,
          vars.PINGONE_CLIENT_SECRET,
        );
        const url = `${vars.PINGONE_API_URL}/environments/${vars.PINGONE_ENVIRONMENT_ID}/users?limit=50`;
        const replies = [];
        for (let i = 0; i < 4; i++) replies.push(await callFrom("127.0.0.2", "GET", url, { token }));
        assert.deepEqual(
          replies.map((r) => r.status),
          [200, 200, 200, 429],
        );
        assert.deepEqual([replies[0].json.size, replies[0].json.count], [7, 300]);
        assert.equal(replies[3].json.details[0].innerError.quotaLimit, 0.03);
      } finally {
        await stop();
      }
    });
  });
});

// The parent checks run on a fake interval (node:test's mock timers, setInterval only: the server's
// sockets keep real time), and the parent "changes" by rewriting process.ppid, so three checks take
// no time and the outcome does not depend on the machine's speed.
describe("PingOne emulator: the parent checks, on a fake interval", () => {
  const realPpid = process.ppid;
  const ppidDescriptor = Object.getOwnPropertyDescriptor(process, "ppid")!;
  /** Makes `process.ppid` read as another process, as after the parent's exit. (Node ignores a plain write.) */
  const parentChanges = () =>
    Object.defineProperty(process, "ppid", { get: () => realPpid + 1_000_000, configurable: true, enumerable: true });
  let current: { done: Promise<void>; abort: AbortController } | undefined;
  afterEach(async () => {
    Object.defineProperty(process, "ppid", ppidDescriptor);
    mock.timers.reset();
    current?.abort.abort();
    await current?.done.catch(() => undefined);
    current = undefined;
  });

  /** Starts `main` in-process with the parent checks on the fake interval; resolves once it listens. */
  async function startWatched(
    argv: string[],
  ): Promise<{ lines: string[]; done: Promise<void>; settled: () => boolean; abort: AbortController }> {
    mock.timers.enable({ apis: ["setInterval"] });
    const lines: string[] = [];
    const abort = new AbortController();
    let settled = false;
    const done = main(["--port", "0", ...argv], {
      write: (l) => lines.push(...l.split("\n")),
      signal: abort.signal,
    }).finally(() => (settled = true));
    current = { done, abort };
    while (!lines.some((l) => l.startsWith("export PINGONE_AUTH_URL="))) {
      if (settled) await done;
      await new Promise((r) => setTimeout(r, 10));
    }
    return { lines, done, settled: () => settled, abort };
  }

  /** Lets every callback already due run (the emulator's stop does real I/O). */
  const turn = () => new Promise((r) => setImmediate(r));
  const apiUrlOf = (lines: string[]) =>
    lines.find((l) => l.startsWith("export PINGONE_AUTH_URL="))!.slice("export PINGONE_AUTH_URL=".length);

  it("stops at the first check after its parent process changes, and says which parent went", async () => {
    const run = await startWatched([]);
    parentChanges();
    mock.timers.tick(PARENT_CHECK_INTERVAL_MS - 1);
    await turn();
    assert.equal(run.settled(), false, "stopped before the check was due");
    mock.timers.tick(1);
    await run.done;
    assert.equal(run.lines.at(-1), `PingOne emulator stopped: its parent process ${realPpid} exited.`);
  });

  it("with --outlive-parent, keeps serving through three checks after its parent changes, until told to stop", async () => {
    const run = await startWatched(["--outlive-parent"]);
    parentChanges();
    mock.timers.tick(3 * PARENT_CHECK_INTERVAL_MS);
    await turn();
    assert.equal(run.settled(), false, "stopped though told to outlive its parent");
    assert.equal((await call("GET", `${apiUrlOf(run.lines)}/x`)).status, 404);
    run.abort.abort();
    await run.done;
    assert.equal(run.lines.at(-1), "PingOne emulator stopped.");
  });
});

/** Processes of this test run, by pid, so that a failing test still ends them (and nothing else). */
const started = new Set<number>();

/** Whether `pid` is running: its /proc entry exists and it is not a zombie. */
function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The pids whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function waitFor(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Collects a child's stdout and resolves once a line shows the emulator listening. */
function listening(child: ChildProcess): { output: () => string; url: Promise<string> } {
  let output = "";
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
      const match = /PingOne emulator listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`exited (${code}) before listening: ${output}`)));
  });
  url.catch(() => undefined);
  return { output: () => output, url };
}

/**
 * Starts the emulator the way `npm run emulator` does: a parent process (standing in for npm) runs
 * `sh -c "node dist/emulator/cli.js …"`. Resolves with the three pids once it listens.
 */
async function startLikeNpm(
  args: string[],
): Promise<{ npm: ChildProcess; shell: number; emulator: number; url: string; output: () => string }> {
  const script = `const c = require("node:child_process").spawn("sh", ["-c", ${JSON.stringify(`node ${CLI} --port 0 ${args.join(" ")}`)}], { stdio: "inherit" }); c.on("exit", (code) => process.exit(code ?? 1));`;
  const npm = spawn(process.execPath, ["-e", script], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  started.add(npm.pid!);
  const { output, url } = listening(npm);
  const address = await url;
  const [shell] = childrenOf(npm.pid!);
  const [emulator] = childrenOf(shell);
  assert.ok(shell && emulator, `no sh and node under ${npm.pid}`);
  started.add(shell);
  started.add(emulator);
  return { npm, shell, emulator, url: address, output };
}

describe("PingOne emulator: goes with its parent", function () {
  this.timeout(60_000);

  before(function () {
    if (process.platform !== "linux") this.skip();
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
  });

  afterEach(() => {
    for (const pid of started) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    started.clear();
  });

  it("exits when npm is killed (SIGKILL) while the shell between them lives on, and its port is closed", async () => {
    const run = await startLikeNpm([]);
    assert.equal((await call("GET", `${run.url}/x`)).status, 404);
    process.kill(run.npm.pid!, "SIGKILL");
    await waitFor("the emulator exits", () => !isRunning(run.emulator), 10_000);
    await assert.rejects(call("GET", `${run.url}/x`));
    await waitFor("the shell exits", () => !isRunning(run.shell), 10_000);
  });

  it("exits when its parent shell is killed (SIGTERM, as npm forwards it) and it is re-parented", async () => {
    const run = await startLikeNpm([]);
    process.kill(run.shell, "SIGTERM");
    await waitFor("the emulator exits", () => !isRunning(run.emulator), 10_000);
    await assert.rejects(call("GET", `${run.url}/x`));
  });

  it("keeps running without its parent with --outlive-parent, until told to stop", async () => {
    const run = await startLikeNpm(["--outlive-parent"]);
    process.kill(run.npm.pid!, "SIGKILL");
    await waitFor("npm is gone", () => !isRunning(run.npm.pid!), 10_000);
    // That it outlives the parent checks themselves is shown on a fake interval, above: here, the real process tree.
    assert.equal(isRunning(run.emulator), true);
    assert.equal((await call("GET", `${run.url}/x`)).status, 404);
    process.kill(run.emulator, "SIGTERM");
    await waitFor("the emulator exits", () => !isRunning(run.emulator), 10_000);
  });

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    it(`stops cleanly on ${signal}: says so and exits 0`, async () => {
      const child = spawn(process.execPath, [CLI, "--port", "0", "--seed", "demo"], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      started.add(child.pid!);
      const { output, url } = listening(child);
      const address = await url;
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      child.kill(signal);
      assert.equal(await exited, 0, output());
      assert.ok(output().endsWith(`PingOne emulator stopped: received ${signal}.\n`), output());
      await assert.rejects(call("GET", `${address}/x`));
    });
  }

  it("as a script, prints a usage error with the usage and exits 2, without a stack or 'TypeError'", async () => {
    const child = spawn(process.execPath, [CLI, "--bogus"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    started.add(child.pid!);
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 2);
    assert.ok(stderr.startsWith("unknown option --bogus\n\n"), stderr);
    assert.ok(stderr.includes(USAGE));
    assert.doesNotMatch(stderr, /TypeError|\n\s+at /);
  });
});
