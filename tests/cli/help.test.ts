/**
 * `pingone-sessions` help and unknown options: each command answers `--help`,
 * `-h` and `help <command>` with its own usage; the global help lists the
 * commands; an unknown flag or command names the nearest known one when one
 * is close, and points at the command's own help. Exact texts and exit codes.
 */
import assert from "node:assert/strict";
import { EXIT_CODES } from "../../cli";
import { USAGE as EMULATOR_USAGE } from "../../emulator/cli";
import { editDistance, nearest } from "../../cli/options";
import { cli } from "./support";

/** The connection section every command's help ends its options with. */
const CONNECTION = `Connection: each flag, else its environment variable.
  --client-id ID                 PINGONE_CLIENT_ID                  worker application's client id
  --client-secret SECRET         PINGONE_CLIENT_SECRET              prefer the variable: ps shows flags
  --environment-id ID            PINGONE_ENVIRONMENT_ID             worker application's environment (token issuer)
  --region CODE                  PINGONE_REGION_CODE                NA (default), EU, CA, AP, AU or SG
  --api-access-token TOKEN       PINGONE_API_ACCESS_TOKEN           a bearer token instead of client credentials
  --api-url URL                  PINGONE_API_URL                    API base; plain http only to loopback
  --auth-url URL                 PINGONE_AUTH_URL                   authorization service base
  --token-auth-method METHOD     PINGONE_TOKEN_AUTH_METHOD          client_secret_basic (default) or client_secret_post
  --max-attempts N               PINGONE_MAX_ATTEMPTS               failed attempts per operation; 429s do not count (default 10)
  --operation-timeout-seconds S  PINGONE_OPERATION_TIMEOUT_SECONDS  deadline of one operation (default 600)
  --request-timeout-seconds S    PINGONE_REQUEST_TIMEOUT_SECONDS    deadline of one attempt (default 30)
  --retry-base-delay-seconds S   PINGONE_RETRY_BASE_DELAY_SECONDS   first backoff step (default 1)
  --retry-max-delay-seconds S    PINGONE_RETRY_MAX_DELAY_SECONDS    longest backoff wait (default 30)
  --max-retry-after-seconds S    PINGONE_MAX_RETRY_AFTER_SECONDS    longest Retry-After honoured (default 30)
  --max-concurrency N            PINGONE_MAX_CONCURRENCY            most requests in flight (default 32)
Proxy: HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY, read as curl reads them.`;

/** `pingone-sessions revoke --help`, as a person reads it. */
const REVOKE_HELP = `Usage: pingone-sessions revoke --environment ENV --user USER (--session SESSION | --all [--created-before TIME]) [--json]
       pingone-sessions revoke --environment ENV (--user USER ... | --users-file FILE) --all [--created-before TIME] [--json]

Revokes one session, or every session of one or more users (with --created-before,
only those created strictly before TIME). One client serves every user; a user
whose sessions cannot be listed is reported and the others are still revoked.
A session already gone is "already absent", which is success: running again is safe.

Options:
  --environment ENV      the environment holding the users (required)
  --user USER            a user id; repeat it for several users
  --users-file FILE      user ids, one a line (# comments and blank lines are ignored)
  --session SESSION      revoke this one session (of one user)
  --all                  revoke every session of the users
  --created-before TIME  with --all: only sessions created before TIME (ISO 8601 with a zone, such as 2026-11-28T12:00:00Z)
  --json                 print {"revoked","alreadyAbsent","failed","notAttempted","interrupted","users"} as one JSON document
  -h, --help             print this help

${CONNECTION}

Examples:
  pingone-sessions revoke --environment "$ENV" --user "$USER_ID" --session "$SESSION_ID"
  pingone-sessions revoke --environment "$ENV" --users-file compromised.txt --all --created-before 2026-11-28T12:00:00Z

Exit codes: 0 every session revoked or already absent, 1 some could not be revoked, 2 usage error, 3 configuration error, 130/143 interrupted.
`;

/** `pingone-sessions list --help`. */
const LIST_HELP = `Usage: pingone-sessions list --environment ENV --user USER [--json]

Lists the user's sessions, newest first: a table, or a JSON array.

Options:
  --environment ENV  the environment holding the users (required)
  --user USER        the user (required)
  --json             print a JSON array
  -h, --help         print this help

${CONNECTION}

Example:
  pingone-sessions list --environment "$ENV" --user "$USER_ID"

Exit codes: 0 listed, 1 the list failed, 2 usage error, 3 configuration error.
`;

/** The UUID the CLI's id errors give as an example. */
const EXAMPLE_ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

/** The list of commands in the global help, in the order a responder needs them. */
const COMMANDS_SECTION = `Commands:
  revoke    revoke one session, or every session of one or more users
  sweep     revoke the matching sessions of a population, a SCIM filter's users or every user
  access    what the worker application may revoke, before a run
  list      list a user's sessions, newest first
  emulator  run a local PingOne emulator (no tenant needed)
  help      this text, or a command's: help <command>
`;

/** Runs each command line: each exits 0, printing exactly `stdout` and nothing on stderr. */
async function assertEachPrints(argvs: string[][], stdout: string): Promise<void> {
  for (const argv of argvs)
    assert.deepEqual(await cli(argv, {}), { code: EXIT_CODES.ok, stdout, stderr: "" }, argv.join(" "));
}

/** What `command` prints for the unknown option `typed`, with `suggestion` when one is close; the first case spells it out. */
function unknownOption(command: string, typed: string, suggestion?: string): string {
  const didYouMean = suggestion === undefined ? "" : `; did you mean ${suggestion}?`;
  return `pingone-sessions: ${command}: unknown option ${typed}${didYouMean} (see pingone-sessions ${command} --help)\n`;
}

/** The options a help text lists under "Options:", as `[name, takes a value]`. */
function listedOptions(help: string): Array<[string, boolean]> {
  const section = help.split("\nOptions:\n")[1]?.split("\n\n")[0] ?? "";
  return section.split("\n").map((line) => {
    const match = /^ {2}(?:-\w, )?--([a-z-]+)( \S+)?/.exec(line);
    assert.ok(match, `not an option line: ${JSON.stringify(line)}`);
    return [match[1], match[2] !== undefined];
  });
}

describe("pingone-sessions help", () => {
  describe("each command answers --help, -h and help <command> with its own usage", () => {
    it("revoke: its forms, description, options, the connection flags, examples and exit codes, exactly", async () => {
      await assertEachPrints(
        [
          ["revoke", "--help"],
          ["revoke", "-h"],
          ["help", "revoke"],
        ],
        REVOKE_HELP,
      );
    });

    it("list: exactly its own options, and --help wins over the other flags given with it", async () => {
      await assertEachPrints(
        [
          ["list", "--help"],
          ["help", "list"],
          ["list", "--environment", "prod", "--json", "-h"],
        ],
        LIST_HELP,
      );
    });

    it("sweep and access: their own usage line, the same for --help, -h and help <command>, and different from every other command's", async () => {
      const seen = new Map<string, string>();
      for (const command of ["revoke", "sweep", "access", "list"]) {
        const forms = await Promise.all(
          [
            [command, "--help"],
            [command, "-h"],
            ["help", command],
          ].map((argv) => cli(argv, {})),
        );
        for (const form of forms)
          assert.deepEqual({ code: form.code, stderr: form.stderr }, { code: EXIT_CODES.ok, stderr: "" }, command);
        assert.equal(
          new Set(forms.map((f) => f.stdout)).size,
          1,
          `${command}: --help, -h and help ${command} print the same`,
        );
        assert.ok(forms[0].stdout.startsWith(`Usage: pingone-sessions ${command} --environment ENV`), forms[0].stdout);
        seen.set(command, forms[0].stdout);
      }
      assert.equal(new Set(seen.values()).size, 4, "four different texts");
      assert.deepEqual(
        listedOptions(seen.get("sweep") ?? "").map(([name]) => name),
        [
          "environment",
          "population",
          "filter",
          "all-users",
          "created-before",
          "last-sign-on-before",
          "remote-ip",
          "shard",
          "shard-from-env",
          "shard-count",
          "local-address",
          "dry-run",
          "report",
          "yes",
          "json",
          "help",
        ],
      );
      assert.deepEqual(
        listedOptions(seen.get("access") ?? "").map(([name]) => name),
        ["environment", "user", "population", "json", "help"],
      );
      const sweepExample =
        '  pingone-sessions sweep --environment "$ENV" --population "$POPULATION_ID" --remote-ip 203.0.113.0/24 --dry-run';
      assert.ok((seen.get("sweep") ?? "").includes(`\nExamples:\n${sweepExample}\n`), seen.get("sweep"));
      const accessExit =
        "Exit codes: 0 it may, 1 it may not or its role assignments cannot be read, 2 usage error, 3 configuration error.";
      assert.ok((seen.get("access") ?? "").endsWith(`\n${accessExit}\n`), seen.get("access"));
    });

    it("every option a command's help lists is one its command line accepts (the help and the parser read one table)", async () => {
      for (const command of ["revoke", "sweep", "access", "list"]) {
        const help = (await cli([command, "--help"], {})).stdout;
        const argvs = listedOptions(help).map(([name, takesValue]) => [
          command,
          takesValue ? `--${name}=x` : `--${name}`,
          "--help",
        ]);
        await assertEachPrints(argvs, help);
      }
    });

    it("emulator: its own usage, from pingone-sessions emulator --help and help emulator", async () => {
      await assertEachPrints(
        [
          ["emulator", "--help"],
          ["help", "emulator"],
          ["emulator", "-h"],
        ],
        `${EMULATOR_USAGE}\n`,
      );
      assert.match(EMULATOR_USAGE, /\n {2}--port P {16}TCP port \(default 0: pick a free one\)\n/);
    });
  });

  describe("the global help", () => {
    it("lists the commands, and says how to get a command's help; --help, -h, help, help help and no arguments print it", async () => {
      const outputs = await Promise.all(
        [["--help"], ["-h"], ["help"], ["help", "help"], []].map((argv) => cli(argv, {})),
      );
      for (const result of outputs)
        assert.deepEqual({ code: result.code, stderr: result.stderr }, { code: EXIT_CODES.ok, stderr: "" });
      assert.equal(new Set(outputs.map((r) => r.stdout)).size, 1);
      const text = outputs[0].stdout;
      assert.ok(
        text.startsWith(
          "Usage: pingone-sessions <command> [options]\n" +
            "       pingone-sessions <command> --help     (or pingone-sessions help <command>) for a command's options\n",
        ),
        text,
      );
      assert.ok(text.includes(`\n${COMMANDS_SECTION}\n`), text);
      assert.ok(text.includes(`\n${CONNECTION.split("\nProxy:")[0]}\n`), "the connection flags with their variables");
    });
  });

  describe("an unknown flag: exit 2, the nearest known one when one is close, the command's help", () => {
    const cases: Array<{ argv: string[]; stderr: string }> = [
      {
        argv: ["revoke", "--enviroment", "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f", "--all"],
        stderr:
          "pingone-sessions: revoke: unknown option --enviroment; did you mean --environment? (see pingone-sessions revoke --help)\n",
      },
      { argv: ["sweep", "--dryrun"], stderr: unknownOption("sweep", "--dryrun", "--dry-run") },
      {
        argv: ["sweep", "--remote-ip=10.0.0.0/8", "--last-signon-before=x"],
        stderr: unknownOption("sweep", "--last-signon-before", "--last-sign-on-before"),
      },
      { argv: ["access", "--populaiton", "x"], stderr: unknownOption("access", "--populaiton", "--population") },
      { argv: ["list", "--jsno"], stderr: unknownOption("list", "--jsno", "--json") },
      { argv: ["revoke", "--max-attemps", "3"], stderr: unknownOption("revoke", "--max-attemps", "--max-attempts") },
      { argv: ["revoke", "--Users-File", "x"], stderr: unknownOption("revoke", "--Users-File", "--users-file") },
      // Nothing close: no suggestion. --population is sweep's and access's, not revoke's.
      { argv: ["revoke", "--frobnicate"], stderr: unknownOption("revoke", "--frobnicate") },
      { argv: ["revoke", "--population", "x"], stderr: unknownOption("revoke", "--population") },
      { argv: ["sweep", "-x"], stderr: unknownOption("sweep", "-x") },
      { argv: ["emulator", "--prot", "8080"], stderr: unknownOption("emulator", "--prot", "--port") },
      { argv: ["emulator", "--sede", "demo"], stderr: unknownOption("emulator", "--sede", "--seed") },
      // Other mistakes in a command's command line point at its help too.
      {
        argv: ["revoke", "--environment", "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f", "--all"],
        stderr: `pingone-sessions: --user is required: a PingOne id (a UUID such as ${EXAMPLE_ID}) (see pingone-sessions revoke --help)\n`,
      },
      {
        argv: ["sweep", "--dry-run=yes"],
        stderr: "pingone-sessions: sweep: --dry-run takes no value (see pingone-sessions sweep --help)\n",
      },
    ];
    for (const c of cases) {
      it(c.argv.join(" "), async () => {
        assert.deepEqual(await cli(c.argv, {}), { code: EXIT_CODES.usage, stdout: "", stderr: c.stderr });
      });
    }
  });

  describe("an unknown command: exit 2, the nearest command when one is close, the global help", () => {
    const cases: Array<{ argv: string[]; stderr: string }> = [
      {
        argv: ["swep", "--all-users"],
        stderr: 'pingone-sessions: unknown command "swep"; did you mean sweep? (see pingone-sessions --help)\n',
      },
      {
        argv: ["Revoke"],
        stderr: 'pingone-sessions: unknown command "Revoke"; did you mean revoke? (see pingone-sessions --help)\n',
      },
      { argv: ["purge"], stderr: 'pingone-sessions: unknown command "purge" (see pingone-sessions --help)\n' },
      {
        argv: ["help", "acess"],
        stderr: 'pingone-sessions: help: unknown command "acess"; did you mean access? (see pingone-sessions --help)\n',
      },
      {
        argv: ["help", "revoke", "sweep"],
        stderr:
          'pingone-sessions: help: unexpected argument "sweep" (help takes one command) (see pingone-sessions --help)\n',
      },
      {
        argv: ["--all", "revoke"],
        stderr:
          "pingone-sessions: expected a command (revoke, sweep, access, list, emulator, help) before --all (see pingone-sessions --help)\n",
      },
    ];
    for (const c of cases) {
      it(c.argv.join(" "), async () => {
        assert.deepEqual(await cli(c.argv, {}), { code: EXIT_CODES.usage, stdout: "", stderr: c.stderr });
      });
    }
  });

  describe("nearest and editDistance", () => {
    it("counts inserts, deletes, replacements and a swap of neighbours as one edit each", () => {
      assert.deepEqual(
        [
          ["environment", "environment"],
          ["enviroment", "environment"],
          ["dryrun", "dry-run"],
          ["prot", "port"],
          ["jsno", "json"],
          ["", "all"],
        ].map(([a, b]) => editDistance(a, b)),
        [0, 1, 1, 1, 1, 3],
      );
      assert.equal(editDistance("created-after", "created-before"), 4);
    });

    it("suggests within a quarter of the typed length (at least one edit), the closest first, a tie to the first listed", () => {
      assert.equal(nearest("enviroment", ["json", "environment", "environment-id"]), "environment");
      assert.equal(nearest("environmentid", ["environment", "environment-id"]), "environment-id");
      assert.equal(nearest("created-after", ["created-before"]), undefined, "4 edits in 13 letters is not close");
      assert.equal(nearest("al", ["all"]), "all");
      assert.equal(nearest("xy", ["all"]), undefined);
      assert.equal(nearest("ab", ["ac", "ad"]), "ac", "a tie goes to the first listed");
      assert.equal(nearest("x", []), undefined);
    });
  });
});
