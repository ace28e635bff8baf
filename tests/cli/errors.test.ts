/**
 * How the pingone-sessions CLI reports failures: settings named as the CLI's
 * user typed them (flags and variables, never the provider's `pingone:` stack
 * config keys), one JSON error object with `--json`, and exit code 2 only for
 * real usage errors, so a bug never passes for the user's mistake.
 */
import assert from "node:assert/strict";
import { describeFailure, EXIT_CODES, run } from "../../cli";
import { InvalidInputError } from "../../provider/client/errors";
import { PingOneConfigError } from "../../provider/client/settings";
import { startWorld, World } from "../support/world";
import { cli, CliOutcome } from "./support";

describe("pingone-sessions CLI errors", () => {
  let world: World;
  let env: Record<string, string>;
  before(async () => {
    world = await startWorld();
    env = world.env;
  });
  after(async () => {
    await world.stop();
  });
  beforeEach(() => world.emulator.clearRequests());

  const target = () => ["--environment", world.environmentId, "--user", world.userId];

  describe("settings are named by flag and variable, never by stack config key", () => {
    const noStackConfig = (result: CliOutcome) =>
      assert.ok(!`${result.stdout}${result.stderr}`.includes("pingone:"), `${result.stdout}${result.stderr}`);

    it("a malformed number: --max-attempts lots", async () => {
      const result = await cli(["list", ...target(), "--max-attempts", "lots"], env);
      assert.equal(result.code, EXIT_CODES.config);
      assert.equal(
        result.stderr,
        'pingone-sessions: --max-attempts / PINGONE_MAX_ATTEMPTS must be a whole number from 1 to 100; got "lots".\n',
      );
      noStackConfig(result);
      assert.deepEqual(world.emulator.requests(), []);
    });

    it("missing credentials", async () => {
      const result = await cli(["list", ...target()], {
        PINGONE_API_URL: world.emulator.apiUrl,
        PINGONE_AUTH_URL: world.emulator.authUrl,
      });
      assert.equal(result.code, EXIT_CODES.config);
      assert.equal(
        result.stderr,
        "pingone-sessions: PingOne credentials are missing: set --client-id / PINGONE_CLIENT_ID, --client-secret / PINGONE_CLIENT_SECRET, " +
          "--environment-id / PINGONE_ENVIRONMENT_ID (a worker application's client credentials and its environment), " +
          "or set an access token with --api-access-token / PINGONE_API_ACCESS_TOKEN.\n",
      );
      noStackConfig(result);
    });

    it("plain http to a remote auth URL: --auth-url http://example.com", async () => {
      const result = await cli(["list", ...target(), "--auth-url", "http://example.com"], env);
      assert.equal(result.code, EXIT_CODES.config);
      assert.equal(
        result.stderr,
        'pingone-sessions: --auth-url / PINGONE_AUTH_URL "http://example.com" uses http://: https:// is required ' +
          "(plain http is allowed only for loopback hosts such as 127.0.0.1, where the emulator runs).\n",
      );
      noStackConfig(result);
    });

    it("the advice of a failed call: refused credentials", async () => {
      const result = await cli(["list", ...target(), "--client-id", "0f8fad5b-d9cb-469f-a165-70867728950e"], env);
      assert.equal(result.code, EXIT_CODES.failed);
      assert.match(
        result.stderr,
        / The token endpoint refused the client credentials: check --client-id \/ PINGONE_CLIENT_ID, --client-secret \/ PINGONE_CLIENT_SECRET, --environment-id \/ PINGONE_ENVIRONMENT_ID \(the worker application's environment\) and --token-auth-method \/ PINGONE_TOKEN_AUTH_METHOD\. /,
      );
      noStackConfig(result);
    });
  });

  describe("--json: once the flags parse, every failure is one JSON error object on stdout", () => {
    it("a configuration error: failure CONFIG, exit 3", async () => {
      const result = await cli(["list", ...target(), "--max-attempts", "lots", "--json"], env);
      assert.equal(result.code, EXIT_CODES.config);
      assert.deepEqual(JSON.parse(result.stdout), {
        error: {
          message: '--max-attempts / PINGONE_MAX_ATTEMPTS must be a whole number from 1 to 100; got "lots".',
          status: null,
          code: null,
          id: null,
          failure: "CONFIG",
          transactionId: null,
        },
      });
    });

    it("an id that is not a UUID: failure USAGE, exit 2, nothing sent", async () => {
      const result = await cli(["revoke", ...target(), "--session", "../admin", "--json"], env);
      assert.equal(result.code, EXIT_CODES.usage);
      assert.equal((JSON.parse(result.stdout) as { error: { failure: string } }).error.failure, "USAGE");
      assert.deepEqual(world.emulator.requests(), []);
    });

    it("an unknown user for list: PingOne's 404, failure HTTP_STATUS, exit 1", async () => {
      const result = await cli(
        ["list", "--environment", world.environmentId, "--user", "0f8fad5b-d9cb-469f-a165-70867728950e", "--json"],
        env,
      );
      assert.equal(result.code, EXIT_CODES.failed);
      const { error } = JSON.parse(result.stdout) as { error: { status: number; code: string; failure: string } };
      assert.deepEqual([error.status, error.code, error.failure], [404, "NOT_FOUND", "HTTP_STATUS"]);
    });
  });

  describe("exit code 2 only for usage errors; a bug is an internal error", () => {
    it("the client's invalid input (INVALID_ID, INVALID_CRITERIA) is a usage error; a plain TypeError is not", () => {
      assert.equal(
        describeFailure(new InvalidInputError("INVALID_ID", "sessionId must be a PingOne id")).exitCode,
        EXIT_CODES.usage,
      );
      assert.equal(
        describeFailure(new InvalidInputError("INVALID_CRITERIA", "createdBefore must have a zone")).exitCode,
        EXIT_CODES.usage,
      );
      assert.equal(describeFailure(new PingOneConfigError("x")).exitCode, EXIT_CODES.config);
      const bug = describeFailure(new TypeError("Cannot read properties of undefined (reading 'id')"));
      assert.equal(bug.exitCode, EXIT_CODES.failed);
      assert.equal(bug.object.failure, "INTERNAL");
      assert.equal(
        bug.line,
        "pingone-sessions: internal error (a bug in pingone-sessions; please report it): Cannot read properties of undefined (reading 'id') (set PINGONE_SESSIONS_DEBUG=1 to see where)",
      );
    });

    it("a TypeError thrown while running exits 1 as an internal error; its stack only with PINGONE_SESSIONS_DEBUG=1", async () => {
      const broken = (debug: boolean) => {
        let stderr = "";
        const code = run(["--version"], {
          stdout: {
            write: () => {
              throw new TypeError("stdout is broken");
            },
          },
          stderr: { write: (text: string) => (stderr += text) },
          env: debug ? { PINGONE_SESSIONS_DEBUG: "1" } : {},
        });
        return code.then((c) => ({ code: c, stderr }));
      };
      const quiet = await broken(false);
      assert.equal(quiet.code, EXIT_CODES.failed);
      assert.equal(
        quiet.stderr,
        "pingone-sessions: internal error (a bug in pingone-sessions; please report it): stdout is broken (set PINGONE_SESSIONS_DEBUG=1 to see where)\n",
      );
      const loud = await broken(true);
      assert.equal(loud.code, EXIT_CODES.failed);
      const lines = loud.stderr.split("\n");
      assert.equal(
        lines[0],
        "pingone-sessions: internal error (a bug in pingone-sessions; please report it): stdout is broken",
      );
      assert.equal(lines[1], "TypeError: stdout is broken");
      assert.match(lines[2], /^ {4}at .*cli/, "the stack follows");
    });
  });
});
