/**
 * What the pingone-sessions CLI puts on a terminal, against the emulator over
 * real HTTP on loopback: server text that tries to drive the terminal is
 * shown escaped (table, JSON and error lines), retries are shown as they
 * happen on a terminal's stderr, and stdout stays pure results.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { EXIT_CODES } from "../../cli";
import { FakeClock, startWorld, World } from "../support/world";
import { cli } from "./support";

/** Characters that must never reach a terminal raw: C0 and C1 controls, DEL, bidi and zero-width marks. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("pingone-sessions CLI on a terminal", () => {
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
  const sessionsPath = () => `/v1/environments/${world.environmentId}/users/${world.userId}/sessions`;

  describe("server text that tries to drive the terminal is shown escaped", () => {
    // A window-title change (OSC 0 ... BEL), a screen clear (CSI 2J) and a right-to-left override, in every column list shows.
    const hostileId = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const hostile = {
      id: hostileId,
      createdAt: "2026-01-01T00:00:00Z\x1b]0;pwned\x07",
      lastSignOn: { at: "\x1b[2J", remoteIp: "10.0.0.1\u202e" },
      browser: { name: "Evil\x1b[2J", version: "1\u202e0" },
    };
    const seedHostileList = () =>
      world.emulator.injectFault({
        method: "GET",
        path: sessionsPath(),
        status: 200,
        body: JSON.stringify({ _embedded: { sessions: [hostile] }, count: 1, size: 1 }),
      });

    it("list: every cell of the table", async () => {
      seedHostileList();
      const result = await cli(["list", ...target()], env);
      assert.equal(result.code, EXIT_CODES.ok);
      assert.equal(
        result.stdout,
        [
          "id                                    createdAt                             lastSignOn.at  browser               remoteIp",
          `${hostileId}  2026-01-01T00:00:00Z\\x1b]0;pwned\\x07  \\x1b[2J        Evil\\x1b[2J 1\\u202e0  10.0.0.1\\u202e`,
          `1 session of user ${world.userId} in environment ${world.environmentId}.`,
          "",
        ].join("\n"),
      );
      assert.doesNotMatch(result.stdout, RAW_CONTROL);
    });

    it("list --json: the same values, with DEL, C1 controls and bidi marks written as \\u escapes too", async () => {
      seedHostileList();
      const result = await cli(["list", ...target(), "--json"], env);
      assert.equal(result.code, EXIT_CODES.ok);
      assert.doesNotMatch(result.stdout, RAW_CONTROL);
      assert.ok(result.stdout.includes('"remoteIp": "10.0.0.1\\u202e"'), result.stdout);
      assert.ok(result.stdout.includes('"createdAt": "2026-01-01T00:00:00Z\\u001b]0;pwned\\u0007"'), result.stdout);
      assert.deepEqual(JSON.parse(result.stdout), [hostile], "parses back to exactly what PingOne sent");
    });

    it("a field of the wrong type is shown as its JSON, not trusted as text", async () => {
      const odd = {
        id: hostileId,
        createdAt: 1767225600,
        lastSignOn: "\x1b[2J",
        browser: { name: ["x"] },
        locations: [{ remoteIp: "\x9b31m" }],
      };
      world.emulator.injectFault({
        method: "GET",
        path: sessionsPath(),
        status: 200,
        body: JSON.stringify({ _embedded: { sessions: [odd] } }),
      });
      const result = await cli(["list", ...target()], env);
      assert.equal(result.code, EXIT_CODES.ok, result.stderr);
      assert.equal(result.stdout.split("\n")[1], `${hostileId}  1767225600  -              ["x"]    \\x9b31m`);
    });

    it("PingOne's error message, on stderr and in the JSON error object", async () => {
      const errorId = "5e4f1d2a-0c3b-4a59-9d7e-3f2a1b0c9d8e";
      const message = "Denied\x1b]0;pwned\x07 \x1b[2J \u202eevil";
      const hostileError = () =>
        world.emulator.injectFault({
          method: "GET",
          path: sessionsPath(),
          status: 403,
          body: JSON.stringify({ id: errorId, code: "ACCESS_FAILED", message }),
        });
      hostileError();
      const text = await cli(["list", ...target()], env);
      hostileError();
      const json = await cli(["revoke", ...target(), "--all", "--json"], env);
      for (const result of [text, json]) {
        assert.equal(result.code, EXIT_CODES.failed);
        assert.ok(
          result.stderr.startsWith(
            `pingone-sessions: Could not list sessions (user ${world.userId} in environment ${world.environmentId}): HTTP 403 ACCESS_FAILED Denied\\x1b]0;pwned\\x07 \\x1b[2J \\u202eevil. The worker application ${world.clientId} holds Identity Data Admin at environment level`,
          ),
          result.stderr,
        );
        assert.doesNotMatch(result.stderr + result.stdout, RAW_CONTROL);
      }
      const error = (JSON.parse(json.stdout) as { error: { message: string } }).error;
      assert.ok(error.message.includes("Denied\\x1b]0;pwned\\x07 \\x1b[2J \\u202eevil."), error.message);
    });
  });

  describe("retries are shown as they happen, on stderr, on a terminal only", () => {
    it("the server's Retry-After, then backoff, one line each before the wait; stdout holds the results only", async () => {
      const [sessionId] = world.sessionIds;
      world.emulator.injectFault({
        method: "DELETE",
        path: `${sessionsPath()}/${sessionId}`,
        status: 503,
        retryAfter: "2",
      });
      world.emulator.injectFault({ method: "DELETE", path: `${sessionsPath()}/${sessionId}`, status: 500 });
      const clock = new FakeClock({ random: 0.5 });
      const result = await cli(["revoke", ...target(), "--session", sessionId], env, { stderrIsTTY: true, clock });
      assert.equal(result.code, EXIT_CODES.ok);
      assert.equal(
        result.stderr,
        `retrying revoke session ${sessionId} in 2 s, as the server asked (attempt 2 of 10): HTTP 503 with a body that is not JSON (text/html, 162 bytes)\n` +
          `retrying revoke session ${sessionId} in 1 s (attempt 3 of 10): HTTP 500 UNEXPECTED_ERROR\n`,
      );
      assert.deepEqual(clock.slept, [2000, 1000], "the waits announced are the waits made");
      assert.ok(result.stdout.startsWith(`revoked ${sessionId}\n`));
      assert.deepEqual(
        world.apiRequests().map((r) => r.status),
        [503, 500, 204],
      );
    });

    it("an unreachable token endpoint: a line per retry, then the error; with --json stdout is one JSON document", async () => {
      const port = await closedPort();
      const tokenUrl = `http://127.0.0.1:${port}/${world.environmentId}/as/token`;
      const argv = ["list", ...target(), "--auth-url", `http://127.0.0.1:${port}`, "--max-attempts", "3", "--json"];
      const onTerminal = await cli(argv, env, { stderrIsTTY: true, clock: new FakeClock({ random: 0.5 }) });
      const refused = `the connection was refused: connect ECONNREFUSED 127.0.0.1:${port} (ECONNREFUSED)`;
      const lines = onTerminal.stderr.split("\n");
      assert.deepEqual(lines.slice(0, 2), [
        `retrying get an access token from ${tokenUrl} for client ${world.clientId} in 0.5 s (attempt 2 of 3): ${refused}`,
        `retrying get an access token from ${tokenUrl} for client ${world.clientId} in 1 s (attempt 3 of 3): ${refused}`,
      ]);
      assert.ok(lines[2].startsWith("pingone-sessions: Could not list sessions"), lines[2]);
      assert.equal(lines.length, 4, "two retry lines, the error, nothing else");
      const parsed = JSON.parse(onTerminal.stdout) as { error: { failure: string; status: null } };
      assert.equal(parsed.error.failure, "NO_ANSWER");
      assert.equal(onTerminal.code, EXIT_CODES.failed);

      const piped = await cli(argv, env, { clock: new FakeClock({ random: 0.5 }) });
      assert.equal(piped.stderr.split("\n").length, 2, "piped: the error line only");
      assert.ok(piped.stderr.startsWith("pingone-sessions: Could not list sessions"));
    });

    it("a rate limit is summed up, never a line per 429; piped, stderr holds nothing of it", async () => {
      const [first] = world.sessionIds;
      world.emulator.injectFault({
        method: "DELETE",
        path: `${sessionsPath()}/${first}`,
        status: 429,
        retryAfter: "1",
        count: 5,
      });
      const result = await cli(["revoke", ...target(), "--all"], env, { stderrIsTTY: true, clock: new FakeClock() });
      assert.equal(result.code, EXIT_CODES.ok);
      const lines = result.stderr
        .split(/[\r\n]/)
        .map((l) => l.replace("\x1b[K", ""))
        .filter((l) => l.startsWith("rate limit") || l.startsWith("retrying"));
      assert.equal(lines.length, 1, JSON.stringify(result.stderr));
      assert.match(lines[0], /^rate limit: 5 requests delayed in the last \d+ s \(PingOne asked to wait up to 1 s\)$/);
      world.emulator.injectFault({ method: "DELETE", path: /\/sessions\//, status: 429, retryAfter: "1", count: 5 });
      await cli(["revoke", ...target(), "--all"], env, { clock: new FakeClock() }).then((piped) =>
        assert.equal(piped.stderr, ""),
      );
    });

    it("retry lines go above the progress bar, which is redrawn after them", async () => {
      const [first] = world.sessionIds;
      world.emulator.injectFault({
        method: "DELETE",
        path: `${sessionsPath()}/${first}`,
        status: 503,
        retryAfter: "1",
      });
      const result = await cli(["revoke", ...target(), "--all", "--max-concurrency", "1"], env, {
        stderrIsTTY: true,
        clock: new FakeClock(),
      });
      assert.equal(result.code, EXIT_CODES.ok);
      const retry = `retrying revoke session ${first} in 1 s, as the server asked (attempt 2 of 10): HTTP 503 with a body that is not JSON (text/html, 162 bytes)\n`;
      assert.ok(result.stderr.includes(`\r\x1b[K${retry}\r[`), JSON.stringify(result.stderr));
      assert.ok(result.stderr.endsWith("\r\x1b[K"), "the bar is erased at the end");
    });
  });

  it("the progress bar follows stderr, where it is drawn, not stdout", async () => {
    const onTerminal = await cli(["revoke", ...target(), "--all"], env, { stderrIsTTY: true });
    assert.equal(onTerminal.code, EXIT_CODES.ok);
    assert.ok(onTerminal.stderr.startsWith("\r[..........] 0/3"), JSON.stringify(onTerminal.stderr));
    assert.ok(onTerminal.stderr.includes("\r[##########] 3/3"));
    assert.ok(!onTerminal.stdout.includes("\r"), "stdout holds plain lines");

    world.emulator.state.addSession(world.environmentId, world.userId);
    const jsonOnTerminal = await cli(["revoke", ...target(), "--all", "--json"], env, { stderrIsTTY: true });
    assert.equal(jsonOnTerminal.stderr, "", "no bar with --json");
    assert.equal((JSON.parse(jsonOnTerminal.stdout) as { revoked: string[] }).revoked.length, 1);
  });
});
