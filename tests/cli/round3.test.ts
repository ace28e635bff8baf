/**
 * Issue 17 ("Keep every promise, round 3") through the CLI: what reaches
 * stdout, stderr and the report file when a server is hostile or the
 * machine fails, over real HTTP on loopback.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EXIT_CODES } from "../../cli";
import { sweepCommand } from "../../cli/commands/sweep";
import { Progress } from "../../cli/output";
import { ReportFs } from "../../cli/report";
import { PingOneClient } from "../../provider/client/client";
import { HostileServer, json, startHostileServer } from "../support/hostileServer";
import { FakeClock } from "../support/world";
import { cli, spawnCli } from "./support";

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
    return {
      PINGONE_API_URL: `${s.origin}/v1`,
      PINGONE_AUTH_URL: s.origin,
      PINGONE_CLIENT_ID: CLIENT_ID,
      PINGONE_CLIENT_SECRET: "secret-sentinel-17",
      PINGONE_ENVIRONMENT_ID: APP_ENV,
    };
  }

  describe("item 11: a token the client was issued is scrubbed wherever a server echoes it", () => {
    /** A server that issues `ISSUED` and echoes it (raw and URL-encoded) in every session field it sends. */
    async function echoingServer(): Promise<HostileServer> {
      return startHostileServer((req, res) => {
        if (req.url.endsWith("/as/token"))
          return json(res, 200, { access_token: ISSUED, token_type: "Bearer", expires_in: 3600 });
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
      assert.equal(
        server.requests.filter((r) => r.url.endsWith("/as/token")).length,
        2,
        "the token was issued, not given",
      );
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
        if (req.url.endsWith("/as/token"))
          return json(res, 200, { access_token: ISSUED, token_type: "Bearer", expires_in: 3600 });
        json(res, i < 2 ? 503 : 400, {
          id: "0f8fad5b-d9cb-469f-a165-70867728950e",
          code: "INVALID_REQUEST",
          message: `Bad token ${ISSUED}`,
        });
      });
      const result = await cli(["list", "--environment", ENV, "--user", USER, "--json"], envOf(server), {
        stderrIsTTY: true,
        clock: new FakeClock({ random: 0.5 }),
      });
      assert.equal(result.code, EXIT_CODES.failed);
      assert.match(result.stderr, /Bad token \[redacted\]/);
      assert.equal((result.stdout + result.stderr).includes(ISSUED), false, result.stderr);
    });
  });

  describe("items 5 and 15: access says unknown, and what was wrong, when a lookup fails", () => {
    const ROLE = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f";
    const POP = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeee1";
    function pingOne(
      roleAssignments: (res: Parameters<typeof json>[0]) => void,
      role: (res: Parameters<typeof json>[0]) => void,
    ) {
      return startHostileServer((req, res) => {
        if (req.url.endsWith("/as/token"))
          return json(res, 200, { access_token: ISSUED, token_type: "Bearer", expires_in: 3600 });
        if (req.url.includes("/roleAssignments")) return roleAssignments(res);
        if (req.url.includes("/roles/")) return role(res);
        if (req.url.includes("/populations/")) return json(res, 200, { id: POP, name: "Staff" });
        json(res, 200, { id: USER, population: { id: POP } });
      });
    }
    const assignments = (res: Parameters<typeof json>[0]) =>
      json(res, 200, {
        _embedded: { roleAssignments: [{ id: ROLE, role: { id: ROLE }, scope: { type: "POPULATION", id: POP } }] },
      });

    it("access --user --json: may null, and the reason names the role read that failed (GET /roles/{id} answered 403)", async () => {
      server = await pingOne(assignments, (res) =>
        json(res, 403, { id: "0f8fad5b-d9cb-469f-a165-70867728950e", code: "ACCESS_FAILED", message: "Forbidden" }),
      );
      const result = await cli(["access", "--environment", APP_ENV, "--user", USER, "--json"], envOf(server));
      assert.equal(result.code, EXIT_CODES.failed);
      const report = JSON.parse(result.stdout) as { may: boolean | null; reason: string };
      assert.equal(report.may, null);
      assert.match(
        report.reason,
        new RegExp(
          `roles could not be checked: the role of 1 of its role assignments could not be read \\(role ${ROLE}: HTTP 403 ACCESS_FAILED Forbidden\\)`,
        ),
      );
      assert.doesNotMatch(report.reason, /holds no Identity Data Admin/);
    });

    it("access: an HTML 200 for the role assignments is an unusable answer on stderr, not a refusal", async () => {
      server = await pingOne(
        (res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>Sign in</html>"),
        (res) => json(res, 200, { id: ROLE, name: "Identity Data Admin" }),
      );
      const result = await cli(["access", "--environment", APP_ENV, "--user", USER], envOf(server));
      assert.equal(result.code, EXIT_CODES.failed);
      assert.match(
        result.stderr,
        new RegExp(
          `^pingone-sessions: reading the role assignments of worker application ${CLIENT_ID} gave an answer that could not be used \\(MALFORMED_ANSWER\\) \\(transaction id`,
        ),
      );
      assert.match(
        result.stdout,
        /reading its role assignments gave an answer that could not be used \(MALFORMED_ANSWER: HTTP 200; page 1 of the role assignment list: the role assignment list is not a JSON object/,
      );
      assert.doesNotMatch(result.stdout + result.stderr, /refused/);
    });
  });

  describe("items 12 and 13: the report file is evidence", () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "round3-report-"));
    });
    afterEach(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    /** `sweep --all-users` appending to `reportPath` (with a static token, against `server` when one is started): `--yes`, or `--dry-run`. */
    function sweepWithReport(reportPath: string, mode: "--yes" | "--dry-run" = "--yes") {
      const api = server ? ["--api-url", `${server.origin}/v1`] : [];
      return cli(
        [
          "sweep",
          "--environment",
          ENV,
          "--all-users",
          mode,
          "--report",
          reportPath,
          "--api-access-token",
          "tok-round3",
          ...api,
        ],
        {},
      );
    }

    const users = Array.from({ length: 40 }, (_, i) => `11111111-2222-4333-8444-${String(i).padStart(12, "0")}`);
    /** 40 users of 2 sessions each; a DELETE is answered 204 after 20 ms. */
    async function tenant(): Promise<HostileServer> {
      return startHostileServer((req, res) => {
        if (req.url.includes("/users?"))
          return json(res, 200, { _embedded: { users: users.map((id) => ({ id })) }, _links: {} });
        if (req.method === "DELETE") return void setTimeout(() => res.writeHead(204).end(), 20);
        const userId = req.url.split("/users/")[1].split("/")[0];
        // Session ids unique across users: 2222222a-… and 2222222b-… followed by the user id's tail.
        json(res, 200, {
          _embedded: {
            sessions: ["a", "b"].map((n) => ({
              id: `2222222${n}${userId.slice(8)}`,
              createdAt: "2026-11-01T00:00:00Z",
            })),
          },
          _links: {},
        });
      });
    }

    it("a full disk stops the sweep before its next DELETE, names the file, and names every revoked session the report does not hold", async () => {
      server = await tenant();
      const reportPath = path.join(dir, "incident.jsonl");
      let writes = 0;
      // The disk fills up on the 4th line: a real write of the first 3, then ENOSPC.
      const fullDisk: ReportFs = {
        ...fs,
        writeSync: ((fd: number, buffer: Buffer, offset?: number) => {
          if (++writes > 3)
            throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
          return fs.writeSync(fd, buffer, offset);
        }) as ReportFs["writeSync"],
      };
      const stop = new AbortController();
      const client = PingOneClient.fromSettings(
        { explicit: { apiUrl: `${server.origin}/v1`, authUrl: server.origin, apiAccessToken: "static-token-round3" } },
        { signal: stop.signal },
      );
      const out: string[] = [];
      const err: string[] = [];
      const io = {
        stdout: { write: (t: string) => out.push(t) },
        stderr: { write: (t: string) => err.push(t) },
        env: {},
      };
      const plan = {
        environmentId: ENV,
        users: { allUsers: true as const },
        sessions: {},
        dryRun: false,
        reportPath,
        json: false,
        yes: true,
      };
      const code = await sweepCommand(client, plan, io, new Progress(io.stderr, false), {
        stop,
        reportFs: fullDisk,
      }).finally(() => client.close());
      const stderr = err.join("");
      assert.equal(code, EXIT_CODES.failed);
      assert.match(
        stderr,
        new RegExp(
          `could not write the report "${reportPath.replace(/[.]/g, "\\.")}" \\(ENOSPC: no space left on device\\), so the sweep stopped: no request was sent after it\\. \\d+ sessions were revoked and not recorded in it: `,
        ),
      );
      assert.doesNotMatch(stderr, /internal error/);
      const recorded = fs
        .readFileSync(reportPath, "utf8")
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as { sessionId: string; outcome: string });
      assert.equal(recorded.length, 3);
      const deleted = server.requests.filter((r) => r.method === "DELETE").map((r) => r.url.split("/").pop()!);
      assert.ok(deleted.length < 80, `the sweep stopped: ${deleted.length} of 80 DELETEs sent`);
      // Every session the server revoked is either in the report, or named in the message: no evidence is lost silently.
      for (const id of deleted)
        assert.ok(
          recorded.some((l) => l.sessionId === id) || stderr.includes(id),
          `session ${id} revoked, neither recorded nor named`,
        );
      const named = (stderr.match(/2222222[ab][0-9a-f-]{28} \(user/g) ?? []).length;
      assert.equal(named + recorded.length, deleted.length, "exactly the revoked sessions, each once");
    });

    it("refuses a symbolic link at the report path, and leaves its target untouched", async () => {
      const target = path.join(dir, "target.txt");
      fs.writeFileSync(target, "precious\n");
      fs.symlinkSync(target, path.join(dir, "link.jsonl"));
      const result = await sweepWithReport(path.join(dir, "link.jsonl"));
      assert.equal(result.code, EXIT_CODES.usage);
      assert.match(result.stderr, /cannot be opened for appending: it is a symbolic link, which is not followed/);
      assert.equal(fs.readFileSync(target, "utf8"), "precious\n");
    });

    it("refuses a dangling symbolic link, and does not create its target", async () => {
      const target = path.join(dir, "created-by-link.txt");
      fs.symlinkSync(target, path.join(dir, "dangling.jsonl"));
      const result = await sweepWithReport(path.join(dir, "dangling.jsonl"));
      assert.equal(result.code, EXIT_CODES.usage);
      assert.match(result.stderr, /it is a symbolic link, which is not followed/);
      assert.equal(fs.existsSync(target), false);
    });

    it("refuses a FIFO at once instead of hanging, before any request", async () => {
      server = await tenant();
      const fifo = path.join(dir, "pipe.jsonl");
      execFileSync("mkfifo", [fifo]);
      const result = await sweepWithReport(fifo);
      assert.equal(result.code, EXIT_CODES.usage);
      assert.match(result.stderr, /cannot be opened for appending: it is a FIFO \(named pipe\)/);
      assert.equal(server.requests.length, 0);
    });

    it("refuses a device and a directory: a regular file only", async () => {
      const device = await sweepWithReport("/dev/null");
      assert.equal(device.code, EXIT_CODES.usage);
      assert.match(device.stderr, /"\/dev\/null" cannot be opened for appending: it is a device, not a regular file/);
      const folder = await sweepWithReport(dir);
      assert.equal(folder.code, EXIT_CODES.usage);
      assert.match(folder.stderr, /cannot be opened for appending: it is a directory/);
    });

    it("creates a new report with mode 0600", async () => {
      server = await tenant();
      const reportPath = path.join(dir, "new.jsonl");
      const result = await sweepWithReport(reportPath, "--dry-run");
      assert.equal(result.code, EXIT_CODES.ok, result.stderr);
      assert.equal(fs.statSync(reportPath).mode & 0o777, 0o600);
    });
  });

  describe("item 14: a malformed proxy variable is a configuration mistake, named", () => {
    for (const variable of ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"]) {
      it(`names ${variable}, masks its password, exits 2, and sends nothing`, async () => {
        const env = {
          PINGONE_API_ACCESS_TOKEN: "tok-round3",
          PINGONE_API_URL: "https://api.pingone.example/v1",
          [variable]: "http://user:pw-sentinel-14@[::1",
        };
        const result = await cli(["list", "--environment", ENV, "--user", USER, "--json"], env);
        assert.equal(result.code, EXIT_CODES.usage);
        assert.equal(
          result.stderr,
          `pingone-sessions: ${variable} is not a valid proxy URL ("http://[redacted]@[::1"): fix it (such as http://proxy.example.com:3128) or unset it (see pingone-sessions list --help)\n`,
        );
        assert.equal((result.stdout + result.stderr).includes("pw-sentinel-14"), false);
        assert.doesNotMatch(result.stdout + result.stderr, /internal error|Invalid URL/);
      });
    }

    it("does not check the proxy of a loopback API, which never uses one", async () => {
      server = await startHostileServer((_req, res) => json(res, 200, { _embedded: { sessions: [] }, _links: {} }));
      const result = await cli(["list", "--environment", ENV, "--user", USER], {
        PINGONE_API_ACCESS_TOKEN: "tok-round3",
        PINGONE_API_URL: `${server.origin}/v1`,
        PINGONE_AUTH_URL: server.origin,
        HTTPS_PROXY: "http://user:pw@[::1",
        HTTP_PROXY: "http://user:pw@[::1",
      });
      assert.equal(result.code, EXIT_CODES.ok, result.stderr);
    });
  });

  describe("item 16: an interrupted retry keeps what was sent", () => {
    it("SIGINT after 5 DELETEs all answered 503: says 5 were sent and the last error, never 'Nothing was sent'", async () => {
      const interrupt = new AbortController();
      let deletes = 0;
      server = await startHostileServer((req, res) => {
        if (req.method === "DELETE" && ++deletes === 5) interrupt.abort("SIGINT");
        json(res, 503, {
          id: "5e4f1d2a-0000-4000-8000-000000000503",
          code: "SERVICE_UNAVAILABLE",
          message: "Service unavailable",
        });
      });
      const env = {
        PINGONE_API_ACCESS_TOKEN: "tok-round3",
        PINGONE_API_URL: `${server.origin}/v1`,
        PINGONE_AUTH_URL: server.origin,
      };
      const result = await cli(["revoke", "--environment", ENV, "--user", USER, "--session", SESSION, "--json"], env, {
        interrupt: interrupt.signal,
        clock: new FakeClock(),
      });
      assert.equal(server.requests.filter((r) => r.method === "DELETE").length, 5);
      assert.equal(result.code, EXIT_CODES.interrupted);
      const all = result.stdout + result.stderr;
      assert.doesNotMatch(all, /Nothing was sent/);
      assert.match(
        result.stderr,
        /HTTP 503 SERVICE_UNAVAILABLE Service unavailable; interrupted before attempt 6: 5 requests were sent, the last got HTTP 503 SERVICE_UNAVAILABLE\. The run was interrupted while retrying, after 5 requests were sent for this one: whether it took effect is not known\./,
      );
      assert.match(result.stderr, /PingOne error id 5e4f1d2a-0000-4000-8000-000000000503/);
    });
  });

  describe("item 4: the 403's lookups end when the 403 is reported", () => {
    it("revoke --session: the role lookups (5 roles, every GET /roles hanging) are cancelled at the deadline; nothing is sent after the 403 is printed", async () => {
      const roles = Array.from({ length: 5 }, (_, i) => `3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6${i}`);
      server = await startHostileServer((req, res) => {
        if (req.url.endsWith("/as/token"))
          return json(res, 200, { access_token: ISSUED, token_type: "Bearer", expires_in: 3600 });
        if (req.url.includes("/roleAssignments")) {
          return json(res, 200, {
            _embedded: {
              roleAssignments: roles.map((id) => ({ id, role: { id }, scope: { type: "ENVIRONMENT", id: ENV } })),
            },
          });
        }
        if (req.url.includes("/roles/")) return; // never answered
        json(res, 403, { id: "0f8fad5b-d9cb-469f-a165-70867728950e", code: "ACCESS_FAILED", message: "Forbidden" });
      });
      const env = { ...envOf(server), PINGONE_OPERATION_TIMEOUT_SECONDS: "1" };
      // In its own process: once it has exited, nothing it started can send, so the request log is final.
      const run = spawnCli(["revoke", "--environment", ENV, "--user", USER, "--session", SESSION], env);
      let stderrSoFar = "";
      let sentWhenReported: number | undefined;
      run.child.stderr.on("data", (chunk: Buffer) => {
        stderrSoFar += chunk.toString();
        if (sentWhenReported === undefined && stderrSoFar.includes("HTTP 403 ACCESS_FAILED Forbidden"))
          sentWhenReported = server!.requests.length;
      });
      const result = await run.exited;
      // Exited on its own: a lookup left open would have kept it running.
      assert.deepEqual({ code: result.code, signal: result.signal }, { code: EXIT_CODES.failed, signal: null });
      assert.match(result.stderr, /HTTP 403 ACCESS_FAILED Forbidden/);
      assert.equal(server.requests.length, sentWhenReported, "no request after the 403 was reported");
      const roleReads = server.requests.filter((r) => r.url.includes("/roles/"));
      assert.ok(roleReads.length >= 1);
      assert.match(
        result.stderr,
        new RegExp(`role ${roles[roles.length - 1]}: no answer; the operation deadline of 1 s passed`),
        "the lookups ended at the deadline",
      );
    });
  });
});
