#!/usr/bin/env node
/**
 * `pingone-sessions`: list and revoke PingOne user sessions from a shell,
 * with the provider's own client (settings, retries, pacing, errors). This
 * file parses the command line, checks every id and setting before any
 * request, dispatches, and turns failures into one stderr line and an exit
 * code (`EXIT_CODES`).
 */
import { parseArgs, ParseArgsConfig } from "node:util";
import { main as emulatorMain } from "../emulator/cli";
import { EmulatorUsageError } from "../emulator/usage";
import { PingOneClient } from "../provider/client/client";
import { invalidIdReason, UserRef } from "../provider/client/ids";
import { ConnectionOptions, PingOneConfigError, SETTING_SOURCES } from "../provider/client/settings";
import { PACKAGE_NAME, PACKAGE_VERSION } from "../provider/client/version";
import { listCommand } from "./commands/list";
import { revokeCommand, RevokeSelection } from "./commands/revoke";
import { CliIo, EXIT_CODES, TextSink, UsageError, writeLine } from "./common";
import { oneLine } from "./output";

export { CliIo, EXIT_CODES, ExitCode, TextSink, UsageError } from "./common";

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
  maxAttempts: ["N", "attempts per operation (default 10)"],
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

/** The usage text of `--help`; it documents the exit codes. */
export const USAGE = `Usage: ${COMMAND} <command> [options]

Lists and revokes PingOne user sessions with the same client (settings,
retries, pacing, error messages) as the pulumi-pingone-sessions provider.

Commands:
  list     --environment E --user U [--json]
           List the user's sessions, newest first: a table, or a JSON array.
  revoke   --environment E --user U (--session S | --all [--created-before T]) [--json]
           Revoke one session, or every session of the user (with
           --created-before, only those created strictly before T, an ISO 8601
           time such as 2026-11-28T12:00:00Z). A session already gone is
           "already absent", which is success: running again is safe. --json
           prints {"revoked":[...],"alreadyAbsent":[...],"failed":[...]}.
  emulator [--port P] [--seed demo] [--latency-ms N]
           Run a local PingOne emulator (${COMMAND} emulator --help).
  help     This text (also --help, -h). --version prints the version.

--environment is the environment holding the user; --environment-id is the
worker application's environment, where tokens are issued (often the same id).

Connection: each flag, else its environment variable.
${connectionHelp()}

Pass secrets through PINGONE_CLIENT_SECRET / PINGONE_API_ACCESS_TOKEN rather
than flags: other users can read command lines (ps, shell history).

Exit codes:
  0  success (including sessions that were already absent)
  1  a PingOne call failed: a revocation, or listing the sessions (stderr says why)
  2  usage error: unknown or malformed flag, missing or conflicting flags, an id that is not a UUID
  3  configuration error: missing credentials, unknown region, http:// to a non-loopback host`;

/**
 * Runs one command line (`argv` without node and the script) and resolves to
 * its exit code (`EXIT_CODES`); never rejects and never calls
 * `process.exit`, so tests run it in-process. Usage errors and bad settings
 * are reported before any request is sent. Errors go to `io.stderr` as one
 * line; any secret value given by flag or environment is masked in all output.
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const masked = maskSecrets(io, secretValues(argv, io.env));
  try {
    return await dispatch(argv, masked);
  } catch (error) {
    return reportError(error, masked);
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
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
  if (command !== "list" && command !== "revoke") {
    throw new UsageError(command.startsWith("-") ? `expected a command (list, revoke, emulator) before ${command}` : `unknown command ${JSON.stringify(command)}`);
  }

  const values = parseFlags(command, rest);
  if (values.help === true) {
    writeLine(io.stdout, USAGE);
    return EXIT_CODES.ok;
  }
  const user: UserRef = { environmentId: idFlag(values, "environment"), userId: idFlag(values, "user") };
  const json = values.json === true;
  const selection = command === "revoke" ? revokeSelection(values) : undefined;

  const client = PingOneClient.fromSettings({ explicit: connectionOptions(values), env: io.env });
  try {
    return selection === undefined ? await listCommand(client, { user, json }, io) : await revokeCommand(client, { user, selection, json }, io);
  } finally {
    client.close();
  }
}

type FlagValues = Record<string, string | boolean | undefined>;

/** Parses the flags of `list` or `revoke`; an unknown flag, a stray argument or a flag missing its value is a usage error naming it. */
function parseFlags(command: "list" | "revoke", args: string[]): FlagValues {
  const options: NonNullable<ParseArgsConfig["options"]> = {
    environment: { type: "string" },
    user: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  };
  if (command === "revoke") {
    options.session = { type: "string" };
    options.all = { type: "boolean" };
    options["created-before"] = { type: "string" };
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

/** A required id flag, checked to be a UUID before anything is sent. */
function idFlag(values: FlagValues, flag: string): string {
  const value = values[flag];
  const reason = invalidIdReason(`--${flag}`, value);
  if (reason) throw new UsageError(reason);
  return value as string;
}

function revokeSelection(values: FlagValues): RevokeSelection {
  const all = values.all === true;
  const createdBefore = values["created-before"] as string | undefined;
  if (values.session !== undefined && all) throw new UsageError("--session and --all exclude each other: revoke one session or all of them");
  if (values.session === undefined && !all) throw new UsageError("say which sessions to revoke: --session S for one, or --all for every session of the user");
  if (createdBefore !== undefined && !all) throw new UsageError("--created-before applies only with --all");
  if (!all) return { kind: "one", sessionId: idFlag(values, "session") };
  if (createdBefore !== undefined && !isIsoDateTime(createdBefore)) {
    throw new UsageError(`--created-before must be an ISO 8601 time such as 2026-11-28T12:00:00Z; got ${JSON.stringify(createdBefore.slice(0, 60))}`);
  }
  return { kind: "all", createdBefore };
}

/** The same form the provider's `check` accepts for `createdBefore`: a full date-time with a zone. */
function isIsoDateTime(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value));
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

/** `emulator`: the emulator's own command line, writing through `io`; bad arguments are usage errors. */
async function runEmulator(args: string[], io: CliIo): Promise<number> {
  try {
    await emulatorMain(args, { write: (line) => writeLine(io.stdout, line), signal: io.signal });
  } catch (error) {
    // The emulator reports a wrong command line as EmulatorUsageError (code ERR_USAGE), never as a bare TypeError.
    if (EmulatorUsageError.isInstance(error)) throw new UsageError(`emulator: ${error.message}`);
    throw error;
  }
  return EXIT_CODES.ok;
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    writeLine(io.stderr, `${COMMAND}: ${oneLine(error.message)} (see ${COMMAND} --help)`);
    return EXIT_CODES.usage;
  }
  if (error instanceof PingOneConfigError) {
    writeLine(io.stderr, `${COMMAND}: ${oneLine(namingFlags(error.message))}`);
    return EXIT_CODES.config;
  }
  const message = error instanceof Error ? error.message : String(error);
  writeLine(io.stderr, `${COMMAND}: ${oneLine(message)}`);
  // A PingOneApiError (the list failed) or anything unexpected: the operation did not happen.
  return EXIT_CODES.failed;
}

/** Settings errors name `pingone:x / PINGONE_X`; the CLI has no stack config, so name the flag instead. */
function namingFlags(message: string): string {
  let text = message;
  for (const { flag, field, envVar } of CONNECTION_FLAGS) {
    const configKey = SETTING_SOURCES.find((s) => s.field === field)?.configKey;
    if (configKey) text = text.split(`${configKey} / ${envVar}`).join(`--${flag} / ${envVar}`);
  }
  return text;
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

/** Secret values from the secret flags and variables; short values are left alone so masking cannot garble ordinary text. */
function secretValues(argv: string[], env: Record<string, string | undefined>): string[] {
  const secretFlags = CONNECTION_FLAGS.filter((f) => f.secret).map((f) => `--${f.flag}`);
  const values: string[] = [];
  argv.forEach((arg, i) => {
    for (const flag of secretFlags) {
      if (arg === flag && i + 1 < argv.length) values.push(argv[i + 1]);
      else if (arg.startsWith(`${flag}=`)) values.push(arg.slice(flag.length + 1));
    }
  });
  for (const { envVar, secret } of CONNECTION_FLAGS) if (secret && env[envVar]) values.push(env[envVar]!);
  return [...new Set(values.map((v) => v.trim()))].filter((v) => v.length >= 6);
}

function maskSecrets(io: CliIo, secrets: string[]): CliIo {
  if (secrets.length === 0) return io;
  const mask = (sink: TextSink): TextSink => ({
    write: (text: string) => sink.write(secrets.reduce((t, s) => t.split(s).join("***"), text)),
  });
  return { ...io, stdout: mask(io.stdout), stderr: mask(io.stderr) };
}

if (require.main === module) {
  void run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, isTTY: process.stdout.isTTY === true }).then((code) => {
    process.exitCode = code;
  });
}
