/**
 * Issue 17 item 1, from the compiled CLI in its own process: a server that
 * answers `101 Switching Protocols` once made `revoke --session --json` and
 * `sweep --yes --json --report` exit 0 with nothing printed (the exchange
 * never settled and the event loop ran dry). Each must exit 1 with its
 * summary.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HostileServer, json, startHostileServer, switchProtocols } from "../support/hostileServer";
import { CliProcessOutcome, spawnCli } from "./support";

const ENV = "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f";
const USER = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed";
const SESSIONS = ["7c9e6679-7425-40de-944b-e07fc1f90ae7", "0f8fad5b-d9cb-469f-a165-70867728950e"];

/** Runs the compiled CLI (after `nodeArgs`) against `origin` with a static token; resolves with its exit code and output once it has exited. */
function runCli(origin: string, argv: string[], nodeArgs: string[] = []): Promise<CliProcessOutcome> {
  const env = {
    PINGONE_API_URL: `${origin}/v1`,
    PINGONE_AUTH_URL: origin,
    PINGONE_API_ACCESS_TOKEN: "token-sentinel-5b9e2d",
    PINGONE_REQUEST_TIMEOUT_SECONDS: "20",
  };
  return spawnCli(argv, env, nodeArgs).exited;
}

describe("pingone-sessions against a server answering 101 Switching Protocols (issue 17 item 1)", () => {
  let server: HostileServer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("revoke --session --json exits 1 with its report, the session failed and why", async () => {
    server = await startHostileServer((_req, res) => switchProtocols(res));
    const result = await runCli(server.origin, [
      "revoke",
      "--environment",
      ENV,
      "--user",
      USER,
      "--session",
      SESSIONS[0],
      "--json",
    ]);
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout) as {
      revoked: string[];
      failed: { sessionId: string; failure: string; message: string }[];
    };
    assert.deepEqual(report.revoked, []);
    assert.deepEqual(
      report.failed.map((f) => [f.sessionId, f.failure]),
      [[SESSIONS[0], "NO_ANSWER"]],
    );
    assert.match(
      report.failed[0].message,
      /the server answered HTTP 101 Switching Protocols.*\(ERR_UNEXPECTED_UPGRADE\)/,
    );
  });

  it("a run whose exchange never settles exits 1 saying so, never 0 with nothing printed (the process's own guard)", async () => {
    // A transport that never answers: the state a 101 left the old transport in, whatever the next cause may be.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "p1s-hang-"));
    const hook = path.join(dir, "hang.js");
    const transport = path.resolve(__dirname, "../../dist/provider/client/transport.js");
    fs.writeFileSync(
      hook,
      `require(${JSON.stringify(transport)}).createTransport = () => ({ send: () => new Promise(() => {}), close() {} });\n`,
    );
    const result = await runCli(
      "http://127.0.0.1:9",
      ["revoke", "--environment", ENV, "--user", USER, "--session", SESSIONS[0], "--json"],
      ["--require", hook],
    );
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.equal(
      result.stderr,
      "pingone-sessions: internal error (a bug in pingone-sessions; please report it): the run stopped waiting with its work unfinished, so no summary was written\n",
    );
  });

  it("sweep --yes --json --report exits 1, counting each DELETE answered 101 as failed, in its output and its report", async () => {
    server = await startHostileServer((req, res) => {
      if (req.method === "DELETE") return switchProtocols(res);
      if (req.url.includes("/sessions"))
        return json(res, 200, {
          _embedded: { sessions: SESSIONS.map((id) => ({ id, createdAt: "2026-11-01T00:00:00Z" })) },
        });
      json(res, 200, { _embedded: { users: [{ id: USER }] } });
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "p1s-101-"));
    const reportPath = path.join(dir, "report.jsonl");
    const result = await runCli(server.origin, [
      "sweep",
      "--environment",
      ENV,
      "--all-users",
      "--yes",
      "--json",
      "--report",
      reportPath,
    ]);
    assert.equal(result.code, 1, result.stderr);
    const { summary } = JSON.parse(result.stdout) as {
      summary: { sessionsFailed: number; sessionsRevoked: number; failuresByCode: Record<string, number> };
    };
    assert.deepEqual([summary.sessionsRevoked, summary.sessionsFailed], [0, 2]);
    const lines = fs.readFileSync(reportPath, "utf8").trimEnd().split("\n");
    assert.deepEqual(JSON.parse(lines.at(-1)!), { summary });
    assert.equal(server.requests.filter((r) => r.method === "DELETE").length, 2);
  });
});
