/**
 * What every part of the `pingone-sessions` CLI shares: where it writes, the
 * exit codes scripts rely on, how an interrupt reaches it, and the error that
 * means "the command line is wrong". Kept apart from `index.ts` so commands do
 * not import the entry.
 */
import readline from "node:readline";
import { PingOneApiError } from "../provider/client/errors";
import { Clock, systemClock } from "../provider/client/retry";

/** Something the CLI writes text to: `process.stdout`, `process.stderr`, or a test's collector. */
export interface TextSink {
  /** Writes `text` as is (the CLI adds the newlines). */
  write(text: string): unknown;
}

/** The process signals that interrupt a command; the CLI exits with 128 + the signal's number. */
export type InterruptSignal = "SIGINT" | "SIGTERM";

/** Everything `run` touches outside itself, so tests call it in-process. */
export interface CliIo {
  /** Results: tables, JSON, per-session lines, summaries. Nothing else, so `--json` output is pure JSON. */
  stdout: TextSink;
  /** Errors (one line each), the progress bar and retry lines. */
  stderr: TextSink;
  /** Where `PINGONE_*` settings are read (pass `process.env`); flags take precedence. */
  env: Record<string, string | undefined>;
  /**
   * True when stderr is a terminal: enables the progress bar of bulk work
   * (not with `--json`) and one line per retry as it happens. Default false.
   */
  stderrIsTTY?: boolean;
  /**
   * Aborted when the user interrupts (the entry wires SIGINT and SIGTERM to
   * it); its `reason` names the signal (`"SIGTERM"`, anything else counts as
   * `"SIGINT"`). `list` and `revoke` then send nothing new, let requests in
   * flight finish, report what was done and exit 130 or 143; `emulator` stops.
   */
  interrupt?: AbortSignal;
  /** Time and randomness of retry waits; default the system's. Tests pass a fake one. */
  clock?: Clock;
  /**
   * Asks a person a yes/no question and resolves to the line they typed;
   * given only when stdin is a terminal (the entry reads it from there). A
   * command that needs a confirmation and has no `ask` refuses instead.
   */
  ask?: (question: string) => Promise<string>;
}

/**
 * Exit codes a script can rely on:
 * `ok` 0 success (a session already gone counts as revoked);
 * `failed` 1 a PingOne call failed (a revocation, or listing the sessions or users), `access` found the application may not revoke, or an internal error;
 * `usage` 2 the command line is wrong (unknown or malformed flag, missing or conflicting flags, an id that is not a UUID), or a large sweep was not confirmed;
 * `config` 3 the connection settings are wrong (missing credentials, unknown region, http:// to a non-loopback host);
 * `interrupted` 130 stopped by SIGINT (128 + 2), `terminated` 143 stopped by SIGTERM (128 + 15): what was done is reported.
 */
export const EXIT_CODES = { ok: 0, failed: 1, usage: 2, config: 3, interrupted: 130, terminated: 143 } as const;

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

/** The signal that interrupted the command, or undefined while it has not been interrupted. */
export function interruptedBy(io: Pick<CliIo, "interrupt">): InterruptSignal | undefined {
  if (!io.interrupt?.aborted) return undefined;
  return io.interrupt.reason === "SIGTERM" ? "SIGTERM" : "SIGINT";
}

/** The exit code of a command stopped by `signal`: 128 + the signal's number, as shells report it. */
export function interruptExitCode(signal: InterruptSignal): ExitCode {
  return signal === "SIGTERM" ? EXIT_CODES.terminated : EXIT_CODES.interrupted;
}

/**
 * `clock` (default the system's) whose waits end as soon as `interrupt` is
 * aborted, so a retry backing off for 30 s does not hold an interrupted run:
 * its next attempt then fails at once as not sent. A system wait is a timer
 * cancelled on interrupt, so nothing keeps the process alive afterwards.
 */
export function interruptibleClock(clock: Clock | undefined, interrupt: AbortSignal | undefined): Clock {
  const base = clock ?? systemClock;
  if (interrupt === undefined) return base;
  // One listener wakes every wait: a listener per wait put thousands on the signal during a rate limit
  // (each a retry's wait), and Node warned of a leak (MaxListenersExceededWarning) past ten.
  const sleepers = new Set<() => void>();
  interrupt.addEventListener("abort", () => [...sleepers].forEach((wake) => wake()), { once: true });
  const sleep = (ms: number): Promise<void> => {
    if (interrupt.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = (): void => {
        sleepers.delete(wake);
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
      sleepers.add(wake);
      if (clock === undefined) timer = setTimeout(wake, ms);
      else void clock.sleep(ms).then(wake, wake);
    });
  };
  return { now: () => base.now(), random: () => base.random(), sleep };
}

/**
 * True when the client sent nothing at all for this operation: it was
 * interrupted before its first attempt. An operation that was sent and then
 * retried into the interrupt is a failure, not "not attempted": what its
 * first attempt did is not known.
 */
export function neverSent(error: unknown): boolean {
  return PingOneApiError.isInstance(error) && error.code === "ABORTED" && error.attempts === 1;
}

/**
 * Asks `question` on `output` and resolves to the next line read from
 * `input` (the entry passes the terminal's stdin and stderr). The terminal
 * stays in line mode, so Ctrl-C still interrupts; an interrupt or the end
 * of input answers "" (no). Reading stops after the line, so the input does
 * not keep the process alive.
 */
export function askLine(
  question: string,
  input: NodeJS.ReadableStream,
  output: TextSink,
  interrupt?: AbortSignal,
): Promise<string> {
  return new Promise((resolve) => {
    const lines = readline.createInterface({ input, terminal: false, signal: interrupt });
    output.write(question);
    lines.once("line", (line) => {
      // First: closing emits "close" at once, which answers "".
      resolve(line);
      lines.close();
    });
    lines.once("close", () => resolve(""));
  });
}
