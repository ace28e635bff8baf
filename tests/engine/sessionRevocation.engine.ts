/**
 * SessionRevocation under Pulumi's real engine (`npm run engine`), against the emulator: preview,
 * up, refresh, destroy, replace and update, secrets in state, credential rotation and a 403.
 * Each case asserts on the emulator's request log and on `pulumi stack export`.
 */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { EngineStack, newEngineStack } from "../../harness/engine";
import { SessionRevocation } from "../../provider";
import { STORED_CONFIG_ADVICE } from "../../provider/runtime/common";
import { SENTINEL_SECRET, startWorld, World } from "../support/world";
import { apiLog, assertNoPlaintext, deletedSessionIds, pingoneConfig, resourceOf } from "./support";

describe("SessionRevocation under the real engine", function () {
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

  /** A stack whose program revokes the sessions `sessionIds()` names at each run. */
  async function sessionsStack(
    sessionIds: () => string[],
    extra: { connection?: pulumi.Input<Record<string, pulumi.Input<string>>> } = {},
  ): Promise<EngineStack> {
    const es = await newEngineStack({
      projectName: "sessions",
      program: async () => {
        const outcomes: Record<string, pulumi.Output<string>> = {};
        for (const [index, sessionId] of sessionIds().entries()) {
          const revocation = new SessionRevocation(`session-${index}`, {
            environmentId: world.environmentId,
            userId: world.userId,
            sessionId,
            ...extra,
          });
          outcomes[`session-${index}`] = revocation.outcome;
        }
        return { outcomes };
      },
      config: pingoneConfig(world),
    });
    stacks.push(es);
    return es;
  }

  it("preview sends PingOne nothing; up revokes each session with one DELETE; a second up changes nothing and sends nothing", async () => {
    const es = await sessionsStack(() => world.sessionIds.slice(0, 2));
    const preview = await es.stack.preview();
    assert.deepEqual(preview.changeSummary, { create: 3 });
    assert.deepEqual(world.emulator.requests(), [], "preview sent no request at all, not even for a token");

    const up = await es.stack.up();
    assert.deepEqual(up.summary.resourceChanges, { create: 3 });
    assert.deepEqual(up.outputs.outcomes.value, { "session-0": "revoked", "session-1": "revoked" });
    assert.deepEqual(deletedSessionIds(world).sort(), world.sessionIds.slice(0, 2).sort());
    assert.deepEqual(apiLog(world), [
      "DELETE /v1/environments/:id/users/:id/sessions/:id 204",
      "DELETE /v1/environments/:id/users/:id/sessions/:id 204",
    ]);
    assert.ok(
      world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[2]),
      "the unlisted session lives",
    );

    world.emulator.clearRequests();
    const again = await es.stack.up();
    assert.deepEqual(again.summary.resourceChanges, { same: 3 });
    assert.deepEqual(world.emulator.requests(), []);

    const { resources } = await es.exportState();
    const stored = resourceOf(resources, "SessionRevocation", "session-0");
    assert.equal(stored.id, `${world.environmentId}/${world.userId}/${world.sessionIds[0]}`);
    assert.equal(stored.outputs?.outcome, "revoked");
    assert.equal(stored.outputs?.present, false);
  });

  it("refresh of an unchanged stack shows no change; a session back is recorded by refresh and revoked by the next up", async () => {
    const es = await sessionsStack(() => [world.sessionIds[0]]);
    await es.stack.up();
    const checkedAt = resourceOf((await es.exportState()).resources, "SessionRevocation").outputs?.checkedAt;

    world.emulator.clearRequests();
    const quiet = await es.stack.refresh();
    assert.deepEqual(quiet.summary.resourceChanges, { same: 2 }, "nothing changed, so refresh records nothing");
    assert.deepEqual(apiLog(world), ["GET /v1/environments/:id/users/:id/sessions/:id 404"]);
    assert.equal(resourceOf((await es.exportState()).resources, "SessionRevocation").outputs?.checkedAt, checkedAt);

    world.emulator.state.addSession(world.environmentId, world.userId, { id: world.sessionIds[0] });
    // As a user runs it at a terminal: pulumi refresh --diff.
    const drift = await es.cli(["refresh", "--yes", "--diff", "--stack", "test"]);
    assert.equal(drift.code, 0, drift.stderr);
    assert.match(
      drift.stdout,
      /~ pulumi-nodejs:dynamic\/pingone:SessionRevocation: \(update\)[\s\S]*~ present\s*: false => true/,
      "refresh names present as what changed",
    );
    const recorded = resourceOf((await es.exportState()).resources, "SessionRevocation");
    assert.equal(recorded.outputs?.present, true);
    assert.notEqual(recorded.outputs?.checkedAt, checkedAt);

    // Node's dynamic-provider host forwards no detailed diff, so the update's preview names no property.
    const preview = await es.stack.preview({ diff: true });
    assert.deepEqual(preview.changeSummary, { same: 1, update: 1 });
    assert.match(preview.stdout, /~ pulumi-nodejs:dynamic\/pingone:SessionRevocation: \(update\)/);

    world.emulator.clearRequests();
    const up = await es.stack.up();
    assert.deepEqual(up.summary.resourceChanges, { same: 1, update: 1 });
    assert.deepEqual(deletedSessionIds(world), [world.sessionIds[0]]);
    assert.equal(world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[0]), undefined);
    assert.equal(resourceOf((await es.exportState()).resources, "SessionRevocation").outputs?.present, false);
  });

  it("destroy revokes a session that exists, and succeeds when it is already gone", async () => {
    const es = await sessionsStack(() => world.sessionIds.slice(0, 2));
    await es.stack.up();
    world.emulator.state.addSession(world.environmentId, world.userId, { id: world.sessionIds[0] });
    world.emulator.clearRequests();
    const destroy = await es.stack.destroy();
    assert.deepEqual(destroy.summary.resourceChanges, { delete: 3 });
    assert.deepEqual(
      world
        .apiRequests()
        .map((r) => `${r.method} ${r.path.split("/").pop()} ${r.status}`)
        .sort(),
      [`DELETE ${world.sessionIds[0]} 204`, `DELETE ${world.sessionIds[1]} 404`].sort(),
    );
    assert.equal(world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[0]), undefined);
    assert.deepEqual((await es.exportState()).resources, []);
  });

  it("another sessionId replaces, and preview says which property", async () => {
    let target = world.sessionIds[0];
    const es = await sessionsStack(() => [target]);
    await es.stack.up();
    target = world.sessionIds[1];
    world.emulator.clearRequests();
    const preview = await es.stack.preview({ diff: true });
    assert.deepEqual(preview.changeSummary, { same: 1, replace: 1 });
    assert.match(
      preview.stdout,
      /\+-pulumi-nodejs:dynamic\/pingone:SessionRevocation: \(replace\)[\s\S]*~ sessionId\s*: "[0-9a-f-]{36}" => "[0-9a-f-]{36}"/,
    );
    assert.deepEqual(world.emulator.requests(), []);
    await es.stack.up();
    // Create the replacement, then delete the replaced: both DELETE, and the old one is gone already.
    assert.deepEqual(deletedSessionIds(world), [world.sessionIds[1], world.sessionIds[0]]);
    assert.equal(
      resourceOf((await es.exportState()).resources, "SessionRevocation").id,
      `${world.environmentId}/${world.userId}/${world.sessionIds[1]}`,
    );
  });

  it("keeps a client secret from pulumi config set --secret and a secret inside connection out of state", async () => {
    const connectionSentinel = "sentinel-connection-secret-5d1f0a";
    world.emulator.state.addApplication({
      environmentId: world.environmentId,
      clientId: "00000000-0000-4000-8000-00000000c0de",
      clientSecret: connectionSentinel,
      roles: [{ role: "Identity Data Administrator", environmentId: world.environmentId }],
    });
    const es = await sessionsStack(() => [world.sessionIds[0]], {
      connection: { clientId: "00000000-0000-4000-8000-00000000c0de", clientSecret: connectionSentinel },
    });
    const up = await es.stack.up();
    assert.deepEqual(up.outputs.outcomes.value, { "session-0": "revoked" });
    const token = world.apiRequests()[0].headers.authorization.replace("Bearer ", "");
    await assertNoPlaintext(es, [SENTINEL_SECRET, connectionSentinel, token]);
    const stored = resourceOf((await es.exportState()).resources, "SessionRevocation");
    assert.ok(JSON.stringify(stored.inputs?.connection).includes("ciphertext"), "the connection input is encrypted");
    assert.ok(JSON.stringify(stored.outputs?.connection).includes("ciphertext"), "so is the output of the same name");
    assert.ok(!up.stdout.includes(connectionSentinel) && !up.stderr.includes(connectionSentinel));
  });

  it("refreshes and destroys with rotated credentials once the program runs (--run-program); without it, says so", async () => {
    const es = await sessionsStack(() => [world.sessionIds[0]]);
    await es.stack.up();
    // Rotation: a new worker application in stack config, the old one deleted.
    const rotated = world.emulator.state.addApplication({
      environmentId: world.environmentId,
      clientSecret: "rotated-secret-4b8e",
      roles: [{ role: "Identity Data Administrator", environmentId: world.environmentId }],
    });
    world.emulator.state.removeApplication(world.clientId);
    await es.stack.setAllConfig(pingoneConfig(world, rotated));
    world.emulator.state.addSession(world.environmentId, world.userId, { id: world.sessionIds[0] });

    // Pulumi configures the default provider from what the last up stored, unless the program runs.
    const stale = await es.stack.refresh().then(
      () => assert.fail("refresh with the deleted application must fail"),
      (error: Error & { commandResult?: { stdout: string; stderr: string } }) =>
        `${error.commandResult?.stdout}\n${error.commandResult?.stderr}`,
    );
    assert.match(stale, /HTTP 401 invalid_client/);
    assert.ok(
      stale.includes(STORED_CONFIG_ADVICE),
      "the failure says why the old application was used, and what to do",
    );

    world.emulator.clearRequests();
    const refreshed = await es.stack.refresh({ runProgram: true });
    assert.deepEqual(refreshed.summary.resourceChanges, { same: 1, update: 1 });
    await es.stack.destroy({ runProgram: true });
    const basic = `Basic ${Buffer.from(`${rotated.clientId}:${rotated.clientSecret}`).toString("base64")}`;
    assert.ok(world.tokenRequests().length > 0);
    assert.deepEqual(
      world.tokenRequests().map((r) => r.headers.authorization === basic),
      world.tokenRequests().map(() => true),
      "every token request used the rotated application",
    );
    assert.deepEqual(apiLog(world), [
      "GET /v1/environments/:id/users/:id/sessions/:id 200",
      "DELETE /v1/environments/:id/users/:id/sessions/:id 204",
    ]);
    assert.equal(world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[0]), undefined);
  });

  it("fails a 403 through the engine with the exact role explanation, exits non-zero, and records no revocation", async () => {
    const staff = world.emulator.state.addPopulation(world.environmentId, { name: "Staff" });
    const scoped = world.emulator.state.addApplication({
      environmentId: world.environmentId,
      clientSecret: "scoped-secret-9a7c",
      roleAssignments: [{ role: "Identity Data Admin", scope: { type: "POPULATION", id: staff } }],
    });
    const es = await newEngineStack({
      projectName: "refused",
      program: async () => {
        new SessionRevocation("outside", {
          environmentId: world.environmentId,
          userId: world.userId,
          sessionId: world.sessionIds[0],
        });
      },
      config: pingoneConfig(world, scoped),
    });
    stacks.push(es);
    const failure = await es.stack.up().then(
      () => assert.fail("up must fail"),
      (error: Error & { commandResult?: { code: number; stdout: string; stderr: string } }) => error,
    );
    const output = `${failure.commandResult?.stdout}\n${failure.commandResult?.stderr}`;
    assert.notEqual(failure.commandResult?.code, 0);
    assert.match(
      output,
      new RegExp(
        `Could not revoke session \\(session ${world.sessionIds[0]} of user ${world.userId} in environment ${world.environmentId}\\): HTTP 403 ACCESS_FAILED`,
      ),
    );
    assert.match(
      output,
      /holds Identity Data Admin for population "Staff" \([0-9a-f-]{36}\) of environment [0-9a-f-]{36} only, and may not even read user [0-9a-f-]{36}: the user is outside those populations/,
    );
    assert.ok(
      world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[0]),
      "the session lives",
    );
    const { resources } = await es.exportState();
    assert.equal(resources.filter((r) => r.type.endsWith("SessionRevocation")).length, 0, "no revocation recorded");
  });
});
