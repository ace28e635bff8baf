/**
 * SessionRevocation through Pulumi's real dynamic-provider host, driven over
 * gRPC as the engine drives it, against the emulator. The host runs the
 * compiled runtime (`npm run build`, done by `pretest`).
 */
import assert from "node:assert/strict";
import { sessionRevocationProvider } from "../../provider/resources/sessionRevocation";
import { ProviderHost, ProviderHostError, serializeProvider, urnFor } from "../../harness/providerHost";
import { SENTINEL_SECRET, startWorld, World } from "../support/world";

const TYPE = "pulumi-nodejs:dynamic/pingone:SessionRevocation";

describe("SessionRevocation through the dynamic-provider host", function () {
  this.timeout(60_000);
  let world: World;
  let host: ProviderHost;
  let provider: string;

  before(async () => {
    provider = await serializeProvider(sessionRevocationProvider);
  });
  beforeEach(async () => {
    world = await startWorld({}, 3);
    host = await world.startHost();
  });
  afterEach(async () => {
    await world.stop(); // and its host
  });

  const urn = (name = "s1") => urnFor(TYPE, name);
  const inputs = (sessionIndex = 0, extra: Record<string, unknown> = {}) => ({
    __provider: provider,
    environmentId: world.environmentId,
    userId: world.userId,
    sessionId: world.sessionIds[sessionIndex],
    ...extra,
  });
  const idOf = (sessionIndex = 0) => `${world.environmentId}/${world.userId}/${world.sessionIds[sessionIndex]}`;
  const stillThere = (sessionIndex = 0) =>
    world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[sessionIndex]) !== undefined;

  async function hostError(promise: Promise<unknown>): Promise<ProviderHostError> {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof ProviderHostError, String(error));
      return error;
    }
    assert.fail("expected the call to fail");
  }

  describe("check", () => {
    it("accepts UUIDs and sends nothing", async () => {
      const result = await host.check(urn(), {}, inputs());
      assert.deepEqual(result.failures, []);
      assert.equal(result.inputs.sessionId, world.sessionIds[0]);
      assert.equal(world.emulator.requests().length, 0);
    });

    it("names every property that is not a UUID, and malformed connection settings", async () => {
      const result = await host.check(
        urn(),
        {},
        { ...inputs(), userId: "../admin", sessionId: "", connection: { regionCode: "MOON" } },
      );
      assert.deepEqual(
        result.failures.map((f) => f.property),
        ["userId", "sessionId", "connection.regionCode"],
      );
      assert.match(result.failures[0].reason, /userId must be a PingOne id .*got "..\/admin"/);
      assert.match(result.failures[1].reason, /sessionId is required/);
      assert.match(result.failures[2].reason, /Unknown PingOne region "MOON"/);
      assert.equal(world.emulator.requests().length, 0);
    });

    it("skips values not known yet in preview, and still refuses a bad value beside them", async () => {
      const unknown = (await import("@pulumi/pulumi/runtime/rpc")).unknownValue;
      const result = await host.check(
        urn(),
        {},
        {
          ...inputs(),
          sessionId: "../admin",
          connection: { regionCode: unknown, apiUrl: unknown, maxAttempts: unknown, tokenAuthMethod: "nonsense" },
        },
      );
      assert.deepEqual(
        result.failures.map((f) => f.property),
        ["sessionId", "connection.tokenAuthMethod"],
      );
      assert.match(
        result.failures[1].reason,
        /^pingone:tokenAuthMethod \/ PINGONE_TOKEN_AUTH_METHOD must be client_secret_basic or client_secret_post; got "nonsense"/,
      );
      const wholeConnectionUnknown = await host.check(urn(), {}, { ...inputs(), connection: unknown });
      assert.deepEqual(wholeConnectionUnknown.failures, []);
    });
  });

  describe("create", () => {
    it("revokes the session and stores the documented outputs", async () => {
      const { id, properties } = await host.create(urn(), inputs());
      assert.equal(id, idOf());
      assert.equal(stillThere(), false);
      const { __provider, checkedAt, ...outs } = properties;
      assert.equal(__provider, provider);
      assert.ok(!Number.isNaN(Date.parse(String(checkedAt))));
      assert.deepEqual(outs, {
        environmentId: world.environmentId,
        userId: world.userId,
        sessionId: world.sessionIds[0],
        outcome: "revoked",
        present: false,
        connection: {},
      });
      assert.deepEqual(
        world.apiRequests().map((r) => `${r.method} ${r.status}`),
        ["DELETE 204"],
      );
    });

    it("succeeds as already-absent when the session is gone (404)", async () => {
      await host.create(urn(), inputs());
      const again = await host.create(urn("s1-again"), inputs());
      assert.equal(again.properties.outcome, "already-absent");
      assert.equal(again.properties.present, false);
    });

    it("fails a 403 with the role advice and PingOne's id and code, leaving the session", async () => {
      world.emulator.injectFault({
        method: "DELETE",
        path: "/v1/",
        status: 403,
        body: JSON.stringify({
          id: "f00d",
          code: "ACCESS_FAILED",
          message: "denied",
          details: [{ code: "INSUFFICIENT_PERMISSIONS" }],
        }),
      });
      const error = await hostError(host.create(urn(), inputs()));
      assert.equal(error.code, 2);
      assert.match(
        error.message,
        new RegExp(
          `^Could not revoke session \\(session ${world.sessionIds[0]} of user ${world.userId} in environment ${world.environmentId}\\): HTTP 403 ACCESS_FAILED/INSUFFICIENT_PERMISSIONS denied`,
        ),
      );
      assert.match(
        error.message,
        /holds Identity Data Admin at environment level for environment [0-9a-f-]{36}; so this 403 has another cause: a licence limit, a token issued by another environment, or an environment created moments ago \(PingOne said ACCESS_FAILED\/INSUFFICIENT_PERMISSIONS\)/,
      );
      assert.match(error.message, /PingOne error id f00d, transaction id pulumi-pingone-sessions-/);
      assert.equal(
        error.initFailure,
        undefined,
        "PingOne's error id is not taken for the id of a half-created resource",
      );
      assert.equal(stillThere(), true);
    });

    it("fails a 400 passing PingOne's message on", async () => {
      world.emulator.injectFault({
        method: "DELETE",
        path: "/v1/",
        status: 400,
        body: JSON.stringify({
          id: "b4d",
          code: "REQUEST_FAILED",
          message: "The session to be deleted cannot be the current session.",
        }),
      });
      const error = await hostError(host.create(urn(), inputs()));
      assert.match(error.message, /HTTP 400 REQUEST_FAILED The session to be deleted cannot be the current session\./);
    });

    it("leaves no half-made resource from any failing create or update: PingOne's error id is in the message, never an id the host reads", async () => {
      // The host reads `id` on a thrown error as "created with this id but not initialized" (ErrorResourceInitFailed);
      // the harness's own echo provider shows that this is decoded (tests/harness/providerHost.test.ts).
      const created = await host.create(urn(), inputs());
      world.emulator.state.addSession(world.environmentId, world.userId, { id: world.sessionIds[0] });
      const refusal = JSON.stringify({
        id: "b4d0c0de-0000-4000-8000-000000000400",
        code: "REQUEST_FAILED",
        message: "Refused.",
      });
      world.emulator.injectFault({ method: "DELETE", path: "/v1/", status: 400, body: refusal, count: 2 });
      const failures = [
        await hostError(host.update(created.id, urn(), created.properties, inputs())),
        await hostError(host.create(urn("s1-again"), inputs())),
        // An id that check would refuse, sent to create as it stands: the client's InvalidInputError, before any request.
        await hostError(host.create(urn("bad"), inputs(0, { sessionId: "../admin" }))),
      ];
      assert.deepEqual(
        failures.map((e) => [e.code, e.initFailure]),
        [
          [2, undefined],
          [2, undefined],
          [2, undefined],
        ],
      );
      assert.match(
        failures[0].message,
        /HTTP 400 REQUEST_FAILED Refused\. .*\(PingOne error id b4d0c0de-0000-4000-8000-000000000400, transaction id /,
      );
      assert.match(
        failures[2].message,
        /^sessionId must be a PingOne id \(a UUID such as [0-9a-f-]{36}\); got "\.\.\/admin"$/,
      );
      assert.equal(world.apiRequests().filter((r) => r.method === "DELETE").length, 3, "the bad id sent nothing");
      assert.equal(stillThere(), true);
    });

    it("names both the config key and the variable when credentials are missing", async () => {
      const bare = await ProviderHost.start({ config: { "pingone:apiUrl": world.emulator.apiUrl } });
      try {
        const error = await hostError(bare.create(urn(), inputs()));
        assert.match(
          error.message,
          /PingOne credentials are missing: set pingone:clientId \/ PINGONE_CLIENT_ID, pingone:clientSecret \/ PINGONE_CLIENT_SECRET, pingone:environmentId \/ PINGONE_ENVIRONMENT_ID/,
        );
        assert.equal(world.emulator.requests().length, 0);
      } finally {
        await bare.stop();
      }
    });

    it("takes the resource's connection over stack config", async () => {
      const other = world.emulator.state.addApplication({
        environmentId: world.environmentId,
        roles: [{ role: "Identity Data Administrator", environmentId: world.environmentId }],
      });
      await host.create(
        urn(),
        inputs(0, { connection: { clientId: other.clientId, clientSecret: other.clientSecret } }),
      );
      const token = world.tokenRequests()[0];
      assert.equal(
        token.headers.authorization,
        `Basic ${Buffer.from(`${other.clientId}:${other.clientSecret}`).toString("base64")}`,
      );
    });
  });

  describe("read, diff and update: drift", () => {
    it("keeps the id with present=false while the session stays gone", async () => {
      const created = await host.create(urn(), inputs());
      const read = await host.read(created.id, urn(), created.properties);
      assert.equal(read.id, created.id);
      assert.equal(read.properties.present, false);
      assert.deepEqual(
        world.apiRequests().map((r) => `${r.method} ${r.status}`),
        ["DELETE 204", "GET 404"],
      );
    });

    it("records an unchanged session as it was (checkedAt kept), and moves checkedAt when the session is back", async () => {
      const created = await host.create(urn(), inputs());
      const established = { ...created.properties, checkedAt: "2020-01-01T00:00:00.000Z" };
      const unchanged = await host.read(created.id, urn(), established);
      assert.deepEqual(unchanged.properties, established, "a refresh that saw nothing new records nothing new");
      world.emulator.state.addSession(world.environmentId, world.userId, { id: world.sessionIds[0] });
      const drifted = await host.read(created.id, urn(), established);
      assert.equal(drifted.properties.present, true);
      assert.notEqual(drifted.properties.checkedAt, "2020-01-01T00:00:00.000Z");
    });

    it("notices a session that is present again, and the next update revokes it", async () => {
      const created = await host.create(urn(), inputs());
      world.emulator.state.addSession(world.environmentId, world.userId, { id: world.sessionIds[0] });
      const read = await host.read(created.id, urn(), created.properties);
      assert.equal(read.id, created.id, "the id is never dropped");
      assert.equal(read.properties.present, true);

      const diff = await host.diff(created.id, urn(), read.properties, inputs());
      assert.deepEqual(diff, { changes: "some", replaces: [], deleteBeforeReplace: false });

      const updated = await host.update(created.id, urn(), read.properties, inputs());
      assert.equal(updated.properties.outcome, "revoked");
      assert.equal(updated.properties.present, false);
      assert.equal(stillThere(), false);
      const after = await host.diff(created.id, urn(), updated.properties, inputs());
      assert.equal(after.changes, "none");
    });

    it("replaces on another session, user or environment; new routing updates; new credentials alone change nothing", async () => {
      const created = await host.create(urn(), inputs());
      assert.deepEqual((await host.diff(created.id, urn(), created.properties, inputs(1))).replaces, ["sessionId"]);
      const moved = {
        ...inputs(),
        userId: "0f8fad5b-d9cb-469f-a165-70867728950e",
        environmentId: "1f8fad5b-d9cb-469f-a165-70867728950e",
      };
      assert.deepEqual((await host.diff(created.id, urn(), created.properties, moved)).replaces, [
        "environmentId",
        "userId",
      ]);
      const rerouted = await host.diff(
        created.id,
        urn(),
        created.properties,
        inputs(0, { connection: { regionCode: "EU" } }),
      );
      assert.deepEqual(rerouted, { changes: "some", replaces: [], deleteBeforeReplace: false });
      const recredentialed = await host.diff(
        created.id,
        urn(),
        created.properties,
        inputs(0, { connection: { clientId: "other", clientSecret: SENTINEL_SECRET, maxAttempts: 3 } }),
      );
      assert.deepEqual(recredentialed, { changes: "none", replaces: [], deleteBeforeReplace: false });
      assert.deepEqual(
        world.apiRequests().map((r) => r.method),
        ["DELETE"],
        "diff sends nothing",
      );
    });
  });

  describe("delete", () => {
    it("revokes the session again on destroy, and treats 404 as done", async () => {
      const created = await host.create(urn(), inputs());
      world.emulator.state.addSession(world.environmentId, world.userId, { id: world.sessionIds[0] });
      await host.delete(created.id, urn(), created.properties);
      assert.equal(stillThere(), false);
      await host.delete(created.id, urn(), created.properties);
      assert.deepEqual(
        world.apiRequests().map((r) => `${r.method} ${r.status}`),
        ["DELETE 204", "DELETE 204", "DELETE 404"],
      );
    });

    it("says where credentials come from when destroy finds none", async () => {
      const created = await host.create(
        urn(),
        inputs(0, {
          connection: { clientId: world.clientId, clientSecret: SENTINEL_SECRET, environmentId: world.environmentId },
        }),
      );
      const bare = await ProviderHost.start({
        config: { "pingone:apiUrl": world.emulator.apiUrl, "pingone:authUrl": world.emulator.authUrl },
      });
      try {
        const error = await hostError(bare.delete(created.id, urn(), created.properties));
        assert.match(error.message, /pingone:clientSecret \/ PINGONE_CLIENT_SECRET/);
        assert.match(error.message, /credentials given in a resource's connection are never stored in state\.$/);
      } finally {
        await bare.stop();
      }
    });
  });

  describe("secrets and the serialized provider", () => {
    it("keeps the sentinel secret out of __provider, every response and the host's output", async () => {
      const responses: unknown[] = [];
      // check hands the inputs on to create, so the secret stays where the resource class marked it secret, and only there.
      const checked = await host.check(urn(), {}, inputs(0, { connection: { clientSecret: SENTINEL_SECRET } }));
      assert.equal((checked.inputs.connection as Record<string, unknown>).clientSecret, SENTINEL_SECRET);
      responses.push({ ...checked, inputs: { ...checked.inputs, connection: undefined } });
      const created = await host.create(urn(), inputs(0, { connection: { clientSecret: SENTINEL_SECRET } }));
      responses.push(created);
      responses.push(await host.read(created.id, urn(), created.properties));
      responses.push(
        await host.update(
          created.id,
          urn(),
          created.properties,
          inputs(0, { connection: { clientSecret: SENTINEL_SECRET } }),
        ),
      );
      world.emulator.injectFault({ method: "DELETE", path: "/v1/", status: 403 });
      responses.push(await hostError(host.delete(created.id, urn(), created.properties)).then((e) => e.message));
      const bearer = world.apiRequests()[0].headers.authorization.replace("Bearer ", "");
      for (const text of [provider, JSON.stringify(responses), host.stderr(), host.stdout()]) {
        assert.ok(!text.includes(SENTINEL_SECRET), "client secret leaked");
        assert.ok(!text.includes(bearer), "bearer token leaked");
      }
      assert.deepEqual(created.properties.connection, {}, "no credential in outputs");
    });

    it("serializes a thin shim: no client, no credential, under 8 KB", () => {
      assert.ok(Buffer.byteLength(provider) < 8 * 1024, `serialized provider is ${Buffer.byteLength(provider)} bytes`);
      assert.match(provider, /dist\/provider\/runtime\/index\.js/);
      assert.doesNotMatch(provider, /https-proxy-agent|createTransport|PingOneClient|Bearer/);
    });
  });
});
