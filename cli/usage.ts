/**
 * The commands of `pingone-sessions` and their options, in one table each
 * (`COMMAND_SPECS`): the command line is parsed with it, `--help` prints it
 * and an unknown option's suggestion is looked up in it. Also the connection
 * flags, derived from the provider's own settings table, and the help texts.
 */
import { ConnectionOptions, SETTING_SOURCES, SettingName } from "../provider/client/settings";
import { SHARD_VARIABLES } from "./args";
import { CONFIRM_ABOVE } from "./commands/sweep";
import { columns, OptionSpec, optionLines } from "./options";
import { formatCount } from "./output";

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

/** A connection flag's placeholder and help line. */
function connectionHelp(field: keyof ConnectionOptions): [value: string, help: string] {
  return FLAG_HELP[field] ?? [field.endsWith("Seconds") ? "S" : "VALUE", ""];
}

/** An option that takes a value, `--name VALUE`; `multiple` when each of several is kept. */
function valued(name: string, value: string, help: string, multiple?: true): OptionSpec {
  return { name, type: "string", value, help, ...(multiple && { multiple }) };
}

/** A switch, `--name`, which takes no value. */
function toggle(name: string, help: string): OptionSpec {
  return { name, type: "boolean", help };
}

/** Every command takes the connection flags, each with a value. */
const CONNECTION_OPTIONS: readonly OptionSpec[] = CONNECTION_FLAGS.map(({ flag, field }) =>
  valued(flag, ...connectionHelp(field)),
);

/** `--environment`, which every command takes first. */
const ENVIRONMENT = valued("environment", "ENV", "the environment holding the users (required)");

/** `-h`, `--help`, which every command takes last. */
const HELP: OptionSpec = { name: "help", type: "boolean", short: "h", help: "print this help" };

/** `--json`, saying what the command prints with it. */
function json(help: string): OptionSpec {
  return toggle("json", help);
}

/** The form of a TIME (`--created-before`, `--last-sign-on-before`), as the help spells it out. */
const TIME_FORMAT = "ISO 8601 with a zone, such as 2026-11-28T12:00:00Z";

/** A command that talks to PingOne, as `--help` presents it and as its command line is parsed. */
export interface CommandSpec {
  /** What follows `pingone-sessions`. */
  name: string;
  /** One line, for the list of commands. */
  summary: string;
  /** The forms of its command line, after `pingone-sessions <name> `. */
  synopsis: string[];
  /** What it does, a few lines wrapped at 80 columns. */
  description: string;
  /** Its own options (the connection flags are added to each); the only list of them. */
  options: readonly OptionSpec[];
  /** Command lines to copy, after `pingone-sessions <name> `. */
  examples: string[];
  /** Its exit codes, on one line. */
  exitCodes: string;
}

/** The commands that talk to PingOne, in the order a responder needs them; their tables are the only lists of their options. */
export const COMMAND_SPECS = [
  {
    name: "revoke",
    summary: "revoke one session, or every session of one or more users",
    synopsis: [
      "--environment ENV --user USER (--session SESSION | --all [--created-before TIME]) [--json]",
      "--environment ENV (--user USER ... | --users-file FILE) --all [--created-before TIME] [--json]",
    ],
    description: `Revokes one session, or every session of one or more users (with --created-before,
only those created strictly before TIME). One client serves every user; a user
whose sessions cannot be listed is reported and the others are still revoked.
A session already gone is "already absent", which is success: running again is safe.`,
    options: [
      ENVIRONMENT,
      valued("user", "USER", "a user id; repeat it for several users", true),
      valued("users-file", "FILE", "user ids, one a line (# comments and blank lines are ignored)"),
      valued("session", "SESSION", "revoke this one session (of one user)"),
      toggle("all", "revoke every session of the users"),
      valued("created-before", "TIME", `with --all: only sessions created before TIME (${TIME_FORMAT})`),
      json('print {"revoked","alreadyAbsent","failed","notAttempted","interrupted","users"} as one JSON document'),
      HELP,
    ],
    examples: [
      '--environment "$ENV" --user "$USER_ID" --session "$SESSION_ID"',
      '--environment "$ENV" --users-file compromised.txt --all --created-before 2026-11-28T12:00:00Z',
    ],
    exitCodes:
      "0 every session revoked or already absent, 1 some could not be revoked, 2 usage error, 3 configuration error, 130/143 interrupted",
  },
  {
    name: "sweep",
    summary: "revoke the matching sessions of a population, a SCIM filter's users or every user",
    synopsis: [
      "--environment ENV (--population POPULATION | --filter SCIM | --all-users)",
      "[--created-before TIME] [--last-sign-on-before TIME] [--remote-ip CIDR ...]",
      "[--shard I/N | --shard-from-env [--shard-count N]] [--local-address IP]",
      "[--dry-run] [--report FILE] [--yes] [--json]",
    ],
    description: `Revokes the sessions of every user selected (exactly one of --population,
--filter and --all-users) that match every criterion given (none: every session).
Without --yes it counts first and, above ${formatCount(CONFIRM_ABOVE)} sessions, asks on a terminal
or refuses (exit 2). Interrupted, it reports what was done; running it again finishes.`,
    options: [
      ENVIRONMENT,
      valued("population", "POPULATION", "the users of this population"),
      valued("filter", "SCIM", `the users a PingOne SCIM filter selects, such as 'username sw "contractor-"'`),
      toggle("all-users", "every user of the environment (never implied)"),
      valued("created-before", "TIME", `only sessions created before TIME (${TIME_FORMAT})`),
      valued("last-sign-on-before", "TIME", "only sessions last signed on before TIME"),
      valued("remote-ip", "CIDR", "only sessions signed on from this IPv4 or IPv6 range; repeatable", true),
      valued("shard", "I/N", "only shard I (from 0) of N, split by a hash of the user id"),
      toggle(
        "shard-from-env",
        `the shard from ${SHARD_VARIABLES.index[0]}, else ${SHARD_VARIABLES.index[1]} (a Kubernetes Indexed Job)`,
      ),
      valued("shard-count", "N", `with --shard-from-env: the number of shards (else ${SHARD_VARIABLES.count})`),
      valued("local-address", "IP", "send from this address of the machine"),
      toggle("dry-run", "list what would be revoked; delete nothing"),
      valued("report", "FILE", "append one JSON line per session acted on, then the summary (mode 0600)"),
      toggle("yes", `skip the count, and the question above ${formatCount(CONFIRM_ABOVE)} sessions`),
      json('print {"failures","summary"} as one JSON document ({"matched","failures","summary"} with --dry-run)'),
      HELP,
    ],
    examples: [
      '--environment "$ENV" --population "$POPULATION_ID" --remote-ip 203.0.113.0/24 --dry-run',
      '--environment "$ENV" --all-users --created-before 2026-11-28T12:00:00Z --yes --report sweep.jsonl',
    ],
    exitCodes:
      "0 everything matching revoked, 1 some sessions or users failed, 2 usage error or not confirmed, 3 configuration error, 130/143 interrupted",
  },
  {
    name: "access",
    summary: "what the worker application may revoke, before a run",
    synopsis: ["--environment ENV [--user USER | --population POPULATION] [--json]"],
    description: `What the worker application may revoke in the environment: its Identity Data
Admin scopes (with population names) and, for a user or a population, yes or no
with the reason. It sends reads only: a pre-flight step before pulumi up or a sweep.`,
    options: [
      ENVIRONMENT,
      valued("user", "USER", "may it revoke this user's sessions?", true),
      valued("population", "POPULATION", "may it revoke the sessions of this population's users?"),
      json('print {"may","reason","scopes","population","refusal",...} as one JSON document'),
      HELP,
    ],
    examples: ['--environment "$ENV" --population "$POPULATION_ID"'],
    exitCodes: "0 it may, 1 it may not or its role assignments cannot be read, 2 usage error, 3 configuration error",
  },
  {
    name: "list",
    summary: "list a user's sessions, newest first",
    synopsis: ["--environment ENV --user USER [--json]"],
    description: "Lists the user's sessions, newest first: a table, or a JSON array.",
    options: [ENVIRONMENT, valued("user", "USER", "the user (required)", true), json("print a JSON array"), HELP],
    examples: ['--environment "$ENV" --user "$USER_ID"'],
    exitCodes: "0 listed, 1 the list failed, 2 usage error, 3 configuration error",
  },
] as const satisfies readonly CommandSpec[];

/** One of the commands that talk to PingOne. */
export type Command = (typeof COMMAND_SPECS)[number]["name"];

/** The commands that talk to PingOne, by name. */
export const COMMANDS: readonly Command[] = COMMAND_SPECS.map((spec) => spec.name);

/** Whether `name` is one of `COMMANDS`. */
export function isCommand(name: string): name is Command {
  return (COMMANDS as readonly string[]).includes(name);
}

/** Every option `command` takes: its own, then the connection flags. What it is parsed with, and what its help lists. */
export function optionTable(command: Command): readonly OptionSpec[] {
  return [...specOf(command).options, ...CONNECTION_OPTIONS];
}

function specOf(command: Command): CommandSpec {
  return COMMAND_SPECS.find((spec) => spec.name === command) as CommandSpec;
}

/** The connection flags as help lines: flag, variable, what it sets. */
function connectionLines(): string[] {
  return columns(
    CONNECTION_FLAGS.map(({ flag, field, envVar }) => {
      const [value, help] = connectionHelp(field);
      return [`--${flag} ${value}`, envVar, help];
    }),
  );
}

/** The help of one command (`pingone-sessions revoke --help`): its forms, what it does, its options, the connection flags, examples, exit codes. */
export function commandUsage(command: Command): string {
  const spec = specOf(command);
  const prefix = `${COMMAND} ${spec.name} `;
  // Later forms line up under the first; a form that continues the one before it (it starts with "[") is indented past the command.
  const later = (form: string) => `${" ".repeat(7)}${form.startsWith("[") ? " ".repeat(prefix.length) : prefix}${form}`;
  const synopsis = spec.synopsis.map((form, i) => (i === 0 ? `Usage: ${prefix}${form}` : later(form)));
  return [
    ...synopsis,
    "",
    spec.description,
    "",
    "Options:",
    ...optionLines(spec.options),
    "",
    "Connection: each flag, else its environment variable.",
    ...connectionLines(),
    "Proxy: HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY, read as curl reads them.",
    "",
    spec.examples.length === 1 ? "Example:" : "Examples:",
    ...spec.examples.map((example) => `  ${prefix}${example}`),
    "",
    `Exit codes: ${spec.exitCodes}.`,
  ].join("\n");
}

/** The commands, a line each: those of `COMMAND_SPECS`, then `emulator` and `help`. */
function commandLines(): string[] {
  const others = [
    ["emulator", "run a local PingOne emulator (no tenant needed)"],
    ["help", "this text, or a command's: help <command>"],
  ];
  return columns([...COMMAND_SPECS.map((spec) => [spec.name, spec.summary]), ...others]);
}

/** The help of `pingone-sessions` itself (`--help`, `help`, no arguments): the commands, the connection flags, output, exit codes. */
export const USAGE = `Usage: ${COMMAND} <command> [options]
       ${COMMAND} <command> --help     (or ${COMMAND} help <command>) for a command's options

Lists and revokes PingOne user sessions with the same client (settings,
retries, pacing, error messages) as the pulumi-pingone-sessions provider.

Commands:
${commandLines().join("\n")}

--version prints the version.

--environment is the environment holding the users; --environment-id is the
worker application's environment, where tokens are issued (often the same id).

Connection: each flag, else its environment variable.
${connectionLines().join("\n")}

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
