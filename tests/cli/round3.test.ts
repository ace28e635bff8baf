/**
 * Issue 17 ("Keep every promise, round 3") through the CLI: what reaches
 * stdout, stderr and the report file when a server is hostile or the
 * machine fails, over real HTTP on loopback.
 */
import assert from "node:assert/strict";
import { EXIT_CODES } from "../../cli";
import { HostileServer, json, startHostileServer } from "../support/hostileServer";
import { FakeClock } from "../support/world";
import { cli } from "./support";

const ENV = "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f";
const APP_ENV = "0e1d2c3b-4a59-4687-9a8b-7c6d5e4f3a2b";
const CLIENT_ID = "9b2e7c1d-3f4a-4b5c-8d6e-7f8091a2b3c4";
const USER = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed";
const SESSION = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
/** The token the hostile token endpoint issues: never given by flag or environment. */
const ISSUED = "issued-token-sentinel-4c1f9e";

describe("issue 17 through the CLI", () => {
  let server: HostileServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  function envOf(s: HostileServer): Record<string, string> {
    return { PINGONE_API_URL: `${s.origin}/v1`, PINGONE_AUTH_URL: s.origin, PINGONE_CLIENT_ID: CLIENT_ID, PINGONE_CLIENT_SECRET: "client-secret-sentinel-17", PINGONE_ENVIRONMENT_ID: APP_ENV };
  }

  describe("item 11: a token the client was issued is scrubbed wherever a server echoes it", () => {
    /** A server that issues `ISSUED` and echoes it (raw and URL-encoded) in every session field it sends. */
    async function echoingServer(): Promise<HostileServer> {
      return startHostileServer((req, res) => {
        if (req.url.endsWith("/as/token")) return json(res, 200, { access_token: ISSUED, token_type: "Bearer", expires_in: 3600 });
        if (req.url.includes("/users?")) return json(res, 200, { _embedded: { users: [{ id: USER }] }, _links: {} });
        const echoed = {
          id: SESSION,
          createdAt: "2026-11-01T00:00:00Z",
          userAgent: `Mozilla ${ISSUED}`,
          lastSignOn: { at: "2026-11-01T00:00:00Z", remoteIp: ISSUED },
          locations: [{ remoteIp: encodeURIComponent(ISSUED) }],
          [ISSUED]: ISSUED,
        };
        json(res, 200, { _embedded: { sessions: [echoed] }, _links: {} });
      });
    }

    it("list --json and the list table print no issued token", async () => {
      server = await echoingServer();
      for (const flags of [["--json"], []]) {
        const result = await cli(["list", "--environment", ENV, "--user", USER, ...flags], envOf(server));
        assert.equal(result.code, EXIT_CODES.ok, result.stderr);
        const all = result.stdout + result.stderr;
        assert.equal(all.includes(ISSUED), false, all);
        assert.ok(result.stdout.includes("[redacted]"), result.stdout);
      }
      assert.equal(server.requests.filter((r) => r.url.endsWith("/as/token")).length, 2, "the token was issued, not given");
    });

    it("sweep --dry-run, as a table and as --json, prints no issued token", async () => {
      server = await echoingServer();
      for (const flags of [["--json"], []]) {
        const result = await cli(["sweep", "--environment", ENV, "--all-users", "--dry-run", ...flags], envOf(server));
        assert.equal(result.code, EXIT_CODES.ok, result.stderr);
        const all = result.stdout + result.stderr;
        assert.equal(all.includes(ISSUED), false, all);
        assert.ok(result.stdout.includes("[redacted]"), result.stdout);
      }
    });

    it("an error and a retry line quoting the issued token print it redacted", async () => {
      server = await startHostileServer((req, res, i) => {
        if (req.url.endsWith("/as/token")) return json(res, 200, { access_token: ISSUED, token_type: "Bearer", expires_in: 3600 });
        json(res, i < 2 ? 503 : 400, { id: "0f8fad5b-d9cb-469f-a165-70867728950e", code: "INVALID_REQUEST", message: `Bad token ${ISSUED}` });
      });
      const result = await cli(["list", "--environment", ENV, "--user", USER, "--json"], envOf(server), { stderrIsTTY: true, clock: new FakeClock({ random: 0.5 }) });
      assert.equal(result.code, EXIT_CODES.failed);
      assert.match(result.stderr, /Bad token \[redacted\]/);
      assert.equal((result.stdout + result.stderr).includes(ISSUED), false, result.stderr);
    });
  });
});
