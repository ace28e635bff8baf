/**
 * The provider plugin (`bin/pulumi-resource-pingone-sessions`, found on PATH as the engine finds
 * any plugin) under Pulumi's real engine, against the emulator: a TypeScript program that creates
 * the plugin's resources through an explicit provider, refresh and destroy with the provider
 * configuration stored in state alone, and import by id. The program addresses the
 * resources by their schema tokens (`pulumi.CustomResource`, `pulumi.ProviderResource`), as a
 * generated SDK does.
 */
import assert from "node:assert/strict";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigMap } from "@pulumi/pulumi/automation";
import { EngineStack, ExportedResource, newEngineStack } from "../../harness/engine";
import { SENTINEL_SECRET, startWorld, World } from "../support/world";
import { apiLog, assertNoPlaintext, deletedSessionIds } from "./support";

const PLUGIN_BIN_DIR = path.resolve(__dirname, "../../bin");

/** The explicit provider of the plugin, as a generated SDK's `Provider` is. */
class Provider extends pulumi.ProviderResource {
  constructor(name: string, args: Record<string, pulumi.Input<string | number>>) {
    super("pingone-sessions", name, args);
  }
}

/** The plugin's SessionRevocation, as a generated SDK's class is. */
class SessionRevocation extends pulumi.CustomResource {
  declare readonly outcome: pulumi.Output<string>;
  declare readonly present: pulumi.Output<boolean>;
  constructor(
    name: string,
    args: { environmentId: string; userId: string; sessionId: string },
    opts: pulumi.CustomResourceOptions,
  ) {
    super(
      "pingone-sessions:index:SessionRevocation",
      name,
      { ...args, outcome: undefined, present: undefined, checkedAt: undefined, connection: undefined },
      opts,
    );
  }
}

/** The one resource of the plugin's `type` in exported state. */
function pluginResource(resources: ExportedResource[], type: string): ExportedResource {
  const found = resources.filter((r) => r.type === type);
  assert.equal(found.length, 1, `one ${type} in state, found ${found.length}`);
  return found[0];
}

describe("the provider plugin under the real engine", function () {
  let world: World;
  let stacks: EngineStack[];

  beforeEach(async () => {
    world = await startWorld({}, 3);
    stacks = [];
  });
  afterEach(async () => {
    for (const es of stacks) await es.remove();
    await world.stop();
  });

  async function pluginStack(program: pulumi.automation.PulumiFn, config?: ConfigMap): Promise<EngineStack> {
    const es = await newEngineStack({
      projectName: "plugin",
      program,
      config,
      pathDirs: [PLUGIN_BIN_DIR],
    });
    stacks.push(es);
    return es;
  }

  it("revokes through an explicit provider, whose stored, encrypted configuration alone serves refresh and destroy", async () => {
    const es = await pluginStack(async () => {
      const incident = new Provider("incident", {
        apiUrl: world.emulator.apiUrl,
        authUrl: world.emulator.authUrl,
        clientId: world.clientId,
        clientSecret: pulumi.secret(SENTINEL_SECRET),
        environmentId: world.environmentId,
      });
      const revocation = new SessionRevocation(
        "session",
        { environmentId: world.environmentId, userId: world.userId, sessionId: world.sessionIds[0] },
        { provider: incident },
      );
      return { outcome: revocation.outcome };
    });
    const up = await es.stack.up();
    assert.equal(up.outputs.outcome.value, "revoked");
    assert.deepEqual(deletedSessionIds(world), [world.sessionIds[0]]);
    await assertNoPlaintext(es, [SENTINEL_SECRET]);
    const { resources } = await es.exportState();
    const provider = pluginResource(resources, "pulumi:providers:pingone-sessions");
    assert.equal(
      (provider.inputs?.clientSecret as { ciphertext?: string })?.ciphertext !== undefined,
      true,
      "the provider's client secret is stored encrypted",
    );

    // No stack config, no PINGONE_* variable (the harness clears them): only what state stored.
    world.emulator.state.addSession(world.environmentId, world.userId, { id: world.sessionIds[0] });
    world.emulator.clearRequests();
    const refresh = await es.stack.refresh();
    assert.deepEqual(refresh.summary.resourceChanges, { same: 2, update: 1 });
    assert.deepEqual(apiLog(world), ["GET /v1/environments/:id/users/:id/sessions/:id 200"]);
    assert.equal(
      pluginResource((await es.exportState()).resources, "pingone-sessions:index:SessionRevocation").outputs?.present,
      true,
    );

    world.emulator.clearRequests();
    const destroy = await es.stack.destroy();
    assert.deepEqual(destroy.summary.resourceChanges, { delete: 3 });
    assert.deepEqual(apiLog(world), ["DELETE /v1/environments/:id/users/:id/sessions/:id 204"]);
    assert.equal(world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[0]), undefined);
  });

  it("imports a session by <environmentId>/<userId>/<sessionId> (Read with the id alone) without revoking anything, with pingone-sessions:* stack config", async () => {
    // `pulumi import` needs the program's language host, which cannot be built here for Node.js
    // (see tools/engine); the `import` resource option takes the same engine path (an ImportStep:
    // Read with the id and nothing else), then holds the program's inputs to what Read found.
    const id = `${world.environmentId}/${world.userId}/${world.sessionIds[1]}`;
    world.emulator.state.deleteSession(world.environmentId, world.userId, world.sessionIds[1]);
    const es = await pluginStack(
      async () => {
        const imported = new SessionRevocation(
          "imported",
          { environmentId: world.environmentId, userId: world.userId, sessionId: world.sessionIds[1] },
          { import: id },
        );
        return { present: imported.present };
      },
      {
        "pingone-sessions:apiUrl": { value: world.emulator.apiUrl },
        "pingone-sessions:authUrl": { value: world.emulator.authUrl },
        "pingone-sessions:clientId": { value: world.clientId },
        "pingone-sessions:clientSecret": { value: SENTINEL_SECRET, secret: true },
        "pingone-sessions:environmentId": { value: world.environmentId },
      },
    );
    const up = await es.stack.up();
    assert.deepEqual(up.summary.resourceChanges, { create: 1, import: 1 });
    assert.equal(up.outputs.present.value, false);
    assert.deepEqual(
      apiLog(world),
      ["GET /v1/environments/:id/users/:id/sessions/:id 404"],
      "import looks and revokes nothing",
    );
    const stored = pluginResource((await es.exportState()).resources, "pingone-sessions:index:SessionRevocation");
    assert.equal(stored.id, id);
    assert.deepEqual(stored.inputs, {
      environmentId: world.environmentId,
      userId: world.userId,
      sessionId: world.sessionIds[1],
    });
    await assertNoPlaintext(es, [SENTINEL_SECRET]);
  });
});
