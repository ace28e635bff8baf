#!/usr/bin/env node
/**
 * `pingone-sessions`: list and revoke PingOne user sessions from a shell,
 * with the provider's own client (settings, retries, pacing, errors). This
 * file parses the command line, checks every id and setting before any
 * request, dispatches, and turns failures into one stderr line (and, with
 * `--json`, a JSON error object on stdout) and an exit code (`EXIT_CODES`).
 */
import { PingOneClient, PingOneClientOptions } from "../provider/client/client";
import { FailureCode, InvalidInputError, PingOneApiError } from "../provider/client/errors";
import { ConnectionOptions, PingOneConfigError, resolveConnection, SettingsInput } from "../provider/client/settings";
import { proxyProblem } from "../provider/client/proxyEnv";
import { printable, redact, secretForms } from "../provider/client/text";
import { PACKAGE_NAME, PACKAGE_VERSION } from "../provider/client/version";
import { accessTarget, idFlag, localAddress, revokeTarget, sweepPlan } from "./args";
import { accessCommand } from "./commands/access";
import { listCommand } from "./commands/list";
import { revokeCommand } from "./commands/revoke";
import { sweepCommand } from "./commands/sweep";
import {
  askLine,
  CliIo,
  EXIT_CODES,
  ExitCode,
  interruptedBy,
  interruptExitCode,
  interruptibleClock,
  InterruptSignal,
  TextSink,
  UsageError,
  writeLine,
} from "./common";
import { systemClock } from "../provider/client/retry";
import { nearest, OptionValues, parseOptions } from "./options";
import { formatJson, oneLine, Progress, RetrySummary } from "./output";
import {
  cliSettingName,
  Command,
  commandUsage,
  COMMAND,
  COMMANDS,
  CONNECTION_FLAGS,
  ConnectionFlag,
  isCommand,
  optionTable,
  USAGE,
} from "./usage";

export { CliIo, EXIT_CODES, ExitCode, InterruptSignal, TextSink, UsageError } from "./common";
export {
  cliSettingName,
  COMMAND,
  COMMAND_SPECS,
  commandUsage,
  CommandSpec,
  CONNECTION_FLAGS,
  ConnectionFlag,
  USAGE,
} from "./usage";

/**
 * Runs one command line (`argv` without node and the script) and resolves to
 * its exit code (`EXIT_CODES`); never rejects and never calls
 * `process.exit`, so tests run it in-process. Usage errors and bad settings
 * are reported before any request is sent. Errors go to `io.stderr` as one
 * line; any secret value given by flag or environment is masked in all
 * output, in every form it can take (as is, URL-encoded, HTTP Basic).
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const secrets = new SecretTexts(secretTexts(argv, io.env));
  const masked = maskSecrets(io, secrets);
  try {
    return await dispatch(argv, masked, secrets);
  } catch (error) {
    return reportError(error, masked, false);
  }
}

/**
 * The secrets the CLI's output is scrubbed of: those given by flag or
 * environment, and every secret the client knows, tokens it was issued
 * included (a server may echo a token in any field it sends back).
 */
class SecretTexts {
  private readonly clients: PingOneClient[] = [];

  constructor(private readonly given: string[]) {}

  /** Adds a client's secrets (read at each write, so tokens issued later count too). */
  add(client: PingOneClient): void {
    this.clients.push(client);
  }

  all(): string[] {
    return this.clients.length === 0 ? this.given : [...this.given, ...this.clients.flatMap((c) => c.secrets())];
  }
}

async function dispatch(argv: string[], io: CliIo, secrets: SecretTexts): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    writeLine(io.stdout, USAGE);
    return EXIT_CODES.ok;
  }
  if (command === "help") return printHelp(rest, io);
  if (command === "--version" || command === "-v") {
    writeLine(io.stdout, `${COMMAND} ${PACKAGE_VERSION} (${PACKAGE_NAME})`);
    return EXIT_CODES.ok;
  }
  if (command === "emulator") return reportingFailures("emulator", io, false, () => runEmulator(rest, io));
  if (!isCommand(command)) throw new UsageError(unknownCommand(command));

  let values: OptionValues;
  try {
    values = parseFlags(command, rest);
  } catch (error) {
    // Whether --json was asked for is not known from a command line that does not parse: no JSON error object.
    return reportError(error, io, false, command);
  }
  if (values.help === true) {
    writeLine(io.stdout, commandUsage(command));
    return EXIT_CODES.ok;
  }
  const json = values.json === true;
  const code = await reportingFailures(command, io, json, () => runCommand(command, values, json, io, secrets));
  const signal = interruptedBy(io);
  return signal === undefined ? code : interruptExitCode(signal);
}

/**
 * Runs `work` for `command`; whatever it throws is reported (`reportError`)
 * and becomes the exit code, a usage error with a pointer to that command's
 * own help (`see pingone-sessions revoke --help`), where its options are.
 */
async function reportingFailures(
  command: string,
  io: CliIo,
  json: boolean,
  work: () => Promise<number>,
): Promise<number> {
  try {
    return await work();
  } catch (error) {
    return reportError(error, io, json, command);
  }
}

/** `help`, `help <command>`: the global help, or that command's. A command that does not exist is a usage error. */
async function printHelp(args: string[], io: CliIo): Promise<number> {
  const [topic, ...extra] = args;
  if (extra.length > 0)
    throw new UsageError(`help: unexpected argument ${JSON.stringify(extra[0])} (help takes one command)`);
  if (topic === undefined || topic === "help" || topic === "--help" || topic === "-h") writeLine(io.stdout, USAGE);
  else if (topic === "emulator") writeLine(io.stdout, (await import("../emulator/cli")).USAGE);
  else if (isCommand(topic)) writeLine(io.stdout, commandUsage(topic));
  else throw new UsageError(`help: ${unknownCommand(topic)}`);
  return EXIT_CODES.ok;
}

/** Why `name` is not a command, with the nearest command when one is close. */
function unknownCommand(name: string): string {
  const names = [...COMMANDS, "emulator", "help"];
  if (name.startsWith("-")) return `expected a command (${names.join(", ")}) before ${name}`;
  const suggestion = nearest(name, names);
  return `unknown command ${JSON.stringify(name)}${suggestion === undefined ? "" : `; did you mean ${suggestion}?`}`;
}

/** A command with parsed flags: checks them, builds the client, runs the command. */
async function runCommand(
  command: Command,
  values: OptionValues,
  json: boolean,
  io: CliIo,
  secrets: SecretTexts,
): Promise<ExitCode> {
  const environmentId = idFlag(values, "environment");
  const progress = new Progress(io.stderr, io.stderrIsTTY === true && !json);
  const retries =
    io.stderrIsTTY === true
      ? new RetrySummary(
          (line) => progress.note(line),
          () => (io.clock ?? systemClock).now(),
        )
      : undefined;
  try {
    return await runWith(command, values, json, io, secrets, environmentId, progress, retries);
  } finally {
    // What the last window of retries held, after the results.
    retries?.flush();
  }
}

/** The command itself, once its output and retry summary are set up. */
async function runWith(
  command: Command,
  values: OptionValues,
  json: boolean,
  io: CliIo,
  secrets: SecretTexts,
  environmentId: string,
  progress: Progress,
  retries: RetrySummary | undefined,
): Promise<ExitCode> {
  const settings: SettingsInput = { explicit: connectionOptions(values), env: io.env, naming: cliSettingName };
  const options: PingOneClientOptions = {
    signal: io.interrupt,
    clock: interruptibleClock(io.clock, io.interrupt),
    // Only a person watching a terminal needs to know why it is waiting; stdout is never touched. 429s are summed up.
    onRetry: retries ? (notice) => retries.note(notice) : undefined,
  };
  // A malformed proxy variable is the user's to fix: named, its password masked, before any request.
  // Settings that do not resolve are reported where they always were (exit 3), after the flags.
  const urls = (() => {
    try {
      const connection = resolveConnection(settings);
      return [connection.apiUrl, connection.authUrl];
    } catch {
      return [];
    }
  })();
  const proxy = proxyProblem(urls, io.env);
  if (proxy) throw new UsageError(proxy.reason);
  switch (command) {
    case "list": {
      const user = { environmentId, userId: idFlag(values, "user") };
      return withClient(PingOneClient.fromSettings(settings, options), secrets, (client) =>
        listCommand(client, { user, json }, io),
      );
    }
    case "revoke": {
      const { userIds, selection } = revokeTarget(values);
      return withClient(PingOneClient.fromSettings(settings, options), secrets, (client) =>
        revokeCommand(client, { environmentId, userIds, selection, json }, io, progress),
      );
    }
    case "sweep": {
      const plan = { ...sweepPlan(values, io.env), json };
      const address = localAddress(values);
      // The report is evidence: when it cannot be written, the client stops sending as on an interrupt.
      const stop = new AbortController();
      const signal = io.interrupt ? AbortSignal.any([io.interrupt, stop.signal]) : stop.signal;
      const client = new PingOneClient(resolveConnection(settings), { ...options, signal, localAddress: address });
      return withClient(client, secrets, (c) => sweepCommand(c, plan, io, progress, { stop }));
    }
    case "access": {
      const target = accessTarget(values);
      return withClient(PingOneClient.fromSettings(settings, options), secrets, (client) =>
        accessCommand(client, { environmentId, target, json }, io),
      );
    }
  }
}

/** Runs `work` on `client` (whose secrets are scrubbed from all output from now on), then frees its sockets. */
async function withClient<C extends PingOneClient>(
  client: C,
  secrets: SecretTexts,
  work: (client: C) => Promise<ExitCode>,
): Promise<ExitCode> {
  secrets.add(client);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

/**
 * Parses the flags of a command with its option table; an unknown flag (with
 * the nearest known one), a stray argument or a flag missing its value is a
 * usage error naming it.
 */
function parseFlags(command: Command, args: string[]): OptionValues {
  return parseOptions(
    optionTable(command),
    args,
    (message, cause) => new UsageError(`${command}: ${message}`, { cause }),
  );
}

/** The connection flags given, as explicit settings (the highest precedence). */
function connectionOptions(values: OptionValues): ConnectionOptions {
  const options: ConnectionOptions = {};
  for (const { flag, field } of CONNECTION_FLAGS) {
    const value = values[flag];
    if (typeof value === "string") options[field] = value;
  }
  return options;
}

/** `emulator`: the emulator's own command line, writing through `io`, stopped by `io.interrupt`; a wrong command line is a usage error. */
async function runEmulator(args: string[], io: CliIo): Promise<number> {
  try {
    // Loaded on demand: the emulator is a server of its own, and no other command pays its start-up.
    const { main: emulatorMain } = await import("../emulator/cli");
    await emulatorMain(args, { write: (line) => writeLine(io.stdout, line), signal: io.interrupt });
  } catch (error) {
    // Branch on stable codes only: the emulator's usage error (ERR_USAGE) and Node's parseArgs errors. Anything else is not the user's mistake.
    const code = errorCode(error);
    if (code === "ERR_USAGE" || code?.startsWith("ERR_PARSE_ARGS_")) {
      throw new UsageError(`emulator: ${(String((error as Error).message).split("\n")[0] ?? "").trim()}`, {
        cause: error,
      });
    }
    throw error;
  }
  return EXIT_CODES.ok;
}

/** Why a command failed as a whole, as `--json` prints it under `error`. Fields a failure does not have are null. */
export interface CliErrorObject {
  /** The whole message: what failed, why, and what to do. One printable line. */
  message: string;
  /** The HTTP status of PingOne's last answer; null when nothing answered or no call was made. */
  status: number | null;
  /** PingOne's error code (`ACCESS_FAILED`, ...). */
  code: string | null;
  /** PingOne's error id, to quote to Ping support. */
  id: string | null;
  /** The client's stable failure code (`HTTP_STATUS`, `NOT_PINGONE`, `ABORTED`, ...), or `USAGE`, `CONFIG`, `INTERNAL`. */
  failure: FailureCode | "USAGE" | "CONFIG" | "INTERNAL";
  /** The `X-Ping-External-Transaction-ID` sent, for Ping support; null when no call was made. */
  transactionId: string | null;
}

/** A failure, classified: its exit code, its stderr line and its JSON object. */
interface DescribedFailure {
  exitCode: ExitCode;
  line: string;
  object: CliErrorObject;
}

/**
 * Classifies an error by what it is, never by its class name alone: the
 * CLI's `UsageError` and the client's `InvalidInputError` (an invalid id or
 * criteria) are usage errors (2); `PingOneConfigError` is a configuration error (3); a
 * `PingOneApiError` (from any copy of the package) is a failed call (1);
 * anything else is a bug (1, "internal error"), whose stack is shown only
 * with `PINGONE_SESSIONS_DEBUG=1`. A usage error points at the help of
 * `command` when it is given (`see pingone-sessions revoke --help`), else at
 * the global help.
 */
export function describeFailure(
  error: unknown,
  env: Record<string, string | undefined> = {},
  command?: string,
): DescribedFailure {
  const message = printable(oneLine(error instanceof Error ? error.message : String(error)));
  const object = (failure: CliErrorObject["failure"], text = message): CliErrorObject => ({
    message: text,
    status: null,
    code: null,
    id: null,
    failure,
    transactionId: null,
  });
  if (error instanceof UsageError || InvalidInputError.isInstance(error)) {
    const help = command === undefined ? `${COMMAND} --help` : `${COMMAND} ${command} --help`;
    return { exitCode: EXIT_CODES.usage, line: `${COMMAND}: ${message} (see ${help})`, object: object("USAGE") };
  }
  if (error instanceof PingOneConfigError)
    return { exitCode: EXIT_CODES.config, line: `${COMMAND}: ${message}`, object: object("CONFIG") };
  if (PingOneApiError.isInstance(error)) {
    return {
      exitCode: EXIT_CODES.failed,
      line: `${COMMAND}: ${message}`,
      // PingOne's code and id keep their names in the CLI's JSON; `failure` is the package's code.
      object: {
        message,
        status: error.status ?? null,
        code: error.pingOne?.code ?? null,
        id: error.pingOne?.id ?? null,
        failure: error.code,
        transactionId: error.transactionId,
      },
    };
  }
  const internal = `internal error (a bug in ${COMMAND}; please report it): ${message}`;
  const stack =
    env.PINGONE_SESSIONS_DEBUG === "1" && error instanceof Error && error.stack
      ? `\n${error.stack.split("\n").map(printable).join("\n")}`
      : " (set PINGONE_SESSIONS_DEBUG=1 to see where)";
  return { exitCode: EXIT_CODES.failed, line: `${COMMAND}: ${internal}${stack}`, object: object("INTERNAL", internal) };
}

/** Writes the failure's line on stderr and, with `--json`, its JSON error object on stdout; returns its exit code. */
function reportError(error: unknown, io: CliIo, json: boolean, command?: string): number {
  const failure = describeFailure(error, io.env, command);
  writeLine(io.stderr, failure.line);
  if (json) writeLine(io.stdout, formatJson({ error: failure.object }));
  return failure.exitCode;
}

/** An error's stable `code` (Node's and this package's errors carry one), if it has a string one. */
function errorCode(error: unknown): string | undefined {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** Every value `argv` gives `--flag`, as `--flag V` or `--flag=V`, before the flags are parsed (so even a usage error is masked). */
function flagValues(argv: string[], flag: string): string[] {
  const values: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === `--${flag}` && i + 1 < argv.length) values.push(argv[i + 1]);
    else if (arg.startsWith(`--${flag}=`)) values.push(arg.slice(flag.length + 3));
  });
  return values;
}

/**
 * Every form of every secret given by flag or environment (`secretForms`:
 * as is, URL- and form-encoded, and HTTP Basic with each client id given),
 * so no output can repeat one in any encoding.
 */
function secretTexts(argv: string[], env: Record<string, string | undefined>): string[] {
  const given = (flag: ConnectionFlag) =>
    [...flagValues(argv, flag.flag), env[flag.envVar] ?? ""].flatMap((v) => [v, v.trim()]).filter((v) => v !== "");
  const clientIds = given(CONNECTION_FLAGS.find((f) => f.field === "clientId")!);
  const secrets = CONNECTION_FLAGS.filter((f) => f.secret).flatMap(given);
  return [
    ...new Set(
      secrets.flatMap((secret) => [secretForms(secret), ...clientIds.map((id) => secretForms(secret, id))].flat()),
    ),
  ];
}

/** `io` whose stdout and stderr remove every one of `secrets` from what they write (`redact`, the one redaction). */
function maskSecrets(io: CliIo, secrets: SecretTexts): CliIo {
  const mask = (sink: TextSink): TextSink => ({ write: (text: string) => sink.write(redact(text, secrets.all())) });
  return { ...io, stdout: mask(io.stdout), stderr: mask(io.stderr) };
}

/**
 * The process's own wiring: SIGINT and SIGTERM abort `interrupt` (naming the
 * signal), so the command stops sending and reports; a second signal ends
 * the process at once with the same exit code.
 */
function main(): void {
  const interrupt = new AbortController();
  const onSignal = (signal: InterruptSignal): void => {
    if (interrupt.signal.aborted) process.exit(interruptExitCode(signal));
    interrupt.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stderrIsTTY: process.stderr.isTTY === true,
    interrupt: interrupt.signal,
    ask:
      process.stdin.isTTY === true
        ? (question) => askLine(question, process.stdin, process.stderr, interrupt.signal)
        : undefined,
  };
  let finished = false;
  // Node exits when nothing is left to wait for, even with the command still pending (an exchange that
  // never settled did exactly that, exiting 0 with no summary): such an end is a failure, never a success.
  process.once("beforeExit", () => {
    if (finished) return;
    const what = "the run stopped waiting with its work unfinished, so no summary was written";
    process.stderr.write(`${COMMAND}: internal error (a bug in ${COMMAND}; please report it): ${what}\n`);
    process.exitCode = EXIT_CODES.failed;
  });
  void run(process.argv.slice(2), io).then((code) => {
    finished = true;
    process.exitCode = code;
  });
}

if (require.main === module) main();
