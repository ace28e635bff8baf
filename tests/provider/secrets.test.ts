/**
 * One sentinel client secret and one sentinel access token, pushed through
 * every path: success, each error class, retries, giving up, the serialized
 * provider, outputs, and the inputs Pulumi stores for a resource given
 * `connection.clientSecret`. Neither may appear anywhere but in the
 * Authorization header and the token request. (The package has no debug
 * logging; the host's own stdout and stderr are searched instead.)
 */
import assert from "node:assert/strict";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { sessionRevocationProvider } from "../../provider/resources/sessionRevocation";
import { userSessionsRevocationProvider } from "../../provider/resources/userSessionsRevocation";
import { secretConnection } from "../../provider/resources/connection";
import { ProviderHost, serializeProvider, urnFor } from "../../harness/providerHost";
import { runProgram } from "../support/mocks";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { SENTINEL_SECRET, startWorld, World } from "../support/world";

const SESSION_TYPE = "pulumi-nodejs:dynamic/pingone:SessionRevocation";
const USERS_TYPE = "pulumi-nodejs:dynamic/pingone:UserSessionsRevocation";

/** Every form a credential could leak in: plain, base64 (Basic auth), URL-encoded. */
function forms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString("base64"), encodeURIComponent(secret)];
}

describe("secrets stay secret", function () {
  this.timeout(60_000);
  let world: World;
  let sessionProvider: string;
  let usersProvider: string;

  before(async () => {
    [sessionProvider, usersProvider] = await Promise.all([
      serializeProvider(sessionRevocationProvider),
      serializeProvider(userSessionsRevocationProvider),
    ]);
  });
  beforeEach(async () => {
    world = await startWorld({}, 10);
  });
  afterEach(async () => {
    await world.stop();
  });

  /** Drives a host through success, every error class, retries and giving up; returns everything it said. */
  async function exercise(host: ProviderHost, connection: Record<string, string> = {}): Promise<string[]> {
    const said: string[] = [];
    const record = (value: unknown) => said.push(typeof value === "string" ? value : JSON.stringify(value));
    const sessionPath = (i: number) =>
      `/v1/environments/${world.environmentId}/users/${world.userId}/sessions/${world.sessionIds[i]}`;
    const single = (i: number) => ({
      __provider: sessionProvider,
      environmentId: world.environmentId,
      userId: world.userId,
      sessionId: world.sessionIds[i],
      connection,
    });
    const attempt = async (i: number, fault?: Parameters<World["emulator"]["injectFault"]>[0]) => {
      if (fault) world.emulator.injectFault(fault);
      await host.create(urnFor(SESSION_TYPE, `s${i}`), single(i)).then(record, (e: Error) => record(e.message));
    };
    // Success, then read, update and delete of the same resource.
    const created = await host.create(urnFor(SESSION_TYPE, "ok"), single(0));
    record(created);
    record(await host.read(created.id, urnFor(SESSION_TYPE, "ok"), created.properties));
    record(await host.update(created.id, urnFor(SESSION_TYPE, "ok"), created.properties, single(0)));
    await host.delete(created.id, urnFor(SESSION_TYPE, "ok"), created.properties);
    // Each error class, retries that succeed, and retries that give up.
    await attempt(1, { method: "DELETE", path: sessionPath(1), status: 400 });
    await attempt(2, { method: "DELETE", path: sessionPath(2), status: 401, count: 2 });
    await attempt(3, { method: "DELETE", path: sessionPath(3), status: 403 });
    await attempt(4, { method: "DELETE", path: sessionPath(4), status: 409 });
    await attempt(5, { method: "DELETE", path: sessionPath(5), status: 500, count: 2 });
    await attempt(6, { method: "DELETE", path: sessionPath(6), status: 429, retryAfter: "0", count: 30 });
    await attempt(7, { method: "DELETE", path: sessionPath(7), reset: true, count: 30 });
    await attempt(8, {
      method: "DELETE",
      path: sessionPath(8),
      status: 302,
      headers: { location: "https://elsewhere.example/" },
    });
    await attempt(9, {
      path: `/${world.environmentId}/as/token`,
      status: 401,
      body: JSON.stringify({ error: "invalid_client", error_description: "nope" }),
    });
    // The bulk resource, including a failure inside it.
    world.emulator.injectFault({ method: "DELETE", path: sessionPath(9), status: 403 });
    await host
      .create(urnFor(USERS_TYPE, "all"), {
        __provider: usersProvider,
        environmentId: world.environmentId,
        userId: world.userId,
        connection,
      })
      .then(record, (e: Error) => record(e.message));
    record(host.stdout());
    record(host.stderr());
    return said;
  }

  function assertOnlyInAuthentication(secret: string, label: string) {
    for (const entry of world.emulator.requests()) {
      const isTokenRequest = entry.path.endsWith("/as/token");
      for (const [name, value] of Object.entries(entry.headers)) {
        if (name === "authorization") continue;
        for (const form of forms(secret))
          assert.ok(!value.includes(form), `${label} in header ${name} of ${entry.method} ${entry.path}`);
      }
      if (!isTokenRequest)
        for (const form of forms(secret))
          assert.ok(
            !entry.body.includes(form) && !entry.path.includes(form),
            `${label} in ${entry.method} ${entry.path}`,
          );
    }
  }

  it("client credentials: the secret and the issued token appear only in authentication", async () => {
    const host = await world.startHost({ "pingone:maxAttempts": "3", "pingone:retryBaseDelaySeconds": "0.01" });
    try {
      const said = await exercise(host);
      const tokens = [...new Set(world.apiRequests().map((r) => r.headers.authorization.replace("Bearer ", "")))];
      assert.ok(tokens.length >= 2, "a refreshed token was issued too");
      const everything = [sessionProvider, usersProvider, ...said].join("\n");
      for (const secret of [SENTINEL_SECRET, ...tokens]) {
        for (const form of forms(secret)) assert.ok(!everything.includes(form), `leaked: ${form.slice(0, 8)}…`);
        assertOnlyInAuthentication(secret, "credential");
      }
      assert.ok(
        said.some((s) => s.includes("HTTP 403")) && said.some((s) => s.includes("gave up after 3 attempts")),
        "the error paths ran",
      );
    } finally {
      await host.stop();
    }
  });

  it("a static access token appears only in the Authorization header", async () => {
    const { accessToken } = world.emulator.state.issueApplicationToken(world.clientId);
    const host = await ProviderHost.start({
      config: {
        "pingone:apiUrl": world.emulator.apiUrl,
        "pingone:authUrl": world.emulator.authUrl,
        "pingone:apiAccessToken": accessToken,
        "pingone:maxAttempts": "3",
        "pingone:retryBaseDelaySeconds": "0.01",
      },
    });
    try {
      const said = await exercise(host);
      const everything = [sessionProvider, usersProvider, ...said].join("\n");
      for (const form of forms(accessToken)) assert.ok(!everything.includes(form), "token leaked");
      assertOnlyInAuthentication(accessToken, "token");
      assert.ok(
        world.apiRequests().some((r) => r.headers.authorization === `Bearer ${accessToken}`),
        "the token was used",
      );
    } finally {
      await host.stop();
    }
  });

  it("the resource class marks a given connection secret, so Pulumi stores it encrypted", async () => {
    assert.equal(await pulumi.isSecret(secretConnection({ clientSecret: SENTINEL_SECRET })!), true);
    const run = await runProgram(path.resolve(__dirname, "fixtures/connectionProgram.ts"), "secrets-fixture", {
      secret: SENTINEL_SECRET,
    });
    const registered = run.resources[0];
    assert.ok(!String(registered.inputs.__provider).includes(SENTINEL_SECRET), "no secret in the serialized provider");
    // What the engine receives for `connection`: a secret envelope, which it stores encrypted.
    const connection = registered.inputs.connection as Record<string, unknown>;
    assert.equal(connection[specialSigKey], specialSecretSig);
    assert.equal(JSON.stringify(run.outputs).includes(SENTINEL_SECRET), false, "no secret in the program's outputs");
  });
});
