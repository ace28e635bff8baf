/**
 * PingOneClient against the emulator, over real HTTP on loopback. Retry
 * waits go through a fake clock: recorded, never slept.
 */
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { PingOneApiError } from "../../provider/client/errors";
import { PACKAGE_VERSION } from "../../provider/client/version";
import { FakeClock, SENTINEL_SECRET, startWorld, World } from "../support/world";

describe("PingOneClient against the emulator", () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(async () => {
    await world.stop();
  });

  const ref = () => ({ environmentId: world.environmentId, userId: world.userId, sessionId: world.sessionIds[0] });
  const sessionPath = () =>
    `/v1/environments/${world.environmentId}/users/${world.userId}/sessions/${world.sessionIds[0]}`;

  async function failure(promise: Promise<unknown>): Promise<PingOneApiError> {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof PingOneApiError, `expected PingOneApiError, got ${inspect(error)}`);
      return error;
    }
    assert.fail("expected the call to fail");
  }

  describe("deleteSession", () => {
    it("deletes with one token request and one DELETE carrying bearer, transaction id and user agent", async () => {
      const { client } = world.client();
      assert.equal(await client.deleteSession(ref()), "deleted");
      assert.equal(world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[0]), undefined);
      assert.deepEqual(
        world.emulator.requests().map((r) => `${r.method} ${r.path} ${r.status}`),
        [`POST /${world.environmentId}/as/token 200`, `DELETE ${sessionPath()} 204`],
      );
      const del = world.apiRequests()[0];
      assert.match(del.headers.authorization, /^Bearer \S+$/);
      assert.match(del.headers["x-ping-external-transaction-id"], /^pulumi-pingone-sessions-[0-9a-f-]{36}$/);
      assert.equal(del.headers["user-agent"], `pulumi-pingone-sessions/${PACKAGE_VERSION}`);
      const token = world.tokenRequests()[0];
      assert.equal(
        token.headers.authorization,
        `Basic ${Buffer.from(`${world.clientId}:${SENTINEL_SECRET}`).toString("base64")}`,
      );
      assert.equal(token.body, "grant_type=client_credentials");
    });

    it("answers absent for a session already gone (404), without retrying", async () => {
      const { client } = world.client();
      await client.deleteSession(ref());
      world.emulator.clearRequests();
      assert.equal(await client.deleteSession(ref()), "absent");
      assert.deepEqual(
        world.emulator.requests().map((r) => r.status),
        [404],
      );
    });

    it("refuses ids that are not UUIDs before sending anything", async () => {
      const { client } = world.client();
      await assert.rejects(
        client.deleteSession({ ...ref(), sessionId: "../../users" }),
        /sessionId must be a PingOne id \(a UUID .*\); got "..\/..\/users"/,
      );
      assert.equal(world.emulator.requests().length, 0);
    });
  });

  describe("reading", () => {
    it("lists a user's sessions newest first, and reads one", async () => {
      const { client } = world.client();
      const sessions = await client.listSessions({ environmentId: world.environmentId, userId: world.userId });
      assert.deepEqual(
        sessions.map((s) => s.id),
        [...world.sessionIds].reverse(),
      );
      assert.equal((await client.getSession(ref()))?.id, world.sessionIds[0]);
      await client.deleteSession(ref());
      assert.equal(await client.getSession(ref()), undefined);
    });

    it("follows _links.next across pages", async () => {
      await world.stop();
      world = await startWorld({ listPageSize: 2 }, 5);
      const { client } = world.client();
      const sessions = await client.listSessions({ environmentId: world.environmentId, userId: world.userId });
      assert.deepEqual(
        sessions.map((s) => s.id),
        [...world.sessionIds].reverse(),
      );
      assert.equal(world.apiRequests().length, 3);
    });

    it("reports a user that does not exist as a 404 naming the user", async () => {
      const { client } = world.client();
      const missing = "0f8fad5b-d9cb-469f-a165-70867728950e";
      const error = await failure(client.listSessions({ environmentId: world.environmentId, userId: missing }));
      assert.equal(error.status, 404);
      assert.match(
        error.message,
        new RegExp(
          `^Could not list sessions \\(user ${missing} in environment ${world.environmentId}\\): HTTP 404 NOT_FOUND`,
        ),
      );
      assert.match(error.message, /The user does not exist in this environment/);
    });

    it("does not blame a user for a users list's 404: no user was named", async () => {
      const { client } = world.client();
      world.emulator.injectFault({
        method: "GET",
        path: `/v1/environments/${world.environmentId}/users?`,
        status: 404,
      });
      const error = await failure(
        (async () => {
          for await (const page of client.listUsers(world.environmentId))
            assert.fail(`expected no page, got ${page.length} users`);
        })(),
      );
      assert.equal(error.status, 404);
      assert.equal(error.pingOne?.code, "NOT_FOUND");
      assert.equal(error.advice, "Check the ids.");
    });
  });

  describe("errors that are not retried", () => {
    const cases: [number, string, RegExp][] = [
      [400, "INVALID_DATA", /PingOne refused the request as invalid/],
      [
        403,
        "ACCESS_FAILED",
        /holds Identity Data Admin at environment level for environment [0-9a-f-]{36}; so this 403 has another cause/,
      ],
      [409, "CONFLICT", /reported a conflict/],
    ];
    for (const [status, code, advice] of cases) {
      it(`fails a ${status} at once, naming the session, PingOne's id and code, and what to do`, async () => {
        const { client, clock } = world.client();
        world.emulator.injectFault({
          method: "DELETE",
          path: sessionPath(),
          status,
          body: JSON.stringify({ id: "err-id-1", code, message: `scripted ${status}` }),
        });
        const error = await failure(client.deleteSession(ref()));
        assert.equal(error.status, status);
        assert.equal(error.code, "HTTP_STATUS");
        assert.equal(error.pingOne?.id, "err-id-1");
        assert.equal(error.pingOne?.code, code);
        assert.equal(error.attempts, 1);
        assert.deepEqual(clock.slept, []);
        assert.equal(
          world.apiRequests().filter((r) => r.method === "DELETE").length,
          1,
          "not retried (a 403 also reads the application's roles, to explain itself)",
        );
        assert.ok(
          error.message.startsWith(
            `Could not revoke session (session ${world.sessionIds[0]} of user ${world.userId} in environment ${world.environmentId}): HTTP ${status} ${code} scripted ${status}.`,
          ),
          error.message,
        );
        assert.match(error.message, advice);
        assert.match(
          error.message,
          new RegExp(`PingOne error id err-id-1, transaction id ${error.transactionId}, 1 attempt`),
        );
        assert.equal(world.apiRequests()[0].headers["x-ping-external-transaction-id"], error.transactionId);
      });
    }

    it("turns the population rule's real 403 into the role advice", async () => {
      const population = world.emulator.state.addPopulation(world.environmentId);
      const outsider = world.emulator.state.addUser(world.environmentId, { populationId: population });
      const session = world.emulator.state.addSession(world.environmentId, outsider).id;
      const scoped = world.emulator.state.addApplication({
        environmentId: world.environmentId,
        roles: [
          {
            role: "Identity Data Administrator",
            environmentId: world.environmentId,
            populationId: world.emulator.state.addPopulation(world.environmentId),
          },
        ],
      });
      const { client } = world.client({ clientId: scoped.clientId, clientSecret: scoped.clientSecret });
      const error = await failure(
        client.deleteSession({ environmentId: world.environmentId, userId: outsider, sessionId: session }),
      );
      assert.equal(error.status, 403);
      assert.equal(error.pingOne?.code, "ACCESS_FAILED");
      assert.ok(error.pingOne?.details.some((d) => d.code === "INSUFFICIENT_PERMISSIONS"));
      assert.match(error.message, /INSUFFICIENT_PERMISSIONS/);
      assert.ok(
        world.emulator.state.getSession(world.environmentId, outsider, session),
        "the session must still exist",
      );
    });

    it("passes on PingOne's message when a token tries to delete its own current session", async () => {
      const token = world.emulator.state.issueUserSessionToken(world.environmentId, world.userId, world.sessionIds[0]);
      const { client } = world.client({
        clientId: undefined,
        clientSecret: undefined,
        environmentId: undefined,
        apiAccessToken: token,
      } as never);
      const error = await failure(client.deleteSession(ref()));
      assert.equal(error.status, 400);
      assert.match(error.message, /The session to be deleted cannot be the current session\./);
      assert.match(error.message, /use a worker application's token/);
    });
  });

  describe("retries", () => {
    for (const status of [408, 500, 502, 504]) {
      it(`retries a ${status} after full-jitter backoff and then succeeds`, async () => {
        const { client, clock } = world.client();
        world.emulator.injectFault({ method: "DELETE", path: sessionPath(), status, count: 2 });
        assert.equal(await client.deleteSession(ref()), "deleted");
        assert.deepEqual(
          world.apiRequests().map((r) => r.status),
          [status, status, 204],
        );
        // random() = 0.5: half of 1 s, then half of 2 s.
        assert.deepEqual(clock.slept, [500, 1000]);
        assert.equal(
          new Set(world.apiRequests().map((r) => r.transactionId)).size,
          1,
          "one transaction id for every attempt",
        );
      });
    }

    it("waits Retry-After seconds on 429 and an HTTP date on 503", async () => {
      // On a whole second, so the HTTP date (whole seconds) names an exact instant of the clock.
      const { client, clock } = world.client(
        {},
        { clock: new FakeClock({ startAt: Math.floor(Date.now() / 1000) * 1000 }) },
      );
      world.emulator.injectFault({ method: "DELETE", path: sessionPath(), status: 429, retryAfter: "3" });
      world.emulator.injectFault({
        method: "DELETE",
        path: sessionPath(),
        status: 503,
        retryAfter: new Date(clock.now() + 3000 + 7000).toUTCString(),
      });
      assert.equal(await client.deleteSession(ref()), "deleted");
      assert.deepEqual(clock.slept, [3000, 7000]);
    });

    it("caps Retry-After at 30 s", async () => {
      const { client, clock } = world.client();
      world.emulator.injectFault({ method: "DELETE", path: sessionPath(), status: 429, retryAfter: "120" });
      await client.deleteSession(ref());
      assert.deepEqual(clock.slept, [30_000]);
    });

    it("retries a reset connection and an answer slower than the per-attempt timeout", async () => {
      const { client } = world.client({ requestTimeoutSeconds: 0.2 });
      world.emulator.injectFault({ method: "DELETE", path: sessionPath(), reset: true });
      world.emulator.injectFault({ method: "DELETE", path: sessionPath(), status: 204, delayMs: 1500 });
      assert.equal(await client.deleteSession(ref()), "deleted");
      assert.equal(client.stats().networkFailures, 2);
      assert.deepEqual(
        world
          .apiRequests()
          .map((r) => r.status)
          .slice(-1),
        [204],
      );
    });

    it("gives up after maxAttempts with the last real error and the attempt count", async () => {
      const { client, clock } = world.client({ maxAttempts: 4 });
      world.emulator.injectFault({ method: "DELETE", path: sessionPath(), status: 500, count: 10 });
      const error = await failure(client.deleteSession(ref()));
      assert.equal(error.status, 500);
      assert.equal(error.pingOne?.code, "UNEXPECTED_ERROR");
      assert.equal(error.attempts, 4);
      assert.equal(world.apiRequests().length, 4);
      assert.equal(clock.slept.length, 3);
      assert.match(error.message, /gave up after 4 attempts \(pingone:maxAttempts \/ PINGONE_MAX_ATTEMPTS\)/);
      assert.match(error.message, /PingOne is failing on its side/);
      assert.ok(
        world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[0]),
        "nothing was deleted",
      );
    });

    it("fails at once when Retry-After is longer than what is left before the deadline", async () => {
      const { client, clock } = world.client({ operationTimeoutSeconds: 5 });
      world.emulator.injectFault({ method: "DELETE", path: sessionPath(), status: 429, retryAfter: "20" });
      const error = await failure(client.deleteSession(ref()));
      assert.deepEqual(clock.slept, []);
      assert.equal(world.apiRequests().length, 1);
      assert.match(
        error.message,
        /the server asked to wait 20 s \(Retry-After\) but only 5 s remain before the operation deadline, so it fails now/,
      );
    });

    it("does not count 429s against maxAttempts: an operation throttled again and again succeeds within its deadline", async () => {
      const { client, clock } = world.client({ maxAttempts: 2 });
      world.emulator.injectFault({ method: "DELETE", path: sessionPath(), status: 429, retryAfter: "1", count: 6 });
      world.emulator.injectFault({ method: "DELETE", path: sessionPath(), status: 500 });
      assert.equal(await client.deleteSession(ref()), "deleted");
      assert.deepEqual(
        world.apiRequests().map((r) => r.status),
        [429, 429, 429, 429, 429, 429, 500, 204],
      );
      assert.deepEqual(clock.slept, [1000, 1000, 1000, 1000, 1000, 1000, 500]);
    });

    it("gives up when the faults reach maxAttempts, saying the 429s between them did not count", async () => {
      const { client } = world.client({ maxAttempts: 2 });
      world.emulator.injectFault({ method: "DELETE", path: sessionPath(), status: 500 });
      world.emulator.injectFault({ method: "DELETE", path: sessionPath(), status: 429, retryAfter: "1", count: 3 });
      world.emulator.injectFault({ method: "DELETE", path: sessionPath(), status: 500 });
      const error = await failure(client.deleteSession(ref()));
      assert.equal(error.attempts, 5);
      assert.match(
        error.message,
        /gave up after 2 failed attempts and 3 rate-limited ones, which do not count \(pingone:maxAttempts/,
      );
    });

    it("pauses the whole client on a 429's Retry-After: a request queued meanwhile waits it out before it is sent", async () => {
      // One request at a time, so the second operation is queued while the first is answered.
      const { client, clock } = world.client({}, { pacer: { initialConcurrency: 1, maxConcurrency: 1 } });
      world.emulator.injectFault({ method: "DELETE", path: sessionPath(), status: 429, retryAfter: "3" });
      const results = await Promise.all([
        client.deleteSession(ref()),
        client.deleteSession({ ...ref(), sessionId: world.sessionIds[1] }),
      ]);
      assert.deepEqual(results, ["deleted", "deleted"]);
      assert.deepEqual(
        world.apiRequests().map((r) => r.status),
        [429, 204, 204],
      );
      // The queued request's 3 s wait (the client's pause), then the 429'd one's own.
      assert.deepEqual(clock.slept, [3000, 3000]);
    });

    it("fails a queued operation at once when a Retry-After pause outlasts its deadline, saying so", async () => {
      const { client, clock } = world.client(
        { operationTimeoutSeconds: 10 },
        { pacer: { initialConcurrency: 1, maxConcurrency: 1 } },
      );
      await client.getSession(ref()); // the token, so both operations below only queue for the one slot
      world.emulator.clearRequests();
      // The first answer takes 300 ms of real time; meanwhile 7 s pass on the client's clock.
      world.emulator.injectFault({ method: "DELETE", path: sessionPath(), status: 429, retryAfter: "5", delayMs: 300 });
      const first = failure(client.deleteSession(ref()));
      const second = failure(client.deleteSession({ ...ref(), sessionId: world.sessionIds[1] }));
      await clock.sleep(7000);
      const error = await second;
      assert.equal(error.code, "DEADLINE");
      assert.match(
        error.message,
        /PingOne asked this client to wait 5 s \(Retry-After\) but only 3 s remain before the operation deadline/,
      );
      assert.match((await first).message, /the server asked to wait 5 s \(Retry-After\) but only 3 s remain/);
      assert.equal(world.apiRequests().length, 1, "the queued DELETE was never sent");
    });

    it("says a non-JSON gateway answer was not JSON when it gives up", async () => {
      const { client } = world.client({ maxAttempts: 2 });
      world.emulator.injectFault({
        method: "DELETE",
        path: sessionPath(),
        status: 502,
        body: "<html>bad gateway</html>",
        headers: { "content-type": "text/html" },
        count: 2,
      });
      const error = await failure(client.deleteSession(ref()));
      assert.match(
        error.message,
        /HTTP 502 with a body that is not JSON \(text\/html, 24 bytes\); gave up after 2 attempts/,
      );
    });
  });

  describe("tokens", () => {
    it("fetches one token for many concurrent calls", async () => {
      const { client } = world.client();
      await Promise.all(world.sessionIds.map((sessionId) => client.deleteSession({ ...ref(), sessionId })));
      assert.equal(world.tokenRequests().length, 1);
      assert.equal(world.apiRequests().length, world.sessionIds.length);
    });

    it("gets exactly one fresh token after a 401, then succeeds", async () => {
      const { client } = world.client();
      await client.getSession(ref());
      world.emulator.state.expireAllTokens();
      world.emulator.clearRequests();
      assert.equal(await client.deleteSession(ref()), "deleted");
      assert.deepEqual(
        world.emulator.requests().map((r) => `${r.method} ${r.status}`),
        ["DELETE 401", "POST 200", "DELETE 204"],
      );
    });

    it("fails after the one refresh when the API keeps answering 401", async () => {
      const { client } = world.client();
      world.emulator.injectFault({ method: "DELETE", path: sessionPath(), status: 401, count: 5 });
      const error = await failure(client.deleteSession(ref()));
      assert.equal(error.status, 401);
      assert.deepEqual(
        world.emulator.requests().map((r) => `${r.method} ${r.status}`),
        ["POST 200", "DELETE 401", "POST 200", "DELETE 401"],
      );
      assert.match(error.message, /A freshly issued token was refused too/);
    });

    it("does not refresh a static access token; says to supply a fresh one", async () => {
      const { client } = world.client({
        clientId: undefined,
        clientSecret: undefined,
        environmentId: undefined,
        apiAccessToken: "not-a-real-token",
      } as never);
      const error = await failure(client.deleteSession(ref()));
      assert.equal(error.status, 401);
      assert.equal(world.emulator.requests().length, 1);
      assert.match(
        error.message,
        /The access token \(pingone:apiAccessToken \/ PINGONE_API_ACCESS_TOKEN\) was refused/,
      );
    });

    it("authenticates with client_secret_post when told to", async () => {
      const app = world.emulator.state.addApplication({
        environmentId: world.environmentId,
        tokenAuthMethod: "client_secret_post",
        roles: [{ role: "Identity Data Administrator", environmentId: world.environmentId }],
      });
      const { client } = world.client({
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        tokenAuthMethod: "client_secret_post",
      });
      assert.equal(await client.deleteSession(ref()), "deleted");
      const token = world.tokenRequests()[0];
      assert.equal(token.headers.authorization, undefined);
      assert.deepEqual(Object.fromEntries(new URLSearchParams(token.body)), {
        grant_type: "client_credentials",
        client_id: app.clientId,
        client_secret: app.clientSecret,
      });
    });

    it("reports refused client credentials against the session, without retrying", async () => {
      const { client } = world.client({ clientSecret: "wrong-secret" });
      const error = await failure(client.deleteSession(ref()));
      assert.equal(error.status, 401);
      assert.equal(world.tokenRequests().length, 1);
      assert.equal(world.apiRequests().length, 0);
      assert.ok(
        error.message.startsWith(
          `Could not revoke session (session ${world.sessionIds[0]} of user ${world.userId} in environment ${world.environmentId}): failed to get an access token from`,
        ),
        error.message,
      );
      assert.match(error.message, /HTTP 401 invalid_client/);
      assert.match(error.message, /refused the client credentials/);
    });
  });

  describe("secrets", () => {
    it("keeps the client secret and the bearer token out of every error, its JSON and its inspection", async () => {
      const { client } = world.client({ maxAttempts: 2 });
      await client.getSession(ref());
      const bearer = world.apiRequests()[0].headers.authorization.replace("Bearer ", "");
      const errors: unknown[] = [];
      for (const fault of [
        { status: 400 },
        { status: 403 },
        { status: 500, count: 2 },
        { reset: true, count: 2 },
        { status: 401, count: 2 },
      ]) {
        world.emulator.injectFault({ method: "DELETE", path: sessionPath(), ...fault });
        errors.push(await client.deleteSession(ref()).catch((e: unknown) => e));
      }
      const wrong = world.client({ clientSecret: `${SENTINEL_SECRET}-wrong` }).client;
      errors.push(await wrong.deleteSession(ref()).catch((e: unknown) => e));
      assert.equal(errors.length, 6);
      for (const error of errors) {
        assert.ok(error instanceof PingOneApiError);
        for (const text of [
          error.message,
          error.stack ?? "",
          JSON.stringify(error),
          inspect(error, { depth: 10 }),
          inspect(client, { depth: 10 }),
        ]) {
          assert.ok(!text.includes(SENTINEL_SECRET), `secret leaked: ${text.slice(0, 200)}`);
          assert.ok(!text.includes(bearer), `token leaked: ${text.slice(0, 200)}`);
        }
      }
    });
  });
});
