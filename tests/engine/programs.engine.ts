/**
 * Each example in `examples/` and the root program (`Pulumi.yaml`, `program/index.ts`) under
 * Pulumi's real engine against the emulator, with the stack config each documents: up revokes
 * what the config names, destroy revokes what came back. The programs are run as inline programs
 * of the Automation API (the Node.js language host cannot be built here: see tools/engine), with
 * the project name of their Pulumi.yaml, so `new pulumi.Config()` reads the same keys as under
 * `pulumi up` in their folder.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ConfigMap } from "@pulumi/pulumi/automation";
import { EngineStack, newEngineStack } from "../../harness/engine";
import { startWorld, World } from "../support/world";
import { deletedSessionIds, pingoneConfig } from "./support";

const ROOT = path.resolve(__dirname, "../..");

/** The project name a folder's Pulumi.yaml gives. */
function projectNameOf(folder: string): string {
  const match = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(folder, "Pulumi.yaml"), "utf8"));
  assert.ok(match, `${folder}/Pulumi.yaml names its project`);
  return match[1];
}

/** Loads `file` afresh on every run, as the language host does for each `pulumi up`. */
function programOf(file: string): () => Promise<Record<string, unknown>> {
  return async () => {
    delete require.cache[require.resolve(file)];
    return { ...(require(file) as Record<string, unknown>) };
  };
}

describe("the examples and the root program under the real engine", function () {
  let world: World;
  let stacks: EngineStack[];

  beforeEach(async () => {
    world = await startWorld({}, 2);
    stacks = [];
  });
  afterEach(async () => {
    for (const es of stacks) await es.remove();
    await world.stop();
  });

  async function run(folder: string, main: string, config: Record<string, unknown>): Promise<EngineStack> {
    const projectName = projectNameOf(folder);
    const programConfig: ConfigMap = Object.fromEntries(
      Object.entries(config).map(([key, value]) => [
        `${projectName}:${key}`,
        { value: typeof value === "string" ? value : JSON.stringify(value) },
      ]),
    );
    const es = await newEngineStack({
      projectName,
      program: programOf(path.join(folder, main)),
      config: { ...pingoneConfig(world), ...programConfig },
    });
    stacks.push(es);
    return es;
  }

  it("revoke-one-session: up revokes the configured session; destroy revokes it again after it came back", async () => {
    const es = await run(path.join(ROOT, "examples/revoke-one-session"), "index.ts", {
      environmentId: world.environmentId,
      userId: world.userId,
      sessionId: world.sessionIds[0],
    });
    const up = await es.stack.up();
    assert.equal(up.outputs.outcome.value, "revoked");
    assert.equal(up.outputs.present.value, false);
    assert.deepEqual(deletedSessionIds(world), [world.sessionIds[0]]);
    world.emulator.state.addSession(world.environmentId, world.userId, { id: world.sessionIds[0] });
    await es.stack.destroy();
    assert.deepEqual(deletedSessionIds(world), [world.sessionIds[0], world.sessionIds[0]]);
    assert.equal(world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[0]), undefined);
  });

  it("incident-response: up signs out each listed user's sessions from before the cutoff", async () => {
    const other = world.emulator.state.addUser(world.environmentId);
    const otherSession = world.emulator.state.addSession(world.environmentId, other, {
      createdAt: new Date(Date.now() - 60_000),
    }).id;
    const es = await run(path.join(ROOT, "examples/incident-response"), "index.ts", {
      environmentId: world.environmentId,
      users: [world.userId, other],
      createdBefore: new Date().toISOString(),
    });
    const up = await es.stack.up();
    assert.deepEqual(up.outputs.revokedSessionIds.value, {
      [world.userId]: [...world.sessionIds].reverse(),
      [other]: [otherSession],
    });
    assert.deepEqual(up.outputs.usersWithSessions.value, []);
    assert.deepEqual([...deletedSessionIds(world)].sort(), [...world.sessionIds, otherSession].sort());
  });

  it("environment-teardown: up revokes every session of the listed users; destroy revokes new sign-ons", async () => {
    const es = await run(path.join(ROOT, "examples/environment-teardown"), "index.ts", {
      environmentId: world.environmentId,
      userIds: [world.userId],
    });
    const up = await es.stack.up();
    assert.equal(up.outputs.sessionsRevoked.value, 2);
    const late = world.emulator.state.addSession(world.environmentId, world.userId).id;
    world.emulator.clearRequests();
    await es.stack.destroy();
    assert.deepEqual(deletedSessionIds(world), [late]);
  });

  it("population-teardown: up sweeps the configured population and exports its counts", async () => {
    const populationId = world.emulator.state.addPopulation(world.environmentId, { name: "Contractors" });
    const sessions: string[] = [];
    for (let i = 0; i < 3; i++) {
      const userId = world.emulator.state.addUser(world.environmentId, { populationId });
      sessions.push(world.emulator.state.addSession(world.environmentId, userId).id);
    }
    const es = await run(path.join(ROOT, "examples/population-teardown"), "index.ts", {
      environmentId: world.environmentId,
      populationId,
    });
    const up = await es.stack.up();
    assert.equal(up.outputs.usersScanned.value, 3);
    assert.equal(up.outputs.sessionsRevoked.value, 3);
    assert.equal(up.outputs.sessionsRemaining.value, 0);
    assert.deepEqual([...deletedSessionIds(world)].sort(), [...sessions].sort());
    assert.equal(
      world.emulator.state.listSessions(world.environmentId, world.userId).length,
      2,
      "a user outside the population keeps its sessions",
    );
  });

  it("the root program: pingone-sessions:revoke lists a session and a user; up revokes both, a second up sends nothing", async () => {
    const other = world.emulator.state.addUser(world.environmentId);
    const otherSession = world.emulator.state.addSession(world.environmentId, other).id;
    const es = await run(ROOT, "program/index.ts", {
      revoke: [
        { environmentId: world.environmentId, userId: world.userId, sessionId: world.sessionIds[0] },
        { environmentId: world.environmentId, userId: other },
      ],
    });
    const up = await es.stack.up();
    const revocations = up.outputs.revocations.value as Record<
      string,
      { outcome?: string; revokedSessionIds?: string[] }
    >;
    assert.deepEqual(revocations[`session-${world.sessionIds[0]}`], { outcome: "revoked", present: false });
    assert.deepEqual(revocations[`user-${world.environmentId}-${other}`], {
      revokedSessionIds: [otherSession],
      present: false,
    });
    assert.deepEqual([...deletedSessionIds(world)].sort(), [world.sessionIds[0], otherSession].sort());
    assert.ok(
      world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[1]),
      "an unlisted session lives",
    );
    world.emulator.clearRequests();
    const again = await es.stack.up();
    assert.deepEqual(again.summary.resourceChanges, { same: 3 });
    assert.deepEqual(world.emulator.requests(), []);
  });
});
