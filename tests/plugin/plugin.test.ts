/**
 * The provider plugin driven over gRPC as the engine drives it (GetSchema, CheckConfig,
 * DiffConfig, Configure, Check, Diff, Create, Read, Update, Delete, and Read with an id alone for
 * import), for each resource kind, against the emulator. The plugin runs as a child process from
 * bin/ (the build in dist/, made by `pretest`) with no PINGONE_* variable unless a test sets one,
 * so its configuration comes from Configure alone.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { parentOf } from "../../provider/runtime/lifeline";
import { UNKNOWN_VALUE } from "../../provider/runtime/common";
import { SENTINEL_SECRET, startWorld, World } from "../support/world";
import { Bag, isSecretWire, PluginCallError, PluginProcess, secretWire, urnOf } from "./pluginProcess";

const ROOT = path.resolve(__dirname, "../..");
const SCHEMA = JSON.parse(fs.readFileSync(path.join(ROOT, "schema.json"), "utf8")) as {
  resources: Record<string, { properties: Record<string, unknown>; required: string[] }>;
};

describe("the provider plugin over gRPC", function () {
  this.timeout(60_000);
  let world: World;
  const plugins: PluginProcess[] = [];

  /** The provider configuration an explicit provider stores: the emulator's URLs and the worker application, its secret wrapped. */
  const providerConfig = (): Bag => ({
    apiUrl: world.emulator.apiUrl,
    authUrl: world.emulator.authUrl,
    clientId: world.clientId,
    clientSecret: secretWire(SENTINEL_SECRET),
    environmentId: world.environmentId,
    maxAttempts: 2,
  });

  async function startPlugin(env: NodeJS.ProcessEnv = {}): Promise<PluginProcess> {
    const plugin = await PluginProcess.start(env);
    plugins.push(plugin);
    return plugin;
  }

  async function configuredPlugin(): Promise<PluginProcess> {
    const plugin = await startPlugin();
    await plugin.configure(providerConfig());
    return plugin;
  }

  async function failure(promise: Promise<unknown>): Promise<PluginCallError> {
    const error = await promise.then(
      () => assert.fail("expected the call to fail"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof PluginCallError, String(error));
    return error;
  }

  /** The API requests the emulator logged since `from`, as `METHOD path status`. */
  const apiLog = (from = 0) =>
    world
      .apiRequests()
      .slice(from)
      .map((r) => `${r.method} ${r.path.replace(/\?.*$/, "")} ${r.status}`);

  /** Every answer, error and output of every plugin so far, and none holds the secret. */
  function assertSecretNowhere(): void {
    for (const plugin of plugins) {
      const { stdout, stderr } = plugin.output();
      for (const text of [...plugin.transcript, stdout, stderr])
        assert.ok(!text.includes(SENTINEL_SECRET), `the secret leaked: ${text.slice(0, 300)}`);
    }
  }

  beforeEach(async () => {
    world = await startWorld({}, 3);
  });
  afterEach(async () => {
    // Stopped even when a secret leaked: a plugin or emulator left running keeps mocha from ending.
    try {
      assertSecretNowhere();
    } finally {
      await Promise.all(plugins.splice(0).map((plugin) => plugin.stop()));
      await world.stop();
    }
  });

  describe("the provider", () => {
    it("serves its version and the committed schema", async () => {
      const plugin = await startPlugin();
      const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
      assert.equal(await plugin.pluginVersion(), manifest.version);
      assert.deepEqual(await plugin.schema(), SCHEMA);
      assert.match(plugin.output().stdout, /^\d+\n$/, "stdout holds the port and nothing else");
    });

    it("CheckConfig marks the credentials secret and names each refused key", async () => {
      const plugin = await startPlugin();
      const good = await plugin.checkConfig({
        clientId: world.clientId,
        clientSecret: SENTINEL_SECRET,
        environmentId: world.environmentId,
        regionCode: "EU",
      });
      assert.deepEqual(good.failures, []);
      assert.ok(isSecretWire(good.inputs.clientSecret), JSON.stringify(Object.keys(good.inputs)));
      assert.equal(good.inputs.regionCode, "EU");

      const bad = await plugin.checkConfig({
        regionCode: "XX",
        clientid: "typo",
        maxAttempts: 0,
        environmentId: "not-an-id",
      });
      assert.deepEqual(bad.failures.map((f) => f.property).sort(), [
        "clientid",
        "environmentId",
        "maxAttempts",
        "regionCode",
      ]);
      assert.match(
        bad.failures.find((f) => f.property === "clientid")!.reason,
        /^"pingone-sessions:clientid" is not a configuration key of pingone-sessions; the keys are clientId, /,
      );
      assert.match(bad.failures.find((f) => f.property === "regionCode")!.reason, /Unknown PingOne region "XX"/);
      // Each reason names the plugin's own keys, never the dynamic resources' pingone:* ones.
      assert.equal(
        bad.failures.find((f) => f.property === "environmentId")!.reason,
        'pingone-sessions:environmentId / PINGONE_ENVIRONMENT_ID must be the worker application\'s environment id (a UUID); got "not-an-id".',
      );
      assert.match(
        bad.failures.find((f) => f.property === "maxAttempts")!.reason,
        /^pingone-sessions:maxAttempts \/ PINGONE_MAX_ATTEMPTS /,
      );
      assert.doesNotMatch(JSON.stringify(bad.failures), /pingone:/);
      assert.equal(world.emulator.requests().length, 0, "CheckConfig sends nothing");
    });

    it("DiffConfig reports the keys that changed, and none when nothing did", async () => {
      const plugin = await startPlugin();
      const olds = { clientId: world.clientId, clientSecret: SENTINEL_SECRET, environmentId: world.environmentId };
      assert.deepEqual(await plugin.diffConfig(olds, { ...olds }), { changes: "none", diffs: [] });
      assert.deepEqual(await plugin.diffConfig(olds, { ...olds, clientSecret: "rotated-secret", regionCode: "EU" }), {
        changes: "some",
        diffs: ["clientSecret", "regionCode"],
      });
    });

    it("Configure accepts secrets and names missing credentials by the plugin's keys", async () => {
      const plugin = await startPlugin();
      assert.deepEqual(await plugin.configure({ apiUrl: world.emulator.apiUrl, authUrl: world.emulator.authUrl }), {
        acceptSecrets: true,
        supportsPreview: false,
      });
      const urn = urnOf("SessionRevocation", "s");
      const error = await failure(
        plugin.create(urn, {
          environmentId: world.environmentId,
          userId: world.userId,
          sessionId: world.sessionIds[0],
        }),
      );
      assert.match(
        error.message,
        /^PingOne credentials are missing: set pingone-sessions:clientId \/ PINGONE_CLIENT_ID, pingone-sessions:clientSecret \/ PINGONE_CLIENT_SECRET, /,
      );
      assert.deepEqual(apiLog(), []);
    });

    it("falls back to the PINGONE_* environment variables for keys configured nowhere", async () => {
      const plugin = await startPlugin({
        PINGONE_API_URL: world.emulator.apiUrl,
        PINGONE_AUTH_URL: world.emulator.authUrl,
        PINGONE_CLIENT_ID: world.clientId,
        PINGONE_CLIENT_SECRET: SENTINEL_SECRET,
        PINGONE_ENVIRONMENT_ID: world.environmentId,
      });
      await plugin.configure({});
      const created = await plugin.create(urnOf("SessionRevocation", "s"), {
        environmentId: world.environmentId,
        userId: world.userId,
        sessionId: world.sessionIds[0],
      });
      assert.equal(created.outputs.outcome, "revoked");
    });

    it("refuses a type it does not serve", async () => {
      const plugin = await configuredPlugin();
      const error = await failure(plugin.check(urnOf("Nothing", "n"), {}));
      assert.equal(error.message, 'pingone-sessions has no resource type "pingone-sessions:index:Nothing".');
      assert.equal(error.code, 3, "INVALID_ARGUMENT");
    });

    it("a wrong client secret fails Create with PingOne's refusal, the secret in no form", async () => {
      const plugin = await startPlugin();
      await plugin.configure({ ...providerConfig(), clientSecret: secretWire(`${SENTINEL_SECRET}-wrong`) });
      const error = await failure(
        plugin.create(urnOf("SessionRevocation", "s"), {
          environmentId: world.environmentId,
          userId: world.userId,
          sessionId: world.sessionIds[0],
        }),
      );
      assert.match(error.message, /401|invalid_client|refused/i);
      assert.ok(!error.message.includes("-wrong"), error.message);
      assert.ok(
        world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[0]),
        "nothing was revoked",
      );
    });

    it("redacts a credential given in plain text, not marked secret, from check failures and errors", async () => {
      // No Configure: the secret is known only from where the request holds it. It is not the
      // sentinel, which afterEach looks for everywhere: the inputs echo what the request gave.
      const plain = "plain-client-secret-5f2a9c81e7d4";
      const plugin = await startPlugin();
      const config = await plugin.checkConfig({ clientSecret: plain, regionCode: plain });
      assert.deepEqual(config.failures, [
        {
          property: "regionCode",
          reason:
            'Unknown PingOne region "[redacted]" (pingone-sessions:regionCode / PINGONE_REGION_CODE): use one of NA, EU, CA, AP, AU, SG.',
        },
      ]);
      const urn = urnOf("SessionRevocation", "s");
      const inputs = {
        environmentId: world.environmentId,
        userId: world.userId,
        sessionId: world.sessionIds[0],
        connection: { clientId: world.clientId, clientSecret: plain, maxAttempts: `x${plain}` },
      };
      const checked = await plugin.check(urn, inputs);
      assert.deepEqual(
        checked.failures.map((f) => f.property),
        ["connection.maxAttempts"],
      );
      assert.match(checked.failures[0].reason, /must be a whole number from 1 to 100; got "x\[redacted\]"\.$/);
      const error = await failure(plugin.create(urn, inputs));
      assert.match(error.message, /must be a whole number from 1 to 100; got "x\[redacted\]"\.$/);
      assert.deepEqual(apiLog(), [], "nothing was sent");
    });

    it("refuses a Create that lacks an input the type requires, before any request", async () => {
      const plugin = await configuredPlugin();
      const error = await failure(
        plugin.create(urnOf("SessionRevocation", "s"), { environmentId: world.environmentId, userId: world.userId }),
      );
      assert.equal(
        error.message,
        "sessionId is required: a PingOne id (a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e)",
      );
      assert.deepEqual(apiLog(), []);
    });

    it("exits when the process that started it is gone", async () => {
      const plugin = await startPlugin();
      const node = childrenOf(plugin.pid)[0];
      assert.ok(node, "the launcher runs Node as its child");
      plugin.killLauncher();
      const deadline = Date.now() + 5_000;
      while (parentOf(node) !== undefined && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(parentOf(node), undefined, `the plugin's Node process ${node} is still running`);
    });
  });

  describe("SessionRevocation", () => {
    const urn = urnOf("SessionRevocation", "one");
    const inputs = (index = 0): Bag => ({
      environmentId: world.environmentId,
      userId: world.userId,
      sessionId: world.sessionIds[index],
    });
    const idOf = (index = 0) => `${world.environmentId}/${world.userId}/${world.sessionIds[index]}`;
    const present = (index = 0) =>
      world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[index]) !== undefined;

    it("checks, creates (revokes), refreshes, diffs, updates and deletes", async () => {
      const plugin = await configuredPlugin();
      const checked = await plugin.check(urn, {
        ...inputs(),
        connection: { clientSecret: SENTINEL_SECRET, regionCode: "NA" },
      });
      assert.deepEqual(checked.failures, []);
      assert.ok(
        isSecretWire((checked.inputs.connection as Bag).clientSecret),
        "a secret setting of connection is marked secret",
      );
      assert.deepEqual(
        (await plugin.check(urn, { ...inputs(), sessionId: "nope" })).failures.map((f) => f.property),
        ["sessionId"],
      );
      assert.deepEqual(
        (await plugin.check(urn, { ...inputs(), sessionId: UNKNOWN_VALUE })).failures,
        [],
        "preview: a value not known yet passes",
      );
      assert.deepEqual(
        (await plugin.check(urn, { ...inputs(), connection: { environmentId: "not-an-id" } })).failures,
        [
          {
            property: "connection.environmentId",
            reason:
              'pingone-sessions:environmentId / PINGONE_ENVIRONMENT_ID must be the worker application\'s environment id (a UUID); got "not-an-id".',
          },
        ],
        "a resource's connection is checked under the plugin's own key names",
      );

      const created = await plugin.create(urn, inputs());
      assert.equal(created.id, idOf());
      assert.deepEqual(
        { ...created.outputs, checkedAt: "" },
        { ...inputs(), outcome: "revoked", present: false, checkedAt: "", connection: {} },
      );
      assert.deepEqual(apiLog(), [
        `DELETE /v1/environments/${world.environmentId}/users/${world.userId}/sessions/${world.sessionIds[0]} 204`,
      ]);
      assert.equal(present(), false);
      assertOutputsInSchema("SessionRevocation", created.outputs);

      const refreshed = await plugin.read(created.id, urn, created.outputs, inputs());
      assert.deepEqual(
        refreshed,
        { id: created.id, outputs: created.outputs, inputs: inputs() },
        "an unchanged refresh changes nothing",
      );

      assert.deepEqual(await plugin.diff(created.id, urn, created.outputs, inputs()), {
        changes: "none",
        replaces: [],
        diffs: [],
      });
      assert.deepEqual(await plugin.diff(created.id, urn, created.outputs, inputs(1)), {
        changes: "some",
        replaces: ["sessionId"],
        diffs: ["sessionId"],
      });
      const drifted = { ...created.outputs, present: true };
      assert.deepEqual(await plugin.diff(created.id, urn, drifted, inputs()), {
        changes: "some",
        replaces: [],
        diffs: [],
      });

      const before = world.apiRequests().length;
      const updated = await plugin.update(created.id, urn, drifted, inputs());
      assert.equal(updated.outputs.outcome, "already-absent");
      assert.deepEqual(apiLog(before), [
        `DELETE /v1/environments/${world.environmentId}/users/${world.userId}/sessions/${world.sessionIds[0]} 404`,
      ]);

      const beforeDelete = world.apiRequests().length;
      await plugin.delete(created.id, urn, updated.outputs);
      assert.deepEqual(apiLog(beforeDelete), [
        `DELETE /v1/environments/${world.environmentId}/users/${world.userId}/sessions/${world.sessionIds[0]} 404`,
      ]);
    });

    it("imports by <environmentId>/<userId>/<sessionId>: records the session present without revoking it", async () => {
      const plugin = await configuredPlugin();
      const imported = await plugin.read(idOf(1), urn);
      assert.equal(imported.id, idOf(1));
      assert.deepEqual(imported.inputs, inputs(1));
      assert.deepEqual(
        { ...imported.outputs, checkedAt: "" },
        { ...inputs(1), present: true, checkedAt: "", connection: {} },
      );
      assert.ok(
        apiLog().every((line) => line.startsWith("GET ")),
        apiLog().join("\n"),
      );
      assert.equal(present(1), true, "import revokes nothing");
      // The next up finds it present and revokes it.
      assert.deepEqual((await plugin.diff(imported.id, urn, imported.outputs, imported.inputs)).changes, "some");
    });

    it("fails Delete when PingOne refuses the DELETE, and the session stays", async () => {
      const plugin = await configuredPlugin();
      const state = { ...inputs(0), outcome: "revoked", present: false, checkedAt: "", connection: {} };
      world.emulator.injectFault({ method: "DELETE", path: "/v1/", status: 403 });
      const error = await failure(plugin.delete(idOf(0), urn, state));
      assert.match(error.message, /403/);
      // After the refusal the client looks up the application's roles to say why; it deletes nothing else.
      assert.deepEqual(
        apiLog().filter((line) => !line.startsWith("GET ")),
        [`DELETE /v1/environments/${world.environmentId}/users/${world.userId}/sessions/${world.sessionIds[0]} 403`],
      );
      assert.equal(present(0), true, "the session PingOne refused to delete is still there");
    });

    it("fails an import whose lookup PingOne refuses: neither present nor absent is recorded", async () => {
      const plugin = await configuredPlugin();
      world.emulator.injectFault({ method: "GET", path: "/v1/", status: 403 });
      const error = await failure(plugin.read(idOf(1), urn));
      assert.match(error.message, /403/);
      assert.equal(
        apiLog()[0],
        `GET /v1/environments/${world.environmentId}/users/${world.userId}/sessions/${world.sessionIds[1]} 403`,
      );
      assert.ok(
        apiLog().every((line) => line.startsWith("GET ")),
        apiLog().join("\n"),
      );
      assert.equal(present(1), true, "import revokes nothing");
    });

    it("imports a session already gone as absent, and refuses an id that names no session", async () => {
      const plugin = await configuredPlugin();
      await plugin.create(urn, inputs(2));
      const imported = await plugin.read(idOf(2), urn);
      assert.equal(imported.outputs.present, false);
      const error = await failure(plugin.read(`${world.environmentId}/${world.userId}`, urn));
      assert.equal(
        error.message,
        `An id of this kind is <environmentId>/<userId>/<sessionId> (3 parts joined by /); got "${world.environmentId}/${world.userId}".`,
      );
    });
  });

  describe("UserSessionsRevocation", () => {
    const urn = urnOf("UserSessionsRevocation", "user");
    const inputs = (): Bag => ({ environmentId: world.environmentId, userId: world.userId });

    it("creates (revokes every session), refreshes, diffs, updates and deletes", async () => {
      const plugin = await configuredPlugin();
      assert.deepEqual(
        (await plugin.check(urn, { ...inputs(), createdBefore: "yesterday" })).failures.map((f) => f.property),
        ["createdBefore"],
      );
      const created = await plugin.create(urn, inputs());
      assert.equal(created.id, `${world.environmentId}/${world.userId}`);
      assert.deepEqual([...(created.outputs.revokedSessionIds as string[])].sort(), [...world.sessionIds].sort());
      assertOutputsInSchema("UserSessionsRevocation", created.outputs);

      const fresh = world.emulator.state.addSession(world.environmentId, world.userId).id;
      const refreshed = await plugin.read(created.id, urn, created.outputs, inputs());
      assert.deepEqual(refreshed.outputs.remainingSessionIds, [fresh]);
      assert.equal(refreshed.outputs.present, true);
      assert.equal((await plugin.diff(created.id, urn, refreshed.outputs, inputs())).changes, "some");
      const withCutoff = { ...inputs(), createdBefore: "2020-01-01T00:00:00Z" };
      assert.deepEqual(await plugin.diff(created.id, urn, created.outputs, withCutoff), {
        changes: "some",
        replaces: [],
        diffs: ["createdBefore"],
      });

      const updated = await plugin.update(created.id, urn, refreshed.outputs, inputs());
      assert.deepEqual(updated.outputs.revokedSessionIds, [fresh]);
      const again = world.emulator.state.addSession(world.environmentId, world.userId).id;
      const before = world.apiRequests().length;
      await plugin.delete(created.id, urn, updated.outputs);
      assert.ok(
        apiLog(before).includes(
          `DELETE /v1/environments/${world.environmentId}/users/${world.userId}/sessions/${again} 204`,
        ),
        apiLog(before).join("\n"),
      );
    });

    it("imports by <environmentId>/<userId>: records the user's sessions without revoking them", async () => {
      const plugin = await configuredPlugin();
      const imported = await plugin.read(`${world.environmentId}/${world.userId}`, urn);
      assert.deepEqual(imported.inputs, inputs());
      assert.deepEqual([...(imported.outputs.remainingSessionIds as string[])].sort(), [...world.sessionIds].sort());
      assert.equal(imported.outputs.present, true);
      assert.ok(
        apiLog().every((line) => line.startsWith("GET ")),
        apiLog().join("\n"),
      );
      assert.ok(
        world.sessionIds.every((id) => world.emulator.state.getSession(world.environmentId, world.userId, id)),
        "import revokes nothing",
      );
    });
  });

  describe("PopulationSessionsRevocation", () => {
    const urn = urnOf("PopulationSessionsRevocation", "sweep");
    const inputs = (): Bag => ({ environmentId: world.environmentId, allUsers: true });

    it("creates (sweeps), refreshes, diffs, updates and deletes", async () => {
      const plugin = await configuredPlugin();
      assert.deepEqual(
        (await plugin.check(urn, { environmentId: world.environmentId })).failures.length,
        1,
        "a selection is required",
      );
      const created = await plugin.create(urn, inputs());
      assert.match(created.id, new RegExp(`^${world.environmentId}/sweep/[0-9a-f]{16}$`));
      assert.equal(created.outputs.sessionsRevoked, 3);
      assertOutputsInSchema("PopulationSessionsRevocation", created.outputs);

      world.emulator.state.addSession(world.environmentId, world.userId);
      const refreshed = await plugin.read(created.id, urn, created.outputs, inputs());
      assert.deepEqual([refreshed.outputs.sessionsRemaining, refreshed.outputs.present], [1, true]);
      assert.deepEqual(
        await plugin.diff(created.id, urn, created.outputs, {
          ...inputs(),
          allUsers: false,
          userFilter: 'username sw "a"',
        }),
        {
          changes: "some",
          replaces: ["userFilter", "allUsers"],
          diffs: ["userFilter", "allUsers"],
        },
      );
      const updated = await plugin.update(created.id, urn, refreshed.outputs, inputs());
      assert.equal(updated.outputs.sessionsRevoked, 1);
      await plugin.delete(created.id, urn, updated.outputs);
    });

    it("refuses import: its id cannot name its selection", async () => {
      const plugin = await configuredPlugin();
      const error = await failure(plugin.read(`${world.environmentId}/sweep/0123456789abcdef`, urn));
      assert.match(
        error.message,
        /^A PopulationSessionsRevocation cannot be imported by its id \("[0-9a-f-]+\/sweep\/[0-9a-f]{16}"\): the id holds a digest of the selection and the shard/,
      );
      assert.deepEqual(apiLog(), [], "nothing was swept");
    });
  });

  describe("an explicit provider's stored configuration", () => {
    it("lets a fresh plugin process, configured from it alone, refresh and delete what another created", async () => {
      const creator = await configuredPlugin();
      const urn = urnOf("SessionRevocation", "stored");
      const inputs = { environmentId: world.environmentId, userId: world.userId, sessionId: world.sessionIds[0] };
      const created = await creator.create(urn, inputs);
      await creator.stop();

      // A later refresh and destroy: no stack config, no PINGONE_* variable, only what state stored.
      const later = await startPlugin();
      await later.configure(providerConfig());
      const before = world.apiRequests().length;
      const refreshed = await later.read(created.id, urn, created.outputs, inputs);
      assert.equal(refreshed.outputs.present, false);
      await later.delete(created.id, urn, refreshed.outputs);
      assert.deepEqual(
        apiLog(before).map((line) => line.split(" ")[0]),
        ["GET", "DELETE"],
        apiLog(before).join("\n"),
      );
      assert.ok(world.tokenRequests().length >= 2, "each process got its own token with the stored credentials");
    });
  });
});

/** Every output is a property the schema declares, and every output the schema requires is there. */
function assertOutputsInSchema(kind: string, outputs: Bag): void {
  const resource = SCHEMA.resources[`pingone-sessions:index:${kind}`];
  assert.deepEqual(
    Object.keys(outputs).filter((key) => !(key in resource.properties)),
    [],
    "outputs the schema does not declare",
  );
  assert.deepEqual(
    resource.required.filter((key) => !(key in outputs)),
    [],
    "required outputs missing",
  );
}

/** The process ids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((candidate) => parentOf(candidate) === pid);
}
