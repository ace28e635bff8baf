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

  describe("items 5 and 15: access says unknown, and what was wrong, when a lookup fails", () => {
    const ROLE = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f";
    const POP = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeee1";
    function pingOne(roleAssignments: (res: Parameters<typeof json>[0]) => void, role: (res: Parameters<typeof json>[0]) => void) {
      return startHostileServer((req, res) => {
        if (req.url.endsWith("/as/token")) return json(res, 200, { access_token: ISSUED, token_type: "Bearer", expires_in: 3600 });
        if (req.url.includes("/roleAssignments")) return roleAssignments(res);
        if (req.url.includes("/roles/")) return role(res);
        if (req.url.includes("/populations/")) return json(res, 200, { id: POP, name: "Staff" });
        json(res, 200, { id: USER, population: { id: POP } });
      });
    }
    const assignments = (res: Parameters<typeof json>[0]) => json(res, 200, { _embedded: { roleAssignments: [{ id: ROLE, role: { id: ROLE }, scope: { type: "POPULATION", id: POP } }] } });

    it("access --user --json: may null, and the reason names the role read that failed (GET /roles/{id} answered 403)", async () => {
      server = await pingOne(assignments, (res) => json(res, 403, { id: "0f8fad5b-d9cb-469f-a165-70867728950e", code: "ACCESS_FAILED", message: "Forbidden" }));
      const result = await cli(["access", "--environment", APP_ENV, "--user", USER, "--json"], envOf(server));
      assert.equal(result.code, EXIT_CODES.failed);
      const report = JSON.parse(result.stdout) as { may: boolean | null; reason: string };
      assert.equal(report.may, null);
      assert.match(report.reason, new RegExp(`roles could not be checked: the role of 1 of its role assignments could not be read \\(role ${ROLE}: HTTP 403 ACCESS_FAILED Forbidden\\)`));
      assert.doesNotMatch(report.reason, /holds no Identity Data Admin/);
    });

    it("access: an HTML 200 for the role assignments is an unusable answer on stderr, not a refusal", async () => {
      server = await pingOne((res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>Sign in</html>"), (res) => json(res, 200, { id: ROLE, name: "Identity Data Admin" }));
      const result = await cli(["access", "--environment", APP_ENV, "--user", USER], envOf(server));
      assert.equal(result.code, EXIT_CODES.failed);
      assert.match(result.stderr, new RegExp(`^pingone-sessions: reading the role assignments of worker application ${CLIENT_ID} gave an answer that could not be used \\(MALFORMED_ANSWER\\) \\(transaction id`));
      assert.match(result.stdout, /reading its role assignments gave an answer that could not be used \(MALFORMED_ANSWER: HTTP 200; page 1 of the role assignment list: the role assignment list is not a JSON object/);
      assert.doesNotMatch(result.stdout + result.stderr, /refused/);
    });
  });
});
