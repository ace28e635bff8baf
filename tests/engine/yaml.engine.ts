/**
 * The Pulumi YAML example (`examples/yaml-incident-response`) run by the real engine with the YAML
 * language host (`npm run languages`) and the provider plugin, against the emulator, as a user
 * runs it from a terminal: `pulumi up`, `refresh`, `import`, `destroy`, `stack export`. Asserts
 * on the emulator's request log and on exported state.
 *
 * The program's provider is explicit (`pulumi:providers:pingone-sessions`), so its configuration,
 * the client secret encrypted, is stored in state: refresh, import and destroy below run after
 * the stack's own copy of the secret has been replaced by a wrong one.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { ensureYamlHost } from "../../tools/yaml/build";
import { SENTINEL_SECRET } from "../support/world";
import { apiLog, deletedSessionIds } from "./support";
import { assertNoPlaintextSecret, cliProjectSuite, findPlugin, stateResource } from "./languages";

const EXAMPLE = path.resolve(__dirname, "../../examples/yaml-incident-response");
const USER_REVOCATION = "pingone-sessions:index:UserSessionsRevocation";
const SESSION_REVOCATION = "pingone-sessions:index:SessionRevocation";

describe("a Pulumi YAML program with an explicit provider, under the real engine", function () {
  const suite = cliProjectSuite();

  it("up revokes, refresh notices a session back, import records one without revoking, destroy revokes; no secret in state", async function () {
    this.timeout(600_000);
    const plugin = findPlugin();
    const world = suite.world();
    const p = suite.newProject(EXAMPLE, "yaml-incident-response", [ensureYamlHost().binDir, plugin.binDir]);
    const stolenUser = world.emulator.state.addUser(world.environmentId);
    const stolenSession = world.emulator.state.addSession(world.environmentId, stolenUser).id;
    const cutoff = new Date().toISOString();
    const later = world.emulator.state.addSession(world.environmentId, world.userId, {
      createdAt: new Date(Date.parse(cutoff) + 60_000),
    }).id;

    await p.ok(["stack", "init", "incident"]);
    const config: [string, string][] = [
      ["environmentId", world.environmentId],
      ["userId", world.userId],
      ["createdBefore", cutoff],
      ["stolenSessionUserId", stolenUser],
      ["stolenSessionId", stolenSession],
      ["workerClientId", world.clientId],
      ["workerEnvironmentId", world.environmentId],
      ["apiUrl", world.emulator.apiUrl],
      ["authUrl", world.emulator.authUrl],
    ];
    for (const [key, value] of config) await p.ok(["config", "set", key, value]);
    await p.ok(["config", "set", "--secret", "workerClientSecret", SENTINEL_SECRET]);

    // up: the user's three sessions from before the cutoff and the stolen one, one DELETE each;
    // the session from after the cutoff stays.
    world.emulator.clearRequests();
    await p.ok(["up", "--yes", "--skip-preview"]);
    assert.deepEqual(deletedSessionIds(world).sort(), [...world.sessionIds, stolenSession].sort());
    assert.ok(
      world.emulator.state.getSession(world.environmentId, world.userId, later),
      "the session from after the cutoff lives",
    );
    const outputs = JSON.parse((await p.ok(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
    assert.deepEqual((outputs.revokedSessionIds as string[]).slice().sort(), [...world.sessionIds].sort());
    assert.equal(outputs.userHasSessions, false);
    assert.equal(outputs.stolenSessionOutcome, "revoked");
    let state = await p.exportState();
    assertNoPlaintextSecret(state, SENTINEL_SECRET, "after up");
    const provider = stateResource(state.resources, "pulumi:providers:pingone-sessions", "incident");
    assert.equal(
      stateResource(state.resources, USER_REVOCATION, "compromised-user").provider?.startsWith(provider.urn),
      true,
    );
    // The secret is in state, encrypted: what lets refresh and destroy run without the stack's copy.
    assert.equal(
      typeof (provider.inputs?.clientSecret as { ciphertext?: unknown } | undefined)?.ciphertext,
      "string",
      "the provider's clientSecret is stored as a secret",
    );

    // The stack's secret changes; the stored provider configuration still holds the right one.
    await p.ok(["config", "set", "--secret", "workerClientSecret", "not-the-worker-secret"]);

    // refresh after a session from before the cutoff came back: drift noticed, nothing revoked.
    const back = world.emulator.state.addSession(world.environmentId, world.userId, {
      createdAt: new Date(Date.parse(cutoff) - 60_000),
    }).id;
    world.emulator.clearRequests();
    await p.ok(["refresh", "--yes", "--skip-preview"]);
    assert.deepEqual(deletedSessionIds(world), [], "refresh revokes nothing");
    assert.ok(apiLog(world).length > 0, "refresh asked PingOne");
    state = await p.exportState();
    const user = stateResource(state.resources, USER_REVOCATION, "compromised-user");
    assert.equal(user.outputs?.present, true);
    assert.deepEqual(user.outputs?.remainingSessionIds, [back]);

    // import: records the session that came back, present, without revoking it.
    world.emulator.clearRequests();
    await p.ok([
      "import",
      SESSION_REVOCATION,
      "imported-session",
      `${world.environmentId}/${world.userId}/${back}`,
      "--provider",
      `incident=${provider.urn}`,
      // Imported resources are protected unless told otherwise; this one is destroyed below.
      "--protect=false",
      "--yes",
      "--skip-preview",
      "--generate-code=false",
    ]);
    assert.deepEqual(deletedSessionIds(world), [], "import revokes nothing");
    assert.ok(world.emulator.state.getSession(world.environmentId, world.userId, back), "the imported session lives");
    state = await p.exportState();
    const imported = stateResource(state.resources, SESSION_REVOCATION, "imported-session");
    assert.equal(imported.id, `${world.environmentId}/${world.userId}/${back}`);
    assert.equal(imported.outputs?.present, true);

    // destroy: the session that came back is revoked (by whichever resource goes first; the other
    // finds it already gone), the stolen one is asked for again; state is empty.
    world.emulator.clearRequests();
    await p.ok(["destroy", "--yes", "--skip-preview"]);
    assert.equal(
      world.emulator.state.getSession(world.environmentId, world.userId, back),
      undefined,
      "destroy revoked the session that came back",
    );
    assert.ok(deletedSessionIds(world).includes(back));
    assert.ok(deletedSessionIds(world).includes(stolenSession));
    state = await p.exportState();
    assert.deepEqual(
      state.resources.filter((r) => r.type.startsWith("pingone-sessions:")),
      [],
    );
    assertNoPlaintextSecret(state, SENTINEL_SECRET, "after destroy");
  });
});
