/**
 * The pingone-sessions CLI, run in-process against the emulator over real
 * HTTP on loopback: exit codes, exact messages, what reached the emulator,
 * and what did not.
 */
import assert from "node:assert/strict";
import { DEMO, RunningEmulator, startEmulator } from "../../emulator";
import { CONNECTION_FLAGS, EXIT_CODES, run } from "../../cli";
import { PACKAGE_VERSION } from "../../provider/client/version";
import { SENTINEL_SECRET, startWorld, World } from "../support/world";
import { cli, emulatorEnv } from "./support";

const HINT = " (see pingone-sessions --help)\n";
/** The end of a usage error's line within a command: a pointer to that command's help. */
const hintOf = (command: string) => ` (see pingone-sessions ${command} --help)\n`;

describe("pingone-sessions CLI", () => {
  let world: World;
  let env: Record<string, string>;
  beforeEach(async () => {
    world = await startWorld();
    env = world.env;
  });
  afterEach(async () => {
    await world.stop();
  });

  const target = () => ["--environment", world.environmentId, "--user", world.userId];
  const sessionsLeft = () => world.emulator.state.listSessions(world.environmentId, world.userId).map((s) => s.id);

  describe("usage errors: exit 2, one stderr line naming the flag, nothing sent", () => {
    const cases: { name: string; argv: () => string[]; message: string }[] = [
      {
        name: "unknown flag",
        argv: () => ["list", ...target(), "--frobnicate"],
        message: "list: unknown option --frobnicate",
      },
      {
        name: "missing --user",
        argv: () => ["list", "--environment", world.environmentId],
        message: "--user is required: a PingOne id (a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e)",
      },
      {
        name: "flag without its value",
        argv: () => ["list", "--environment", world.environmentId, "--user"],
        message: "list: --user needs a value",
      },
      {
        name: "--session and --all together",
        argv: () => ["revoke", ...target(), "--session", world.sessionIds[0], "--all"],
        message: "--session and --all exclude each other: revoke one session or all of them",
      },
      {
        name: "neither --session nor --all",
        argv: () => ["revoke", ...target()],
        message: "say which sessions to revoke: --session S for one, or --all for every session of the user",
      },
      {
        name: "non-UUID --session",
        argv: () => ["revoke", ...target(), "--session", "../../admin"],
        message:
          '--session must be a PingOne id (a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e); got "../../admin"',
      },
      {
        name: "non-UUID --environment",
        argv: () => ["list", "--environment", "prod", "--user", world.userId],
        message: '--environment must be a PingOne id (a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e); got "prod"',
      },
      {
        name: "--created-before without --all",
        argv: () => [
          "revoke",
          ...target(),
          "--session",
          world.sessionIds[0],
          "--created-before",
          "2026-01-01T00:00:00Z",
        ],
        message: "--created-before applies only with --all",
      },
      {
        name: "--created-before that is not a time",
        argv: () => ["revoke", ...target(), "--all", "--created-before", "yesterday"],
        message:
          '--created-before must be an ISO 8601 date-time with a time zone, such as 2026-11-28T12:00:00Z; got "yesterday"',
      },
      { name: "unknown command", argv: () => ["purge", ...target()], message: 'unknown command "purge"' },
      {
        name: "stray argument",
        argv: () => ["list", ...target(), "extra"],
        message: 'list: unexpected argument "extra"',
      },
    ];
    for (const c of cases) {
      it(`${c.name}`, async () => {
        const result = await cli(c.argv(), env);
        assert.equal(result.code, EXIT_CODES.usage);
        assert.equal(
          result.stderr,
          `pingone-sessions: ${c.message}${c.name === "unknown command" ? HINT : hintOf(c.argv()[0])}`,
        );
        assert.equal(result.stdout, "");
        assert.deepEqual(world.emulator.requests(), []);
      });
    }
  });

  describe("configuration errors: exit 3, before any request", () => {
    it("no credentials names PINGONE_CLIENT_SECRET and the flags", async () => {
      const result = await cli(["list", ...target()], {
        PINGONE_API_URL: world.emulator.apiUrl,
        PINGONE_AUTH_URL: world.emulator.authUrl,
      });
      assert.equal(result.code, EXIT_CODES.config);
      assert.match(
        result.stderr,
        /^pingone-sessions: PingOne credentials are missing: set --client-id \/ PINGONE_CLIENT_ID, --client-secret \/ PINGONE_CLIENT_SECRET, /,
      );
      assert.equal(result.stderr.split("\n").length, 2, "one line");
      assert.deepEqual(world.emulator.requests(), []);
    });

    it("an unknown region in the environment", async () => {
      const result = await cli(["list", ...target()], { ...env, PINGONE_REGION_CODE: "MARS" });
      assert.equal(result.code, EXIT_CODES.config);
      assert.equal(
        result.stderr,
        'pingone-sessions: Unknown PingOne region "MARS" (--region / PINGONE_REGION_CODE): use one of NA, EU, CA, AP, AU, SG.\n',
      );
    });

    it("plain http to a host that is not loopback", async () => {
      const result = await cli(["list", ...target(), "--api-url", "http://api.example.com"], env);
      assert.equal(result.code, EXIT_CODES.config);
      assert.match(
        result.stderr,
        /--api-url \/ PINGONE_API_URL "http:\/\/api\.example\.com" uses http:\/\/: https:\/\/ is required/,
      );
      assert.deepEqual(world.emulator.requests(), []);
    });
  });

  describe("list", () => {
    it("prints a table, newest first, and the count", async () => {
      const result = await cli(["list", ...target()], env);
      assert.equal(result.code, EXIT_CODES.ok);
      const lines = result.stdout.trimEnd().split("\n");
      assert.match(lines[0], /^id\s+createdAt\s+lastSignOn\.at\s+browser\s+remoteIp$/);
      assert.deepEqual(
        lines.slice(1, 4).map((l) => l.split(/\s+/)[0]),
        [...world.sessionIds].reverse(),
      );
      assert.equal(lines[4], `3 sessions of user ${world.userId} in environment ${world.environmentId}.`);
      assert.equal(result.stderr, "");
    });

    it("--json prints PingOne's sessions as a JSON array", async () => {
      const result = await cli(["list", ...target(), "--json"], env);
      assert.equal(result.code, EXIT_CODES.ok);
      const sessions = JSON.parse(result.stdout) as { id: string; createdAt: string }[];
      assert.deepEqual(
        sessions.map((s) => s.id),
        [...world.sessionIds].reverse(),
      );
      assert.ok(sessions.every((s) => typeof s.createdAt === "string"));
    });

    it("connection flags take precedence over PINGONE_* variables", async () => {
      const result = await cli(["list", ...target(), "--api-url", world.emulator.apiUrl], {
        ...env,
        PINGONE_API_URL: "http://127.0.0.1:9/v1",
      });
      assert.equal(result.code, EXIT_CODES.ok);
      assert.equal(world.apiRequests().length, 1);
    });

    it("an unknown user is a failed call (exit 1) with PingOne's 404 explained", async () => {
      const result = await cli(
        ["list", "--environment", world.environmentId, "--user", "0f8fad5b-d9cb-469f-a165-70867728950e"],
        env,
      );
      assert.equal(result.code, EXIT_CODES.failed);
      assert.match(
        result.stderr,
        /^pingone-sessions: Could not list sessions .*HTTP 404 NOT_FOUND.*The user does not exist in this environment/,
      );
      assert.equal(result.stdout, "");
    });
  });

  describe("revoke", () => {
    it("one session: revoked, gone from PingOne, one DELETE", async () => {
      const [gone, ...kept] = world.sessionIds;
      const result = await cli(["revoke", ...target(), "--session", gone], env);
      assert.equal(result.code, EXIT_CODES.ok);
      assert.equal(
        result.stdout,
        `revoked ${gone}\nRevoked 1, already absent 0, failed 0 (of 1 session of user ${world.userId} in environment ${world.environmentId}).\n`,
      );
      assert.deepEqual(sessionsLeft().sort(), [...kept].sort());
      assert.deepEqual(
        world.apiRequests().map((r) => `${r.method} ${r.status}`),
        ["DELETE 204"],
      );
    });

    it("a session already gone is success: already absent, exit 0", async () => {
      await cli(["revoke", ...target(), "--session", world.sessionIds[0]], env);
      const result = await cli(["revoke", ...target(), "--session", world.sessionIds[0], "--json"], env);
      assert.equal(result.code, EXIT_CODES.ok);
      assert.deepEqual(JSON.parse(result.stdout), {
        revoked: [],
        alreadyAbsent: [world.sessionIds[0]],
        failed: [],
        notAttempted: [],
        interrupted: null,
        users: [
          {
            userId: world.userId,
            revoked: [],
            alreadyAbsent: [world.sessionIds[0]],
            failed: [],
            notAttempted: [],
            error: null,
          },
        ],
      });
      const text = await cli(["revoke", ...target(), "--session", world.sessionIds[0]], env);
      assert.equal(text.stdout.split("\n")[0], `already absent ${world.sessionIds[0]}`);
    });

    it("--all --created-before revokes only the older sessions (strictly before)", async () => {
      const newest = world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[2])!;
      const result = await cli(["revoke", ...target(), "--all", "--created-before", newest.createdAt, "--json"], env);
      assert.equal(result.code, EXIT_CODES.ok);
      const report = JSON.parse(result.stdout) as { revoked: string[]; alreadyAbsent: string[]; failed: unknown[] };
      assert.deepEqual(report.revoked.sort(), world.sessionIds.slice(0, 2).sort());
      assert.deepEqual(sessionsLeft(), [world.sessionIds[2]]);
    });

    it("--all in a terminal draws a progress bar on stderr; piped, plain lines only", async () => {
      const tty = await cli(["revoke", ...target(), "--all"], env, { stderrIsTTY: true });
      assert.equal(tty.code, EXIT_CODES.ok);
      assert.ok(tty.stderr.startsWith("\r[..........] 0/3"), JSON.stringify(tty.stderr));
      assert.ok(tty.stderr.includes("\r[##########] 3/3"));
      assert.ok(tty.stderr.endsWith("\r\x1b[K"), "the bar is erased");
      assert.equal(tty.stdout.split("\n").filter((l) => l.startsWith("revoked ")).length, 3);

      world.emulator.state.addSession(world.environmentId, world.userId);
      const piped = await cli(["revoke", ...target(), "--all"], env);
      assert.equal(piped.stderr, "");
      assert.ok(!piped.stdout.includes("\r"));
    });

    it("--all for a user who does not exist has nothing to revoke (exit 0), as in the provider", async () => {
      const result = await cli(
        [
          "revoke",
          "--environment",
          world.environmentId,
          "--user",
          "0f8fad5b-d9cb-469f-a165-70867728950e",
          "--all",
          "--json",
        ],
        env,
      );
      assert.equal(result.code, EXIT_CODES.ok);
      const nobody = "0f8fad5b-d9cb-469f-a165-70867728950e";
      assert.deepEqual(JSON.parse(result.stdout), {
        revoked: [],
        alreadyAbsent: [],
        failed: [],
        notAttempted: [],
        interrupted: null,
        users: [{ userId: nobody, revoked: [], alreadyAbsent: [], failed: [], notAttempted: [], error: null }],
      });
    });
  });

  describe("secrets", () => {
    it("never prints the client secret, in success, failure or a message that would echo it", async () => {
      const runs = [
        await cli(["list", ...target()], env),
        await cli(["revoke", ...target(), "--all"], env),
        await cli(["list", ...target(), "--client-id", "0f8fad5b-d9cb-469f-a165-70867728950e"], env), // token refused
        await cli(["list", ...target()], { ...env, PINGONE_API_ACCESS_TOKEN: "another-token-value" }), // both kinds set
        await cli(["list", ...target(), "--region", SENTINEL_SECRET], env), // the region error quotes its value
        await cli(["list", ...target(), `--client-secret=${SENTINEL_SECRET}`, "--region", SENTINEL_SECRET], {}),
      ];
      assert.deepEqual(
        runs.map((r) => r.code),
        [0, 0, 1, 3, 3, 3],
      );
      for (const r of runs) {
        assert.ok(!`${r.stdout}${r.stderr}`.includes(SENTINEL_SECRET), `secret printed: ${r.stdout}${r.stderr}`);
      }
      assert.equal(
        runs[4].stderr,
        'pingone-sessions: Unknown PingOne region "[redacted]" (--region / PINGONE_REGION_CODE): use one of NA, EU, CA, AP, AU, SG.\n',
      );
    });

    it("masks a secret given by flag or variable in every form it can come back in: as is, URL-encoded, form-encoded, HTTP Basic", async () => {
      const secret = "s3cr3t/with+reserved&chars=? and a space";
      const { clientId } = world.emulator.state.addApplication({
        environmentId: world.environmentId,
        clientSecret: secret,
        roles: [{ role: "Identity Data Administrator", environmentId: world.environmentId }],
      });
      const byVariable = { ...env, PINGONE_CLIENT_ID: clientId, PINGONE_CLIENT_SECRET: secret };
      assert.equal(
        (await cli(["list", ...target()], byVariable)).code,
        EXIT_CODES.ok,
        "the secret works: Basic with form-encoded id and secret",
      );

      const forms = {
        plain: secret,
        urlEncoded: encodeURIComponent(secret),
        formEncoded: new URLSearchParams({ s: secret }).toString().slice(2),
        basic: Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64"),
      };
      assert.equal(new Set(Object.values(forms)).size, 4, "four distinct forms");
      for (const [name, form] of Object.entries(forms)) {
        // An unknown command is echoed whole: the one place a value reaches the output uncut.
        const viaVariable = await cli([form], byVariable);
        const viaFlags = await cli([form, "--client-id", clientId, `--client-secret=${secret}`], {});
        for (const result of [viaVariable, viaFlags]) {
          assert.equal(result.code, EXIT_CODES.usage, name);
          assert.equal(result.stderr, `pingone-sessions: unknown command "[redacted]"${HINT}`, name);
        }
      }
    });
  });

  describe("a worker application scoped to one population (demo story)", () => {
    let demo: RunningEmulator;
    let demoEnv: Record<string, string>;
    before(async () => {
      demo = await startEmulator({ seed: "demo" });
      demoEnv = emulatorEnv(demo, DEMO);
    });
    after(async () => {
      await demo.stop();
    });
    const carol = ["--environment", DEMO.environmentId, "--user", DEMO.users.carol];

    it("a user outside the population: exit 1, the role named on stderr, status and code in --json failed[]", async () => {
      const sessionId = DEMO.sessions.carol[0];
      const result = await cli(["revoke", ...carol, "--session", sessionId, "--json"], demoEnv);
      assert.equal(result.code, EXIT_CODES.failed);
      const report = JSON.parse(result.stdout) as {
        revoked: string[];
        alreadyAbsent: string[];
        failed: { sessionId: string; status: number; code: string; id: string; message: string }[];
      };
      assert.deepEqual(report.revoked, []);
      assert.equal(report.failed.length, 1);
      assert.equal(report.failed[0].sessionId, sessionId);
      assert.equal(report.failed[0].status, 403);
      assert.equal(report.failed[0].code, "ACCESS_FAILED");
      assert.match(report.failed[0].id, /^[0-9a-f-]{36}$/);
      assert.equal(result.stderr.split("\n").length, 2, "one line");
      assert.ok(result.stderr.startsWith(`failed ${sessionId}: Could not revoke session`));
      assert.match(
        result.stderr,
        /INSUFFICIENT_PERMISSIONS .*holds Identity Data Admin for population "Staff" \(de000000-0000-4000-8001-000000000001\) of environment de000000-0000-4000-8000-000000000001; user de000000-0000-4000-8002-0000000ca201 is in population "Contractors" \(de000000-0000-4000-8001-000000000002\): assign the role for "Contractors" \(de000000-0000-4000-8001-000000000002\), or at environment level\./,
      );
      assert.equal(demo.state.listSessions(DEMO.environmentId, DEMO.users.carol).length, 2);
    });

    it("--all for that user fails at the list: exit 1, nothing on stdout, the 403 on stderr", async () => {
      const result = await cli(["revoke", ...carol, "--all"], demoEnv);
      assert.equal(result.code, EXIT_CODES.failed);
      assert.equal(result.stdout, "");
      assert.match(
        result.stderr,
        /^pingone-sessions: Could not list sessions .*HTTP 403 .*user de000000-0000-4000-8002-0000000ca201 is in population "Contractors"/,
      );
      assert.equal(demo.state.listSessions(DEMO.environmentId, DEMO.users.carol).length, 2);
    });

    it("list --json and revoke --all --json for that user print the same JSON error object on stdout, exit 1", async () => {
      for (const argv of [
        ["list", ...carol, "--json"],
        ["revoke", ...carol, "--all", "--json"],
      ]) {
        demo.clearRequests();
        const result = await cli(argv, demoEnv);
        assert.equal(result.code, EXIT_CODES.failed, argv[0]);
        const { error } = JSON.parse(result.stdout) as { error: Record<string, unknown> };
        assert.deepEqual(Object.keys(error), ["message", "status", "code", "id", "failure", "transactionId"]);
        assert.equal(error.status, 403);
        assert.equal(error.code, "ACCESS_FAILED");
        assert.equal(error.failure, "HTTP_STATUS");
        assert.match(String(error.id), /^[0-9a-f-]{36}$/);
        assert.equal(
          `pingone-sessions: ${String(error.message)}\n`,
          result.stderr,
          "the same message as the stderr line",
        );
        const listed = demo.requests().filter((r) => r.method === "GET" && r.path.endsWith("/sessions"));
        assert.deepEqual(
          listed.map((r) => [r.status, r.transactionId]),
          [[403, error.transactionId]],
          "the transaction id is the one PingOne saw",
        );
      }
      assert.equal(demo.state.listSessions(DEMO.environmentId, DEMO.users.carol).length, 2);
    });
  });

  describe("help, version, emulator", () => {
    it("--help, help and no arguments print the usage: commands, every flag with its variable, every exit code", async () => {
      const expected = [
        "Usage: pingone-sessions <command> [options]",
        "  revoke    revoke one session, or every session of one or more users",
        "  list      list a user's sessions, newest first",
        /^ {2}--client-id ID\s+PINGONE_CLIENT_ID\s+worker application's client id$/,
        /^ {2}--client-secret SECRET\s+PINGONE_CLIENT_SECRET\s+prefer the variable: ps shows flags$/,
        /^ {2}--region CODE\s+PINGONE_REGION_CODE\s+NA \(default\), EU, CA, AP, AU or SG$/,
        /^ {2}--max-concurrency N\s+PINGONE_MAX_CONCURRENCY\s+most requests in flight \(default 32\)$/,
        "  0    success (including sessions that were already absent)",
        "  2    usage error: unknown or malformed flag, missing or conflicting flags, an id that is not a UUID; a malformed proxy variable (HTTPS_PROXY, ...); a large sweep not confirmed",
        "  3    configuration error: missing credentials, unknown region, http:// to a non-loopback host",
        "  130  interrupted by SIGINT (Ctrl-C); the report says what was done",
        "  143  interrupted by SIGTERM; the report says what was done",
      ];
      for (const argv of [["--help"], ["help"], []]) {
        const result = await cli(argv, {});
        assert.equal(result.code, EXIT_CODES.ok);
        assert.equal(result.stderr, "");
        const lines = result.stdout.split("\n");
        for (const line of expected) {
          assert.ok(
            lines.some((l) => (typeof line === "string" ? l === line : line.test(l))),
            `${argv.join(" ") || "(none)"}: no line ${String(line)}`,
          );
        }
      }
    });

    it("one flag per setting, named as documented, each read from its PINGONE_* variable", () => {
      assert.deepEqual(
        CONNECTION_FLAGS.map((f) => `--${f.flag} ${f.envVar}${f.secret ? " (secret)" : ""}`),
        [
          "--client-id PINGONE_CLIENT_ID",
          "--client-secret PINGONE_CLIENT_SECRET (secret)",
          "--environment-id PINGONE_ENVIRONMENT_ID",
          "--region PINGONE_REGION_CODE",
          "--api-access-token PINGONE_API_ACCESS_TOKEN (secret)",
          "--api-url PINGONE_API_URL",
          "--auth-url PINGONE_AUTH_URL",
          "--token-auth-method PINGONE_TOKEN_AUTH_METHOD",
          "--max-attempts PINGONE_MAX_ATTEMPTS",
          "--operation-timeout-seconds PINGONE_OPERATION_TIMEOUT_SECONDS",
          "--request-timeout-seconds PINGONE_REQUEST_TIMEOUT_SECONDS",
          "--retry-base-delay-seconds PINGONE_RETRY_BASE_DELAY_SECONDS",
          "--retry-max-delay-seconds PINGONE_RETRY_MAX_DELAY_SECONDS",
          "--max-retry-after-seconds PINGONE_MAX_RETRY_AFTER_SECONDS",
          "--max-concurrency PINGONE_MAX_CONCURRENCY",
        ],
      );
    });

    it("--version prints the package version", async () => {
      const result = await cli(["--version"], {});
      assert.equal(result.stdout, `pingone-sessions ${PACKAGE_VERSION} (pulumi-pingone-sessions)\n`);
    });

    it("emulator runs the seeded emulator until interrupted, and an unknown emulator flag is a usage error (exit 2)", async () => {
      const stop = new AbortController();
      let stdout = "";
      let listening!: () => void;
      const started = new Promise<void>((resolve) => (listening = resolve));
      const sink = {
        write: (text: string) => ((stdout += text), text.includes("PINGONE_CLIENT_SECRET") && listening()),
      };
      const running = run(["emulator", "--seed", "demo"], {
        stdout: sink,
        stderr: sink,
        env: {},
        interrupt: stop.signal,
      });
      try {
        await started;
        const url = /^PingOne emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout)?.[1];
        assert.ok(url, stdout);
        const list = await fetch(`${url}/v1/environments/${DEMO.environmentId}/users/${DEMO.users.alice}/sessions`);
        assert.equal(list.status, 401, "it answers while running (a request without a token is refused)");
      } finally {
        stop.abort();
      }
      assert.equal(await running, EXIT_CODES.ok);
      assert.ok(stdout.includes(`export PINGONE_CLIENT_ID=${DEMO.clientId}`));
      assert.ok(stdout.endsWith("PingOne emulator stopped.\n"));

      const bad = await cli(["emulator", "--frobnicate"], {});
      assert.equal(bad.code, EXIT_CODES.usage);
      assert.match(
        bad.stderr,
        /^pingone-sessions: emulator: [^\n]*--frobnicate[^\n]* \(see pingone-sessions emulator --help\)\n$/,
      );
    });
  });
});
