/**
 * What every part of the `pingone-sessions` CLI shares: where it writes, the
 * exit codes scripts rely on, and the error that means "the command line is
 * wrong". Kept apart from `index.ts` so commands do not import the entry.
 */

/** Something the CLI writes text to: `process.stdout`, `process.stderr`, or a test's collector. */
export interface TextSink {
  /** Writes `text` as is (the CLI adds the newlines). */
  write(text: string): unknown;
}

/** Everything `run` touches outside itself, so tests call it in-process. */
export interface CliIo {
  /** Results: tables, JSON, per-session lines, summaries. */
  stdout: TextSink;
  /** Errors (one line each) and the progress bar. */
  stderr: TextSink;
  /** Where `PINGONE_*` settings are read (pass `process.env`); flags take precedence. */
  env: Record<string, string | undefined>;
  /** True when stdout is a terminal: enables the progress bar of bulk work (never with `--json`). */
  isTTY: boolean;
  /** Stops the `emulator` command (besides SIGINT and SIGTERM); unused by the other commands. */
  signal?: AbortSignal;
}

/**
 * Exit codes a script can rely on:
 * `ok` 0 success (a session already gone counts as revoked);
 * `failed` 1 a PingOne call failed (a revocation, or listing the sessions);
 * `usage` 2 the command line is wrong (unknown or malformed flag, missing or conflicting flags, an id that is not a UUID);
 * `config` 3 the connection settings are wrong (missing credentials, unknown region, http:// to a non-loopback host).
 */
export const EXIT_CODES = { ok: 0, failed: 1, usage: 2, config: 3 } as const;

/** One of `EXIT_CODES`. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** The command line is wrong; the message names the offending flag. Exit code 2; thrown before any request is sent. */
export class UsageError extends Error {
  /** Always `UsageError`. */
  override readonly name = "UsageError";
}

/** Writes `text` and a newline. */
export function writeLine(sink: TextSink, text = ""): void {
  sink.write(`${text}\n`);
}
