#!/usr/bin/env node
/**
 * `npm run demo`: the incident-response story against an in-process PingOne
 * emulator seeded with `DEMO`. alice (compromised) loses her sessions, bob
 * keeps his, carol is out of the worker application's population and the
 * refusal says exactly why (the application's populations, carol's), as
 * `pingone-sessions access` said before anything was revoked; running again
 * changes nothing. Drives the root Pulumi
 * program when a `pulumi` executable is on PATH, otherwise the same
 * revocations through the `pingone-sessions` CLI. Checks the emulator's
 * state afterwards and fails when the story did not happen.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO, RunningEmulator, startEmulator } from "../emulator";
import { PACKAGE_ROOT } from "../provider/client/version";
import { EXIT_CODES, TextSink, writeLine } from "./common";
import { COMMAND, run } from "./index";
import { oneLine } from "./output";

/** Where the demo writes, and where it looks for `pulumi`. */
export interface DemoIo {
  /** The story. */
  stdout: TextSink;
  /** Why the demo failed, when it did. */
  stderr: TextSink;
  /** Searched (PATH) for a `pulumi` executable; default `process.env`. PINGONE_* values in it are never used. */
  env?: Record<string, string | undefined>;
}

/** What a revocation path reports back for the final checks. */
interface PathResult {
  /** Exit code of the pre-flight `access` check for carol (1 expected: it may not). */
  accessExit?: number;
  /** Exit code of alice's first revocation (0 expected). */
  aliceExit: number;
  /** Exit code of carol's revocation (non-zero expected). */
  carolExit: number;
  /** Exit code of alice's second revocation (0 expected). */
  rerunExit: number;
  /** Sessions PingOne deleted (HTTP 204) during the second run (0 expected). */
  rerunDeletes: number;
}

/** The fallback announcement, printed when no `pulumi` executable is found. */
export const NO_PULUMI_LINE = `Pulumi CLI not found: running the same revocations through the ${COMMAND} CLI, which shares the provider's code`;

/**
 * Runs the whole story and resolves to 0 when alice ends with 0 sessions,
 * bob and carol keep 2 each, carol's revocation was refused with HTTP 403,
 * and the second run deleted nothing; to 1 otherwise (the reason on
 * stderr). Starts and always stops its own emulator.
 */
export async function runDemo(io: DemoIo): Promise<number> {
  const say = (text = "") => writeLine(io.stdout, text);
  const emulator = await startEmulator({ seed: "demo" });
  try {
    say(
      `${COMMAND} demo: emulated PingOne at ${emulator.url}; the worker application holds Identity Data Admin ` +
        `for population Staff (alice, bob) only, not Contractors (carol).`,
    );
    say(
      `BEFORE  alice: ${describeSessions(emulator, "alice")}; bob: ${countOf(emulator, "bob")}; carol: ${countOf(emulator, "carol")}`,
    );
    say("Pre-flight: may the worker application revoke carol's sessions?");
    const accessExit = await cliStep(
      emulator,
      say,
      ["access", "--environment", DEMO.environmentId, "--user", DEMO.users.carol],
      "access --environment <demo> --user <carol>",
    );
    say("Revoking declaratively...");
    const pulumi = findOnPath("pulumi", io.env ?? process.env);
    const pulumiProject = fs.existsSync(path.join(PACKAGE_ROOT, "Pulumi.yaml"));
    let result: PathResult;
    if (pulumi && pulumiProject) {
      result = await throughPulumi(pulumi, emulator, say, io.stderr);
    } else {
      say(
        pulumi
          ? `Pulumi CLI found, but the Pulumi program is not here (${PACKAGE_ROOT}): ${NO_PULUMI_LINE.split(": ")[1]}`
          : NO_PULUMI_LINE,
      );
      result = await throughCli(emulator, say);
    }
    return verdict(emulator, { ...result, accessExit }, say, io.stderr);
  } catch (error) {
    writeLine(io.stderr, `demo failed: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    return EXIT_CODES.failed;
  } finally {
    await emulator.stop();
  }
}

/** One `pingone-sessions` command run in-process against the emulator, shown as `shown` with its output and exit code. */
async function cliStep(
  emulator: RunningEmulator,
  say: (text?: string) => void,
  argv: string[],
  shown: string,
): Promise<number> {
  say(`  $ ${COMMAND} ${shown}`);
  const lines: string[] = [];
  const sink: TextSink = { write: (text: string) => lines.push(...text.split("\n").filter((l) => l !== "")) };
  const code = await run(argv, { stdout: sink, stderr: sink, env: emulatorEnv(emulator) });
  for (const line of lines) say(wrap(line));
  say(`    (exit ${code})`);
  return code;
}

/** The three steps through `run()` in-process: alice, carol (refused), alice again. */
async function throughCli(emulator: RunningEmulator, say: (text?: string) => void): Promise<PathResult> {
  const cli = (user: "alice" | "carol", extra: string[]): Promise<number> =>
    cliStep(
      emulator,
      say,
      ["revoke", "--environment", DEMO.environmentId, "--user", DEMO.users[user], ...extra],
      `revoke --environment <demo> --user <${user}> ${extra.join(" ")}`,
    );

  const aliceExit = await cli("alice", ["--all"]);
  say(`AFTER   alice: ${describeSessions(emulator, "alice")}`);
  say("carol is in Contractors, outside the worker application's population:");
  const carolExit = await cli("carol", ["--all"]);
  say("Running alice's revocation again (idempotent):");
  const before = deletesSoFar(emulator);
  const rerunAll = await cli("alice", ["--all"]);
  const rerunOne = await cli("alice", ["--session", DEMO.sessions.alice[0]]);
  return {
    aliceExit,
    carolExit,
    rerunExit: Math.max(rerunAll, rerunOne),
    rerunDeletes: deletesSoFar(emulator) - before,
  };
}

/**
 * The same steps through the root Pulumi program (Pulumi.yaml, program/index.ts)
 * with a throwaway file backend, PULUMI_HOME and passphrase under a temp
 * folder. The stack's config file is written beside Pulumi.yaml (where
 * Pulumi keeps it) and removed with the stack.
 */
async function throughPulumi(
  pulumi: string,
  emulator: RunningEmulator,
  say: (text?: string) => void,
  stderr: TextSink,
): Promise<PathResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pingone-sessions-demo-"));
  const stack = `demo-${randomBytes(4).toString("hex")}`;
  const stackFile = path.join(PACKAGE_ROOT, `Pulumi.${stack}.yaml`);
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("PINGONE_") && !k.startsWith("PULUMI_")),
    ),
    ...emulatorEnv(emulator),
    PULUMI_HOME: path.join(tmp, "home"),
    PULUMI_CONFIG_PASSPHRASE: `throwaway-${randomBytes(8).toString("hex")}`,
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  const pulumiRun = async (args: string[], show: boolean): Promise<{ code: number; output: string }> => {
    if (show) say(`  $ pulumi ${args.join(" ")}`);
    const result = await exec(pulumi, [...args, "--non-interactive"], { cwd: PACKAGE_ROOT, env });
    if (show) for (const line of condense(result.output)) say(wrap(line));
    if (show && result.code !== 0) say(`    (exit ${result.code})`);
    return result;
  };
  const must = async (args: string[], show = false): Promise<number> => {
    const { code, output } = await pulumiRun(args, show);
    if (code !== 0) {
      writeLine(stderr, output.trimEnd());
      throw new Error(`pulumi ${args.join(" ")} exited ${code}`);
    }
    return code;
  };
  /** Sets `pingone-sessions:revoke[index]` to `user`'s sessions in the demo environment. */
  const setEntry = async (index: number, user: "alice" | "carol") => {
    const entry = { environmentId: DEMO.environmentId, userId: DEMO.users[user] };
    for (const [key, value] of Object.entries(entry))
      await must(["config", "set", "--stack", stack, "--path", `pingone-sessions:revoke[${index}].${key}`, value]);
  };

  say(`Pulumi CLI found (${pulumi}): driving the root program with a throwaway file backend in ${tmp}, stack ${stack}`);
  await must(["login", `file://${path.join(tmp, "state")}`]);
  await must(["stack", "init", stack]);
  try {
    await setEntry(0, "alice");
    const aliceExit = (await pulumiRun(["up", "--yes", "--stack", stack], true)).code;
    say(`AFTER   alice: ${describeSessions(emulator, "alice")}`);
    say("carol is in Contractors, outside the worker application's population:");
    await setEntry(1, "carol");
    const carolExit = (await pulumiRun(["up", "--yes", "--stack", stack], true)).code;
    await must(["config", "rm", "--stack", stack, "--path", "pingone-sessions:revoke[1]"]);
    say("Refreshing and running again (idempotent):");
    const before = deletesSoFar(emulator);
    await must(["refresh", "--yes", "--stack", stack], true);
    const rerunExit = (await pulumiRun(["up", "--yes", "--stack", stack], true)).code;
    const rerunDeletes = deletesSoFar(emulator) - before;
    await must(["destroy", "--yes", "--stack", stack], true);
    return { aliceExit, carolExit, rerunExit, rerunDeletes };
  } finally {
    await pulumiRun(["stack", "rm", "--yes", "--force", stack], false);
    fs.rmSync(stackFile, { force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Checks the emulator's state and the exit codes, prints the summary line, and decides the exit code. */
function verdict(
  emulator: RunningEmulator,
  result: PathResult,
  say: (text?: string) => void,
  stderr: TextSink,
): number {
  const alice = countOf(emulator, "alice");
  const bob = countOf(emulator, "bob");
  const carol = countOf(emulator, "carol");
  const carolRefused = emulator
    .requests()
    .some((r) => r.path.includes(`/users/${DEMO.users.carol}/`) && r.status === 403);
  const problems = [
    alice !== 0 ? `alice still has ${alice} sessions` : "",
    result.aliceExit !== 0 ? `alice's revocation exited ${result.aliceExit}` : "",
    bob !== DEMO.sessions.bob.length ? `bob has ${bob} sessions, expected ${DEMO.sessions.bob.length} (untouched)` : "",
    carol !== DEMO.sessions.carol.length
      ? `carol has ${carol} sessions, expected ${DEMO.sessions.carol.length} (refused)`
      : "",
    !carolRefused || result.carolExit === 0
      ? `carol's revocation was not refused with HTTP 403 (exit ${result.carolExit})`
      : "",
    result.rerunExit !== 0 ? `the second run exited ${result.rerunExit}` : "",
    result.rerunDeletes !== 0 ? `the second run deleted ${result.rerunDeletes} sessions, expected 0` : "",
    result.accessExit !== EXIT_CODES.failed
      ? `the pre-flight access check for carol exited ${result.accessExit}, expected 1 (may not)`
      : "",
  ].filter(Boolean);
  say(
    `Summary: alice ${DEMO.sessions.alice.length} -> ${alice} sessions; bob ${bob} (untouched); carol ${carol} (refused with 403); ` +
      `second run: ${result.rerunDeletes} changes. ${problems.length === 0 ? "OK" : "FAILED"}`,
  );
  for (const problem of problems) writeLine(stderr, `demo failed: ${problem}`);
  return problems.length === 0 ? EXIT_CODES.ok : EXIT_CODES.failed;
}

/** The settings that reach the emulator with the demo worker application, and nothing else from the caller's environment. */
function emulatorEnv(emulator: RunningEmulator): Record<string, string> {
  return {
    PINGONE_API_URL: emulator.apiUrl,
    PINGONE_AUTH_URL: emulator.authUrl,
    PINGONE_ENVIRONMENT_ID: DEMO.environmentId,
    PINGONE_CLIENT_ID: DEMO.clientId,
    PINGONE_CLIENT_SECRET: DEMO.clientSecret,
  };
}

function countOf(emulator: RunningEmulator, user: keyof typeof DEMO.users): number {
  return emulator.state.listSessions(DEMO.environmentId, DEMO.users[user]).length;
}

/** "4 sessions (a11c00000001 ...)": the count and the last group of each id, enough to tell them apart. */
function describeSessions(emulator: RunningEmulator, user: keyof typeof DEMO.users): string {
  const ids = emulator.state.listSessions(DEMO.environmentId, DEMO.users[user]).map((s) => s.id.split("-").pop());
  return `${ids.length} session${ids.length === 1 ? "" : "s"}${ids.length > 0 ? ` (${ids.join(" ")})` : ""}`;
}

/** Successful DELETEs the emulator answered so far. */
function deletesSoFar(emulator: RunningEmulator): number {
  return emulator.requests().filter((r) => r.method === "DELETE" && r.status === 204).length;
}

/**
 * The full path of an executable `name` in `env.PATH`, like `command -v`,
 * or undefined. On Windows also tries the usual extensions.
 */
export function findOnPath(name: string, env: Record<string, string | undefined>): string | undefined {
  const extensions = process.platform === "win32" ? ["", ".exe", ".cmd", ".bat"] : [""];
  for (const dir of (env.PATH ?? env.Path ?? "").split(path.delimiter).filter(Boolean)) {
    for (const ext of extensions) {
      const candidate = path.join(dir, name + ext);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // Not here; keep looking.
      }
    }
  }
  return undefined;
}

/** Runs a program without blocking the event loop (the emulator answers from this process). */
function exec(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { ...options, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({
        code,
        output: `${stdout}${stderr}${error && typeof error.code !== "number" ? `\n${error.message}` : ""}`,
      });
    });
  });
}

/** The lines of Pulumi's output worth reading here: the resource summary and errors. */
function condense(output: string): string[] {
  return output
    .split("\n")
    .filter((line) =>
      /^Resources:|^\s+[+~-]?\s*\d+ (to )?(create|created|update|updated|delete|deleted|unchanged|replace|replaced|errored|failed)\b|error:|Identity Data Admin/.test(
        line,
      ),
    )
    .map((line) => line.trim());
}

/** Word-wraps `text` to about 110 columns, every line indented by four spaces. */
function wrap(text: string, width = 110): string {
  const words = oneLine(text).split(" ");
  const lines: string[] = [];
  let current = "";
  for (const word of words) {
    if (current !== "" && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current === "" ? word : `${current} ${word}`;
    }
  }
  if (current !== "") lines.push(current);
  return lines.map((l) => `    ${l}`).join("\n");
}

if (require.main === module) {
  runDemo({ stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = EXIT_CODES.failed;
    },
  );
}
