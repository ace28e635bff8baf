/**
 * Runs the `pingone-sessions` CLI in-process and collects what it wrote.
 */
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

export { emulatorEnv } from "../support/world";
