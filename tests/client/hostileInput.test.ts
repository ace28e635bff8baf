/**
 * Hostile and broken input, table-driven: each row gives the input, the
 * exact error it must produce, and how many HTTP requests it may cause.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { PingOneClient } from "../../provider/client/client";
import { ConnectionOptions } from "../../provider/client/settings";
import { FakeClock, startWorld, World } from "../support/world";

interface Row {
  name: string;
  /** Connection overrides for the client. */
  connection?: ConnectionOptions;
  /** Faults or state to prepare. */
  setup?: (world: World) => void;
  /** The call; defaults to revoking the first session. */
  act?: (client: PingOneClient, world: World) => Promise<unknown>;
  /** A session id to revoke instead of the seeded one. */
  sessionId?: string;
  error: RegExp;
  apiRequests: number;
  tokenRequests: number;
}

const LONG = "a".repeat(10_000);
const tokenPath = (world: World) => `/${world.environmentId}/as/token`;

const rows: Row[] = [
  {
    name: "a session id with ../",
    sessionId: "../../users",
    error: /sessionId must be a PingOne id \(a UUID .*\); got "..\/..\/users"$/,
    apiRequests: 0,
    tokenRequests: 0,
  },
  {
    name: "a session id with %2e%2e",
    sessionId: "%2e%2e%2f",
    error: /sessionId must be a PingOne id .*got "%2e%2e%2f"$/,
    apiRequests: 0,
    tokenRequests: 0,
  },
  {
    name: "a session id with /",
    sessionId: "7c9e6679/7425",
    error: /sessionId must be a PingOne id .*got "7c9e6679\/7425"$/,
    apiRequests: 0,
    tokenRequests: 0,
  },
  { name: "a session id with ?", sessionId: "x?admin=1", error: /got "x\?admin=1"$/, apiRequests: 0, tokenRequests: 0 },
  { name: "a session id with #", sessionId: "x#frag", error: /got "x#frag"$/, apiRequests: 0, tokenRequests: 0 },
  {
    name: "a session id with whitespace",
    sessionId: " 7c9e6679-7425-40de-944b-e07fc1f90ae7 ",
    error: /got " 7c9e6679-7425-40de-944b-e07fc1f90ae7 "$/,
    apiRequests: 0,
    tokenRequests: 0,
  },
  {
    name: "a session id with unicode",
    sessionId: "7c9e6679-7425-40de-944b-e07fc1f90aé7",
    error: /got "7c9e6679-7425-40de-944b-e07fc1f90aé7"$/,
    apiRequests: 0,
    tokenRequests: 0,
  },
  {
    name: "an empty session id",
    sessionId: "",
    error: /^sessionId is required: a PingOne id/,
    apiRequests: 0,
    tokenRequests: 0,
  },
  {
    name: "a 10,000-character session id",
    sessionId: LONG,
    error: /got "a{60}…" \(10000 characters\)$/,
    apiRequests: 0,
    tokenRequests: 0,
  },
  {
    name: "an unknown region",
    connection: { apiUrl: undefined, authUrl: undefined, regionCode: "XX" },
    error:
      /^Unknown PingOne region "XX" \(pingone:regionCode \/ PINGONE_REGION_CODE\): use one of NA, EU, CA, AP, AU, SG\.$/,
    apiRequests: 0,
    tokenRequests: 0,
  },
  {
    name: "http:// to a host that is not loopback",
    connection: { apiUrl: "http://api.pingone.com/v1" },
    error: /uses http:\/\/: https:\/\/ is required/,
    apiRequests: 0,
    tokenRequests: 0,
  },
  {
    name: "an access token and client credentials together",
    connection: { apiAccessToken: "tok" },
    error:
      /^Both an access token \(pingone:apiAccessToken \/ PINGONE_API_ACCESS_TOKEN\) and client credentials .* are set: set only one of them\.$/,
    apiRequests: 0,
    tokenRequests: 0,
  },
  {
    name: "a token endpoint answering HTML",
    setup: (w) =>
      w.emulator.injectFault({
        path: tokenPath(w),
        status: 200,
        body: "<html>login</html>",
        headers: { "content-type": "text/html" },
      }),
    error:
      /failed to get an access token from .*: HTTP 200; the token endpoint answered with a body that is not a JSON object \(text\/html, 18 bytes\)\. /,
    apiRequests: 0,
    tokenRequests: 1,
  },
  {
    name: "a token endpoint answering invalid JSON",
    setup: (w) =>
      w.emulator.injectFault({
        path: tokenPath(w),
        status: 200,
        body: '{"access_token": "abc',
        headers: { "content-type": "application/json" },
      }),
    error:
      /HTTP 200; the token endpoint answered with a body that is not a JSON object \(application\/json, 21 bytes\)/,
    apiRequests: 0,
    tokenRequests: 1,
  },
  {
    name: "a token endpoint answering without access_token",
    setup: (w) =>
      w.emulator.injectFault({
        path: tokenPath(w),
        status: 200,
        body: '{"token_type":"Bearer","expires_in":3600}',
        headers: { "content-type": "application/json" },
      }),
    error: /HTTP 200; the token endpoint answered without an access_token/,
    apiRequests: 0,
    tokenRequests: 1,
  },
  {
    name: "a token endpoint answering expires_in 0",
    setup: (w) =>
      w.emulator.injectFault({
        path: tokenPath(w),
        status: 200,
        body: '{"access_token":"abc","token_type":"Bearer","expires_in":0}',
        headers: { "content-type": "application/json" },
      }),
    error: /HTTP 200; the token endpoint issued a token with expires_in 0, so it is already expired/,
    apiRequests: 0,
    tokenRequests: 1,
  },
  {
    name: "the API answering a non-JSON 5xx until attempts run out",
    connection: { maxAttempts: 3 },
    setup: (w) =>
      w.emulator.injectFault({
        method: "DELETE",
        path: "/v1/",
        status: 503,
        body: "Service Unavailable",
        headers: { "content-type": "text/plain" },
        count: 3,
      }),
    error:
      /HTTP 503 with a body that is not JSON \(text\/plain, 19 bytes\); gave up after 3 attempts \(pingone:maxAttempts \/ PINGONE_MAX_ATTEMPTS\)\. PingOne is failing on its side/,
    apiRequests: 3,
    tokenRequests: 1,
  },
  {
    name: "the API answering an empty 4xx body",
    setup: (w) => w.emulator.injectFault({ method: "DELETE", path: "/v1/", status: 400, body: "" }),
    error:
      /: HTTP 400 with an empty body, not PingOne's error body\. This answer is not PingOne's, so nothing is concluded from it: check that pingone:apiUrl \/ PINGONE_API_URL points at PingOne/,
    apiRequests: 1,
    tokenRequests: 1,
  },
  {
    name: "the API answering a body over 1 MB",
    act: (client, w) =>
      client.getSession({ environmentId: w.environmentId, userId: w.userId, sessionId: w.sessionIds[0] }),
    setup: (w) =>
      w.emulator.injectFault({
        method: "GET",
        path: "/v1/",
        status: 200,
        body: Buffer.alloc(3 * 1024 * 1024, 0x20),
        headers: { "content-type": "application/json" },
      }),
    error:
      /^Could not read session .*: no answer; the answer was larger than 1048576 bytes and was abandoned unread \(ERR_RESPONSE_TOO_LARGE\)/,
    apiRequests: 1,
    tokenRequests: 1,
  },
];

describe("hostile and broken input", function () {
  let world: World;
  beforeEach(async () => {
    world = await startWorld({}, 1);
  });
  afterEach(async () => {
    await world.stop();
  });

  for (const row of rows) {
    it(`${row.name}: fails with the expected text after ${row.apiRequests + row.tokenRequests} requests`, async () => {
      row.setup?.(world);
      const act = async () => {
        // Settings errors surface while the client is built, as they do in the provider.
        const client = PingOneClient.fromSettings(
          { explicit: { ...world.connection, ...row.connection } },
          { clock: new FakeClock() },
        );
        try {
          return await (row.act
            ? row.act(client, world)
            : client.deleteSession({
                environmentId: world.environmentId,
                userId: world.userId,
                sessionId: row.sessionId ?? world.sessionIds[0],
              }));
        } finally {
          client.close();
        }
      };
      const error = await act().then(
        () => assert.fail("expected an error"),
        (e: Error) => e,
      );
      assert.match(error.message, row.error);
      assert.ok(error.message.length < 1200, `message of ${error.message.length} characters`);
      assert.equal(world.apiRequests().length, row.apiRequests, "API requests");
      assert.equal(world.tokenRequests().length, row.tokenRequests, "token requests");
    });
  }

  it("a redirect to another host: never followed, the bearer token never sent there", async () => {
    const seen: string[] = [];
    const other = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ""}`);
      res.end();
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const port = (other.address() as { port: number }).port;
    try {
      world.emulator.injectFault({
        method: "DELETE",
        path: "/v1/",
        status: 302,
        headers: { location: `http://127.0.0.1:${port}/v1/steal` },
      });
      const { client } = world.client();
      const error = await client
        .deleteSession({ environmentId: world.environmentId, userId: world.userId, sessionId: world.sessionIds[0] })
        .catch((e: Error) => e);
      assert.match(
        String(error),
        new RegExp(
          `HTTP 302; a redirect to http://127\\.0\\.0\\.1:${port}, which is never followed \\(the access token stays with PingOne\\)`,
        ),
      );
      assert.deepEqual(seen, []);
      assert.equal(world.apiRequests().length, 1);
    } finally {
      other.close();
    }
  });

  it("a list whose next link points at another host is not followed", async () => {
    world.emulator.injectFault({
      method: "GET",
      path: "/v1/",
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ _embedded: { sessions: [] }, _links: { next: { href: "https://evil.example/v1/next" } } }),
    });
    const { client } = world.client();
    const error = await client
      .listSessions({ environmentId: world.environmentId, userId: world.userId })
      .catch((e: Error) => e);
    assert.match(
      String(error),
      /page 1 of the session list: its next link leads to another host \(https:\/\/evil\.example\); it was not followed, so the access token was not sent there/,
    );
    assert.equal(world.apiRequests().length, 1);
  });
});

describe("deadlines", () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld({}, 2);
  });
  afterEach(async () => {
    await world.stop();
  });

  it("never waits in the pacer's queue past the operation deadline", async () => {
    // The client takes each operation's deadline from its clock; the pacer's queue waits for it in real
    // time. This clock stands 0.9 s behind real time, so an operation's 1 s deadline falls 0.1 s of real
    // time after the clock is made, while the request holding the only slot keeps it for its whole 1 s
    // per-attempt allowance (the fake clock does not move while it waits). The queued operation's deadline
    // thus comes 0.9 s before the slot frees, whatever the machine's load.
    const clock = new FakeClock({ startAt: Date.now() - 900 });
    const { client } = world.client({ maxConcurrency: 1, operationTimeoutSeconds: 1, maxAttempts: 1 }, { clock });
    await client.getSession({
      environmentId: world.environmentId,
      userId: world.userId,
      sessionId: world.sessionIds[0],
    }); // token fetched
    world.emulator.clearRequests();
    world.emulator.injectFault({ method: "DELETE", path: "/v1/", delayMs: 3000 });
    const ref = (i: number) => ({
      environmentId: world.environmentId,
      userId: world.userId,
      sessionId: world.sessionIds[i],
    });
    const [slow, queued] = await Promise.allSettled([client.deleteSession(ref(0)), client.deleteSession(ref(1))]);
    assert.equal(slow.status, "rejected");
    assert.match(
      String((slow as PromiseRejectedResult).reason),
      /no answer; no complete answer within 1 s \(ERR_ATTEMPT_TIMEOUT\); gave up after 1 attempts \(pingone:maxAttempts \/ PINGONE_MAX_ATTEMPTS\)\. The server answered too slowly for the per-attempt timeout \(pingone:requestTimeoutSeconds \/ PINGONE_REQUEST_TIMEOUT_SECONDS\)/,
    );
    assert.equal(queued.status, "rejected");
    assert.match(
      String((queued as PromiseRejectedResult).reason),
      /waited for a request slot until the operation deadline .*; the operation deadline of 1 s passed/,
    );
    assert.equal(world.apiRequests().length, 1, "the queued operation never sent anything");
  });

  it("counts Retry-After waits against the deadline and never sleeps past it", async () => {
    const { client, clock } = world.client({ operationTimeoutSeconds: 10 });
    world.emulator.injectFault({ method: "DELETE", path: "/v1/", status: 429, retryAfter: "4", count: 5 });
    const started = clock.now();
    const error = await client
      .deleteSession({ environmentId: world.environmentId, userId: world.userId, sessionId: world.sessionIds[0] })
      .catch((e: Error) => e);
    assert.deepEqual(clock.slept, [4000, 4000]);
    assert.equal(clock.now() - started, 8000);
    assert.match(
      String(error),
      /the server asked to wait 4 s \(Retry-After\) but only 2 s remain before the operation deadline, so it fails now/,
    );
  });
});
