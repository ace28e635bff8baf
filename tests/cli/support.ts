/**
 * Runs the `pingone-sessions` CLI in-process and collects what it wrote, or
 * runs the compiled CLI in its own process (`spawnCli`).
 */
import { ChildProcessByStdio, spawn } from "node:child_process";
import path from "node:path";
import type { Readable } from "node:stream";
import { CliIo, run } from "../../cli";

/** What one run produced. */
export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** What a run may be given besides its command line and environment: a terminal on stderr, an interrupt, a clock, a person to ask. */
export type CliExtras = Pick<CliIo, "stderrIsTTY" | "interrupt" | "clock" | "ask">;

/** Runs `argv` with `env` as the process environment; `extras.stderrIsTTY` turns on the progress bar and retry lines. */
export async function cli(
  argv: string[],
  env: Record<string, string | undefined>,
  extras: CliExtras = {},
): Promise<CliOutcome> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env,
    ...extras,
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

/** The compiled CLI, as the installed command runs it (`npm test` builds it first). */
export const CLI_ENTRY = path.resolve(__dirname, "../../dist/cli/index.js");

/** What a run of the compiled CLI produced; `code` is null when a signal ended it. */
export interface CliProcessOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The compiled CLI running in its own process. */
export interface CliProcess {
  /** The process, to signal it or watch its output as it comes. */
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Settles once the process has exited and its output is read: from then on nothing it started can send a request. */
  exited: Promise<CliProcessOutcome>;
}

/**
 * Starts `node dist/cli/index.js ...argv` (after `nodeArgs`) with `env` and
 * PATH as its whole environment; stdin is closed, so it has no one to ask.
 */
export function spawnCli(argv: string[], env: Record<string, string | undefined>, nodeArgs: string[] = []): CliProcess {
  const child = spawn(process.execPath, [...nodeArgs, CLI_ENTRY, ...argv], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliProcessOutcome>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exited };
}

/** Resolves once `condition` holds, checking every 5 ms; fails after `ms`. */
export async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export { emulatorEnv } from "../support/world";
