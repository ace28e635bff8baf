#!/usr/bin/env node
/**
 * `pingone-sessions`: list and revoke PingOne user sessions from a shell,
 * with the provider's own client (settings, retries, pacing, errors). This
 * file parses the command line, checks every id and setting before any
 * request, dispatches, and turns failures into one stderr line (and, with
 * `--json`, a JSON error object on stdout) and an exit code (`EXIT_CODES`).
 */
import { parseArgs, ParseArgsConfig } from "node:util";
import { PingOneClient, PingOneClientOptions } from "../provider/client/client";
import { FailureCode, InvalidInputError, PingOneApiError } from "../provider/client/errors";
import { ConnectionOptions, PingOneConfigError, resolveConnection, SETTING_SOURCES, SettingName, SettingsInput } from "../provider/client/settings";
import { proxyProblem } from "../provider/client/proxyEnv";
import { printable, redact, secretForms } from "../provider/client/text";
import { PACKAGE_NAME, PACKAGE_VERSION } from "../provider/client/version";
import { accessTarget, FlagValues, idFlag, localAddress, revokeTarget, SHARD_VARIABLES, sweepPlan } from "./args";
import { accessCommand } from "./commands/access";
import { listCommand } from "./commands/list";
import { revokeCommand } from "./commands/revoke";
import { CONFIRM_ABOVE, sweepCommand } from "./commands/sweep";
import { askLine, CliIo, EXIT_CODES, ExitCode, interruptedBy, interruptExitCode, interruptibleClock, InterruptSignal, TextSink, UsageError, writeLine } from "./common";
import { systemClock } from "../provider/client/retry";
import { formatCount, formatJson, oneLine, Progress, RetrySummary } from "./output";

export { CliIo, EXIT_CODES, ExitCode, InterruptSignal, TextSink, UsageError } from "./common";

/** The command's name, as installed by package.json "bin". */
export const COMMAND = "pingone-sessions";

/** One connection flag: the setting it gives and the environment variable it overrides. */
export interface ConnectionFlag {
  /** The flag without its dashes (`client-id`). */
  flag: string;
  /** The `ConnectionOptions` field it sets. */
  field: keyof ConnectionOptions;
  /** The environment variable read when the flag is absent. */
  envVar: string;
  /** True for credentials, whose values are masked in all output. */
  secret: boolean;
}

/** Flags whose name is not the field's name in kebab case. */
const FLAG_NAMES: Partial<Record<keyof ConnectionOptions, string>> = { regionCode: "region" };

/** What the usage text says of each setting; a setting added to `SETTING_SOURCES` later still gets its flag. */
const FLAG_HELP: Partial<Record<keyof ConnectionOptions, [value: string, help: string]>> = {
  clientId: ["ID", "worker application's client id"],
  clientSecret: ["SECRET", "prefer the variable: ps shows flags"],
  environmentId: ["ID", "worker application's environment (token issuer)"],
  regionCode: ["CODE", "NA (default), EU, CA, AP, AU or SG"],
  apiAccessToken: ["TOKEN", "a bearer token instead of client credentials"],
  apiUrl: ["URL", "API base; plain http only to loopback"],
  authUrl: ["URL", "authorization service base"],
  tokenAuthMethod: ["METHOD", "client_secret_basic (default) or client_secret_post"],
  maxAttempts: ["N", "failed attempts per operation; 429s do not count (default 10)"],
  operationTimeoutSeconds: ["S", "deadline of one operation (default 600)"],
  requestTimeoutSeconds: ["S", "deadline of one attempt (default 30)"],
  retryBaseDelaySeconds: ["S", "first backoff step (default 1)"],
  retryMaxDelaySeconds: ["S", "longest backoff wait (default 30)"],
  maxRetryAfterSeconds: ["S", "longest Retry-After honoured (default 30)"],
  maxConcurrency: ["N", "most requests in flight (default 32)"],
};

/**
 * One flag per connection setting, derived from `SETTING_SOURCES` (the
 * provider's own table), so the CLI takes exactly the settings the
 * provider does: `--client-id`, `--client-secret`, `--environment-id`,
 * `--region`, `--api-access-token`, `--api-url`, `--auth-url`, ...
 */
export const CONNECTION_FLAGS: readonly ConnectionFlag[] = SETTING_SOURCES.map((source) => ({
  flag: FLAG_NAMES[source.field] ?? source.field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
  field: source.field,
  envVar: source.envVar,
  secret: source.secret,
}));

/**
 * How the CLI's messages name a setting: the flag and the variable a user of
 * the CLI would set (`--max-attempts / PINGONE_MAX_ATTEMPTS`), never the
 * provider's stack config key. Given to the settings resolver and the client.
 */
export const cliSettingName: SettingName = (field) => {
  const flag = CONNECTION_FLAGS.find((f) => f.field === field);
  return flag ? `--${flag.flag} / ${flag.envVar}` : field;
};

/** The usage text of `--help`; it documents the exit codes. */
export const USAGE = `Usage: ${COMMAND} <command> [options]

Lists and revokes PingOne user sessions with the same client (settings,
retries, pacing, error messages) as the pulumi-pingone-sessions provider.

Commands:
  list     --environment E --user U [--json]
           List the user's sessions, newest first: a table, or a JSON array.
  revoke   --environment E --user U (--session S | --all [--created-before T]) [--json]
  revoke   --environment E (--user U ... | --users-file FILE) --all [--created-before T] [--json]
           Revoke one session, or every session of one or more users (with
           --created-before, only those created strictly before T, an ISO 8601
           time such as 2026-11-28T12:00:00Z). --user may be repeated;
           --users-file holds one user id a line (# comments and blank lines
           are ignored). One client serves every user. A session already gone
           is "already absent", which is success: running again is safe.
           --json prints {"revoked":[...],"alreadyAbsent":[...],"failed":[...],
           "notAttempted":[...],"interrupted":null,"users":[...]}, "users"
           holding the same grouped by user.
  sweep    --environment E (--population P | --filter SCIM | --all-users)
           [--created-before T] [--last-sign-on-before T] [--remote-ip CIDR ...]
           [--shard I/N | --shard-from-env [--shard-count N]] [--local-address IP]
           [--dry-run] [--report FILE] [--yes] [--json]
           Revoke the sessions of every user selected (a population, a PingOne
           SCIM filter such as 'username sw "contractor-"', or all users,
           asked for explicitly) that match every criterion given: created or
           last signed on strictly before T, signed on from one of the CIDR
           ranges (--remote-ip, repeatable). --dry-run lists what would be
           revoked and deletes nothing. --report FILE appends one JSON line
           per session acted on, as it happens, then a summary line (mode
           0600). Without --yes, the sweep counts first, and above
           ${formatCount(CONFIRM_ABOVE)} sessions asks on a terminal, or refuses (exit 2).
           --shard I/N takes shard I (from 0) of N, split by a hash of the
           user id; --shard-from-env reads I from ${SHARD_VARIABLES.index[0]}, else
           ${SHARD_VARIABLES.index[1]} (Kubernetes Indexed Job), and N from
           --shard-count or ${SHARD_VARIABLES.count}.
  access   --environment E [--user U | --population P] [--json]
           What the worker application may revoke there: its Identity Data
           Admin scopes (with population names) and, for a user or a
           population, yes or no with the reason. Exit 0 when it may, 1 when
           it may not or when its role assignments cannot be read (the check
           needs read access to them). A pre-flight step before pulumi up.
  emulator [--port P] [--seed demo] [--latency-ms N]
           Run a local PingOne emulator (${COMMAND} emulator --help).
  help     This text (also --help, -h). --version prints the version.

--environment is the environment holding the users; --environment-id is the
worker application's environment, where tokens are issued (often the same id).

Connection: each flag, else its environment variable.
${connectionHelp()}

Pass secrets through PINGONE_CLIENT_SECRET / PINGONE_API_ACCESS_TOKEN rather
than flags: other users can read command lines (ps, shell history).

Output: results on stdout; errors, and on a terminal the progress line and one
line per retry, on stderr. With --json, stdout holds one JSON document; when
the command fails as a whole it is {"error":{"message","status","code","id",
"failure","transactionId"}}.

Interrupting (Ctrl-C, SIGTERM) stops sending, lets requests in flight finish,
prints what was revoked and what was not attempted, and exits 130 or 143.

Exit codes:
  0    success (including sessions that were already absent)
  1    a PingOne call failed: a revocation, or listing the sessions or users (stderr says why); access: it may not; or an internal error
  2    usage error: unknown or malformed flag, missing or conflicting flags, an id that is not a UUID; a malformed proxy variable (HTTPS_PROXY, ...); a large sweep not confirmed
  3    configuration error: missing credentials, unknown region, http:// to a non-loopback host
  130  interrupted by SIGINT (Ctrl-C); the report says what was done
  143  interrupted by SIGTERM; the report says what was done`;

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
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    writeLine(io.stdout, USAGE);
    return EXIT_CODES.ok;
  }
  if (command === "--version" || command === "-v") {
    writeLine(io.stdout, `${COMMAND} ${PACKAGE_VERSION} (${PACKAGE_NAME})`);
    return EXIT_CODES.ok;
  }
  if (command === "emulator") return runEmulator(rest, io);
  if (!isCommand(command)) {
    throw new UsageError(command.startsWith("-") ? `expected a command (${COMMANDS.join(", ")}, emulator) before ${command}` : `unknown command ${JSON.stringify(command)}`);
  }

  const values = parseFlags(command, rest);
  if (values.help === true) {
    writeLine(io.stdout, USAGE);
    return EXIT_CODES.ok;
  }
  const json = values.json === true;
  let code: number;
  try {
    code = await runCommand(command, values, json, io, secrets);
  } catch (error) {
    code = reportError(error, io, json);
  }
  const signal = interruptedBy(io);
  return signal === undefined ? code : interruptExitCode(signal);
}

/** The commands that talk to PingOne. */
const COMMANDS = ["list", "revoke", "sweep", "access"] as const;

/** One of `COMMANDS`. */
type Command = (typeof COMMANDS)[number];

function isCommand(name: string): name is Command {
  return (COMMANDS as readonly string[]).includes(name);
}

/** A command with parsed flags: checks them, builds the client, runs the command. */
async function runCommand(command: Command, values: FlagValues, json: boolean, io: CliIo, secrets: SecretTexts): Promise<ExitCode> {
  const environmentId = idFlag(values, "environment");
  const progress = new Progress(io.stderr, io.stderrIsTTY === true && !json);
  const retries = io.stderrIsTTY === true ? new RetrySummary((line) => progress.note(line), () => (io.clock ?? systemClock).now()) : undefined;
  try {
    return await runWith(command, values, json, io, secrets, environmentId, progress, retries);
  } finally {
    // What the last window of retries held, after the results.
    retries?.flush();
  }
}

/** The command itself, once its output and retry summary are set up. */
async function runWith(command: Command, values: FlagValues, json: boolean, io: CliIo, secrets: SecretTexts, environmentId: string, progress: Progress, retries: RetrySummary | undefined): Promise<ExitCode> {
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
      return withClient(PingOneClient.fromSettings(settings, options), secrets, (client) => listCommand(client, { user, json }, io));
    }
    case "revoke": {
      const { userIds, selection } = revokeTarget(values);
      return withClient(PingOneClient.fromSettings(settings, options), secrets, (client) => revokeCommand(client, { environmentId, userIds, selection, json }, io, progress));
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
      return withClient(PingOneClient.fromSettings(settings, options), secrets, (client) => accessCommand(client, { environmentId, target, json }, io));
    }
  }
}

/** Runs `work` on `client` (whose secrets are scrubbed from all output from now on), then frees its sockets. */
async function withClient<C extends PingOneClient>(client: C, secrets: SecretTexts, work: (client: C) => Promise<ExitCode>): Promise<ExitCode> {
  secrets.add(client);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

/** Parses the flags of a command; an unknown flag, a stray argument or a flag missing its value is a usage error naming it. */
function parseFlags(command: Command, args: string[]): FlagValues {
  const options: NonNullable<ParseArgsConfig["options"]> = {
    environment: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  };
  if (command === "list" || command === "revoke" || command === "access") options.user = { type: "string", multiple: true };
  if (command === "access") options.population = { type: "string" };
  if (command === "revoke") {
    options["users-file"] = { type: "string" };
    options.session = { type: "string" };
    options.all = { type: "boolean" };
    options["created-before"] = { type: "string" };
  }
  if (command === "sweep") {
    for (const flag of ["population", "filter", "created-before", "last-sign-on-before", "shard", "shard-count", "report", "local-address"]) options[flag] = { type: "string" };
    for (const flag of ["all-users", "shard-from-env", "dry-run", "yes"]) options[flag] = { type: "boolean" };
    options["remote-ip"] = { type: "string", multiple: true };
  }
  for (const { flag } of CONNECTION_FLAGS) options[flag] = { type: "string" };
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as FlagValues;
  } catch (error) {
    throw new UsageError(`${command}: ${describeParseError(error)}`);
  }
}

/** Node's parseArgs messages, rewritten to name the flag in one short line. */
function describeParseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']*)'/.exec(message)?.[1]?.replace(/ <value>$/, "").replace(/^-\w, /, "");
  if (quoted === undefined) return oneLine(message);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${quoted}`;
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument ${JSON.stringify(quoted)}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (message.includes("does not take an argument")) return `${quoted} takes no value`;
    return message.includes("ambiguous") ? `${quoted} needs a value (write ${quoted}=VALUE for a value starting with "-")` : `${quoted} needs a value`;
  }
  return oneLine(message);
}

/** The connection flags given, as explicit settings (the highest precedence). */
function connectionOptions(values: FlagValues): ConnectionOptions {
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
      throw new UsageError(`emulator: ${(String((error as Error).message).split("\n")[0] ?? "").trim()}`, { cause: error });
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
 * with `PINGONE_SESSIONS_DEBUG=1`.
 */
export function describeFailure(error: unknown, env: Record<string, string | undefined> = {}): DescribedFailure {
  const message = printable(oneLine(error instanceof Error ? error.message : String(error)));
  const object = (failure: CliErrorObject["failure"], text = message): CliErrorObject => ({ message: text, status: null, code: null, id: null, failure, transactionId: null });
  if (error instanceof UsageError || InvalidInputError.isInstance(error)) {
    return { exitCode: EXIT_CODES.usage, line: `${COMMAND}: ${message} (see ${COMMAND} --help)`, object: object("USAGE") };
  }
  if (error instanceof PingOneConfigError) return { exitCode: EXIT_CODES.config, line: `${COMMAND}: ${message}`, object: object("CONFIG") };
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
    env.PINGONE_SESSIONS_DEBUG === "1" && error instanceof Error && error.stack ? `\n${error.stack.split("\n").map(printable).join("\n")}` : " (set PINGONE_SESSIONS_DEBUG=1 to see where)";
  return { exitCode: EXIT_CODES.failed, line: `${COMMAND}: ${internal}${stack}`, object: object("INTERNAL", internal) };
}

/** Writes the failure's line on stderr and, with `--json`, its JSON error object on stdout; returns its exit code. */
function reportError(error: unknown, io: CliIo, json: boolean): number {
  const failure = describeFailure(error, io.env);
  writeLine(io.stderr, failure.line);
  if (json) writeLine(io.stdout, formatJson({ error: failure.object }));
  return failure.exitCode;
}

/** An error's stable `code` (Node's and this package's errors carry one), if it has a string one. */
function errorCode(error: unknown): string | undefined {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

function connectionHelp(): string {
  const rows = CONNECTION_FLAGS.map(({ flag, field, envVar }) => {
    const [value, help] = FLAG_HELP[field] ?? [field.endsWith("Seconds") ? "S" : "VALUE", ""];
    return [`--${flag} ${value}`, envVar, help];
  });
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`.trimEnd()).join("\n");
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
  const given = (flag: ConnectionFlag) => [...flagValues(argv, flag.flag), env[flag.envVar] ?? ""].flatMap((v) => [v, v.trim()]).filter((v) => v !== "");
  const clientIds = given(CONNECTION_FLAGS.find((f) => f.field === "clientId")!);
  const secrets = CONNECTION_FLAGS.filter((f) => f.secret).flatMap(given);
  return [...new Set(secrets.flatMap((secret) => [secretForms(secret), ...clientIds.map((id) => secretForms(secret, id))].flat()))];
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
    ask: process.stdin.isTTY === true ? (question) => askLine(question, process.stdin, process.stderr, interrupt.signal) : undefined,
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
