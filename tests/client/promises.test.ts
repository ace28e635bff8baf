/**
 * Issue 8 items 7 and 11, and issue 10 item 8: settings that cannot work are
 * refused with their range, URLs never echo their password, and the small
 * behaviours whose mutations used to survive the suite each have a test
 * that fails when they break.
 */
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { PingOneConfigError, resolveConnection } from "../../provider/client/settings";
import { Secret } from "../../provider/client/secret";
import { beforeDeadline } from "../../provider/client/pipeline";
import { PingOneApiError } from "../../provider/client/errors";
import { startWorld, World } from "../support/world";

function configError(fn: () => unknown): PingOneConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof PingOneConfigError, `expected PingOneConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a PingOneConfigError");
}

const TOKEN = { apiAccessToken: "tok-123456" };

describe("settings that cannot work are refused (issue 8 item 7)", () => {
  for (const [field, value, message] of [
    [
      "operationTimeoutSeconds",
      "3000000",
      'pingone:operationTimeoutSeconds / PINGONE_OPERATION_TIMEOUT_SECONDS must be a number from 0.001 to 86400; got "3000000".',
    ],
    [
      "operationTimeoutSeconds",
      "1e9",
      'pingone:operationTimeoutSeconds / PINGONE_OPERATION_TIMEOUT_SECONDS must be a number from 0.001 to 86400; got "1e9".',
    ],
    [
      "maxConcurrency",
      "0.5",
      'pingone:maxConcurrency / PINGONE_MAX_CONCURRENCY must be a whole number from 1 to 1024; got "0.5".',
    ],
    [
      "maxAttempts",
      "lots",
      'pingone:maxAttempts / PINGONE_MAX_ATTEMPTS must be a whole number from 1 to 100; got "lots".',
    ],
    [
      "requestTimeoutSeconds",
      "-1",
      'pingone:requestTimeoutSeconds / PINGONE_REQUEST_TIMEOUT_SECONDS must be a number from 0.001 to 3600; got "-1".',
    ],
  ] as const) {
    it(`refuses ${field}=${value} with its range`, () => {
      assert.equal(configError(() => resolveConnection({ explicit: { ...TOKEN, [field]: value } })).message, message);
    });
  }

  it("accepts the largest values and keeps every timer within Node's range", async () => {
    const resolved = resolveConnection({
      explicit: { ...TOKEN, operationTimeoutSeconds: 86_400, maxConcurrency: 1024 },
    });
    assert.equal(resolved.retry.operationTimeoutMs, 86_400_000);
    // A deadline beyond 2^31-1 ms used to fire at once; it must simply not fire.
    const value = await beforeDeadline(Promise.resolve("answered"), 2 ** 33, () => new Error("fired at once"));
    assert.equal(value, "answered");
  });

  it("names settings the way the caller's user typed them", () => {
    const error = configError(() =>
      resolveConnection({ explicit: { ...TOKEN, maxAttempts: "0" }, naming: (f) => `--${f}` }),
    );
    assert.equal(error.message, '--maxAttempts must be a whole number from 1 to 100; got "0".');
  });
});

describe("URLs never echo their credentials (issue 8 item 11)", () => {
  for (const [name, input] of [
    [
      "PINGONE_API_URL",
      { env: { PINGONE_API_URL: "https://admin:Hunter2@api.pingone.eu/v1", PINGONE_API_ACCESS_TOKEN: "tok-123456" } },
    ],
    [
      "PINGONE_AUTH_URL",
      { env: { PINGONE_AUTH_URL: "https://admin:Hunter2@auth.pingone.eu", PINGONE_API_ACCESS_TOKEN: "tok-123456" } },
    ],
    [
      "PINGONE_API_SERVICE_HOSTNAME",
      { env: { PINGONE_API_SERVICE_HOSTNAME: "admin:Hunter2@api.pingone.eu", PINGONE_API_ACCESS_TOKEN: "tok-123456" } },
    ],
    [
      "PINGONE_AUTH_SERVICE_HOSTNAME",
      {
        env: { PINGONE_AUTH_SERVICE_HOSTNAME: "admin:Hunter2@auth.pingone.eu", PINGONE_API_ACCESS_TOKEN: "tok-123456" },
      },
    ],
    ["an http:// URL with a password", { explicit: { ...TOKEN, apiUrl: "http://admin:Hunter2@api.pingone.eu/v1" } }],
    ["a URL that does not parse", { explicit: { ...TOKEN, apiUrl: "https://admin:Hunter2@[bad" } }],
  ] as const) {
    it(`masks the password of ${name}`, () => {
      const error = configError(() => resolveConnection(input));
      assert.equal(error.message.includes("Hunter2"), false, error.message);
      assert.equal(error.message.includes("admin"), false, error.message);
      assert.match(error.message, /\[redacted\]@/);
    });
  }
});

describe("behaviours whose mutations used to survive (issue 10 item 8)", () => {
  let world: World;
  afterEach(async () => {
    await world?.stop();
  });

  it("Secret prints [redacted] through String, templates, JSON and inspect", () => {
    const secret = new Secret("mutation-sentinel-91");
    assert.deepEqual(
      [String(secret), `${secret}`, JSON.stringify({ secret }), inspect({ secret })],
      ["[redacted]", "[redacted]", '{"secret":"[redacted]"}', "{ secret: [redacted] }"],
    );
    assert.equal(secret.reveal(), "mutation-sentinel-91");
  });

  for (const method of ["client_secret_basic", "client_secret_post"] as const) {
    it(`form-encodes a client id and secret with reserved characters (${method})`, async () => {
      world = await startWorld({}, 1);
      const secret = "a:b%25c+d e&f=g/ü";
      const { clientId } = world.emulator.state.addApplication({
        environmentId: world.environmentId,
        clientSecret: secret,
        tokenAuthMethod: method,
        roles: [{ role: "Identity Data Administrator", environmentId: world.environmentId }],
      });
      const { client } = world.client({ clientId, clientSecret: secret, tokenAuthMethod: method });
      const sessions = await client.listSessions({ environmentId: world.environmentId, userId: world.userId });
      assert.equal(sessions.length, 1, "the emulator, decoding as RFC 6749 says, accepted the credentials");
      assert.equal(world.tokenRequests().length, 1);
    });
  }

  for (const tokenType of ["mac", undefined]) {
    it(`refuses a token answer whose token_type is ${tokenType ?? "missing"}`, async () => {
      world = await startWorld({}, 1);
      const body = JSON.stringify({
        access_token: "not-bearer-1",
        expires_in: 3600,
        ...(tokenType ? { token_type: tokenType } : {}),
      });
      world.emulator.injectFault({
        path: `/${world.environmentId}/as/token`,
        status: 200,
        body,
        headers: { "content-type": "application/json" },
      });
      const { client } = world.client();
      const error = await client
        .listSessions({ environmentId: world.environmentId, userId: world.userId })
        .catch((e: unknown) => e);
      assert.ok(PingOneApiError.isInstance(error));
      assert.match(
        error.message,
        new RegExp(`the token endpoint issued a ${tokenType ? `"${tokenType}"` : "untyped"} token, not a Bearer token`),
      );
      assert.equal(world.apiRequests().length, 0, "the token was never used");
    });
  }

  it("tells the truth about itself: the attempts and time of a 404 after three 500s, and no private state in its JSON (issue 10 items 3, 4)", async () => {
    world = await startWorld({}, 1);
    const unknownUser = "0f8fad5b-d9cb-469f-a165-70867728950e";
    world.emulator.injectFault({
      method: "GET",
      path: `/v1/environments/${world.environmentId}/users/${unknownUser}/sessions`,
      status: 500,
      count: 3,
    });
    const { client, clock } = world.client();
    const error = await client
      .listSessions({ environmentId: world.environmentId, userId: unknownUser })
      .catch((e: unknown) => e);
    assert.ok(PingOneApiError.isInstance(error));
    assert.equal(error.status, 404);
    assert.equal(error.attempts, 4);
    assert.equal(
      error.elapsedMs,
      clock.slept.reduce((a, b) => a + b, 0),
    );
    assert.match(
      error.message,
      new RegExp(`transaction id ${error.transactionId}, 4 attempts in ${(error.elapsedMs / 1000).toFixed(1)} s\\)$`),
    );
    const fields = ["advice", "attempts", "code", "elapsedMs", "name", "pingOne", "status", "target", "transactionId"];
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(error))).sort(), fields);
  });

  it("recognises its errors across two copies of the package (brand, not instanceof)", () => {
    const foreign = Object.assign(Object.create(Error.prototype), {
      [Symbol.for("pulumi-pingone-sessions.error")]: true,
      code: "HTTP_STATUS",
    });
    assert.equal(PingOneApiError.isInstance(foreign), true);
    assert.equal(
      PingOneApiError.isInstance({ ...foreign, code: "SWEEP_INCOMPLETE" }),
      false,
      "the brand of another kind of error",
    );
    assert.equal(PingOneApiError.isInstance(new Error("plain")), false);
    assert.equal(foreign instanceof PingOneApiError, false);
  });
});
