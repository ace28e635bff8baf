/**
 * Runs the `pingone-sessions` CLI in-process and collects what it wrote.
 */
import { RunningEmulator } from "../../emulator";
import { run } from "../../cli";

/** What one run produced. */
export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `argv` with `env` as the process environment; `isTTY` turns on the progress bar. */
export async function cli(argv: string[], env: Record<string, string | undefined>, isTTY = false, signal?: AbortSignal): Promise<CliOutcome> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env,
    isTTY,
    signal,
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
