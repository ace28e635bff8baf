/**
 * Runs the `pingone-sessions` CLI in-process and collects what it wrote.
 */
import { RunningEmulator } from "../../emulator";
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
export async function cli(argv: string[], env: Record<string, string | undefined>, extras: CliExtras = {}): Promise<CliOutcome> {
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

/** PINGONE_* variables that reach `emulator` with the given worker application. */
export function emulatorEnv(emulator: RunningEmulator, app: { clientId: string; clientSecret: string; environmentId: string }): Record<string, string> {
  return {
    PINGONE_API_URL: emulator.apiUrl,
    PINGONE_AUTH_URL: emulator.authUrl,
    PINGONE_CLIENT_ID: app.clientId,
    PINGONE_CLIENT_SECRET: app.clientSecret,
    PINGONE_ENVIRONMENT_ID: app.environmentId,
  };
}
