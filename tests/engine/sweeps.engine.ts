/**
 * UserSessionsRevocation and PopulationSessionsRevocation under Pulumi's real engine, against the
 * emulator: their lifecycles (up, a second up, update versus replace, refresh, destroy) and a
 * population sweep interrupted by SIGINT and by SIGKILL, then recovered as the README says.
 */
import assert from "node:assert/strict";
import { EngineStack, newEngineStack } from "../../harness/engine";
import { PopulationSessionsRevocation, UserSessionsRevocation } from "../../provider";
import { startWorld, World } from "../support/world";
import { deletedSessionIds, pingoneConfig, resourceOf } from "./support";

describe("sweeping resources under the real engine", function () {
  let world: World;
  let stacks: EngineStack[];

  afterEach(async () => {
    for (const es of stacks) await es.remove();
    await world.stop();
  });

  async function stack(
    projectName: string,
    program: () => Promise<Record<string, unknown> | void>,
  ): Promise<EngineStack> {
    const es = await newEngineStack({ projectName, program, config: pingoneConfig(world) });
    stacks.push(es);
    return es;
  }

  /** A population of `users` users with `sessions` sessions each, all created an hour ago. */
  function population(
    users: number,
    sessions: number,
  ): { populationId: string; userIds: string[]; sessionIds: string[] } {
    const populationId = world.emulator.state.addPopulation(world.environmentId, { name: "Contractors" });
    const sessionIds: string[] = [];
    const userIds: string[] = [];
    for (let u = 0; u < users; u++) {
      const userId = world.emulator.state.addUser(world.environmentId, { populationId });
      userIds.push(userId);
      for (let s = 0; s < sessions; s++) {
        sessionIds.push(
          world.emulator.state.addSession(world.environmentId, userId, {
            createdAt: new Date(Date.now() - 3_600_000 + s * 1000),
          }).id,
        );
      }
    }
    return { populationId, userIds, sessionIds };
  }

  describe("UserSessionsRevocation", () => {
    beforeEach(async () => {
      world = await startWorld({}, 4);
      stacks = [];
    });

    it("revokes what matches, changes nothing on a second up, updates on a new createdBefore, revokes a new sign-on after refresh, and destroys", async () => {
      let createdBefore: string | undefined = new Date(Date.now() - 150_000).toISOString();
      const es = await stack("user", async () => {
        const revocation = new UserSessionsRevocation("user", {
          environmentId: world.environmentId,
          userId: world.userId,
          createdBefore,
        });
        return { revoked: revocation.revokedSessionIds };
      });
      // startWorld made 4 sessions, 4, 3, 2 and 1 minutes old: the cutoff keeps the two newest.
      const up = await es.stack.up();
      assert.deepEqual([...(up.outputs.revoked.value as string[])].sort(), world.sessionIds.slice(0, 2).sort());
      assert.deepEqual(deletedSessionIds(world).sort(), world.sessionIds.slice(0, 2).sort());

      world.emulator.clearRequests();
      const again = await es.stack.up();
      assert.deepEqual(again.summary.resourceChanges, { same: 2 });
      assert.deepEqual(world.emulator.requests(), []);

      createdBefore = undefined;
      const preview = await es.stack.preview({ diff: true });
      assert.deepEqual(preview.changeSummary, { same: 1, update: 1 });
      assert.match(
        preview.stdout,
        /~ pulumi-nodejs:dynamic\/pingone:UserSessionsRevocation: \(update\)[\s\S]*- createdBefore\s*: "[^"]+"/,
      );
      const update = await es.stack.up();
      assert.deepEqual(update.summary.resourceChanges, { same: 1, update: 1 });
      assert.deepEqual(
        deletedSessionIds(world).sort(),
        world.sessionIds.slice(2).sort(),
        "the update revoked the rest, nothing twice",
      );

      const signOn = world.emulator.state.addSession(world.environmentId, world.userId).id;
      world.emulator.clearRequests();
      await es.stack.refresh();
      const recorded = resourceOf((await es.exportState()).resources, "UserSessionsRevocation");
      assert.deepEqual(recorded.outputs?.remainingSessionIds, [signOn]);
      assert.equal(recorded.outputs?.present, true);
      await es.stack.up();
      assert.deepEqual(deletedSessionIds(world), [signOn]);

      const late = world.emulator.state.addSession(world.environmentId, world.userId).id;
      world.emulator.clearRequests();
      const destroy = await es.stack.destroy();
      assert.deepEqual(destroy.summary.resourceChanges, { delete: 2 });
      assert.deepEqual(deletedSessionIds(world), [late]);
      assert.deepEqual(world.emulator.state.listSessions(world.environmentId, world.userId), []);
    });

    it("replaces on another user", async () => {
      const other = world.emulator.state.addUser(world.environmentId);
      let userId = world.userId;
      const es = await stack("user-replace", async () => {
        new UserSessionsRevocation("user", { environmentId: world.environmentId, userId });
      });
      await es.stack.up();
      userId = other;
      const preview = await es.stack.preview({ diff: true });
      assert.deepEqual(preview.changeSummary, { same: 1, replace: 1 });
      assert.match(
        preview.stdout,
        /\+-pulumi-nodejs:dynamic\/pingone:UserSessionsRevocation: \(replace\)[\s\S]*~ userId\s*: "[0-9a-f-]{36}" => "[0-9a-f-]{36}"/,
      );
    });
  });

  describe("PopulationSessionsRevocation", () => {
    it("sweeps the population on up, records what came back on refresh, sweeps again on up and on destroy", async () => {
      world = await startWorld({}, 1);
      stacks = [];
      const { populationId, userIds, sessionIds } = population(6, 2);
      const es = await stack("population", async () => {
        const sweep = new PopulationSessionsRevocation("contractors", {
          environmentId: world.environmentId,
          populationId,
        });
        return { revoked: sweep.sessionsRevoked, scanned: sweep.usersScanned };
      });
      const up = await es.stack.up();
      assert.equal(up.outputs.revoked.value, 12);
      assert.equal(up.outputs.scanned.value, 6);
      assert.deepEqual(deletedSessionIds(world).sort(), [...sessionIds].sort());
      assert.ok(
        world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[0]),
        "a user outside the population keeps its session",
      );

      world.emulator.clearRequests();
      const quiet = await es.stack.refresh();
      assert.deepEqual(quiet.summary.resourceChanges, { same: 2 });
      assert.equal(deletedSessionIds(world).length, 0, "refresh never revokes");

      const user = userIds[0];
      const back = world.emulator.state.addSession(world.environmentId, user).id;
      const drift = await es.stack.refresh();
      assert.deepEqual(drift.summary.resourceChanges, { same: 1, update: 1 });
      assert.equal(
        resourceOf((await es.exportState()).resources, "PopulationSessionsRevocation").outputs?.sessionsRemaining,
        1,
      );
      world.emulator.clearRequests();
      await es.stack.up();
      assert.deepEqual(deletedSessionIds(world), [back]);

      const late = world.emulator.state.addSession(world.environmentId, user).id;
      world.emulator.clearRequests();
      await es.stack.destroy();
      assert.deepEqual(deletedSessionIds(world), [late]);
    });

    it("lets the sweep in flight finish on SIGINT of pulumi up (Pulumi's graceful cancel), records it, and a second up sends nothing", async () => {
      const { es, sessionIds, ended } = await interruptedSweep("interrupted", 40, "SIGINT");
      assert.notEqual(ended, "finished", "up reports that it was interrupted");
      assert.deepEqual(
        [...deletedSessionIds(world)].sort(),
        [...sessionIds].sort(),
        "the sweep in flight finished: each session once",
      );
      assert.equal(
        resourceOf((await es.exportState()).resources, "PopulationSessionsRevocation").outputs?.sessionsRevoked,
        120,
      );
      world.emulator.clearRequests();
      const second = await es.stack.up();
      assert.deepEqual(second.summary.resourceChanges, { same: 2 });
      assert.deepEqual(world.emulator.requests(), []);
    });

    it("stops the provider with the engine on SIGKILL of pulumi up; after pulumi cancel and refresh --clear-pending-creates, up revokes the rest, none twice", async () => {
      const { es, sessionIds, ended } = await interruptedSweep("killed", 80, "SIGKILL");
      assert.notEqual(ended, "finished");
      await providersGone(es.workDir);
      const deletedAtStop = deletedSessionIds(world).length;
      assert.ok(
        deletedAtStop < sessionIds.length,
        `stopped in the middle: ${deletedAtStop} of ${sessionIds.length} revoked`,
      );
      const { atRest } = await es.exportState();
      assert.match(
        atRest,
        /"pending_operations":\s*\[\s*\{[\s\S]*"type":\s*"creating"/,
        "the killed create is pending in state",
      );

      const recovery = await recover(es);
      const second = await es.stack.up();
      assert.equal(second.summary.result, "succeeded", recovery);
      assert.equal(world.emulator.state.sessionCount(), 1, "only the session of the user outside the population lives");
      const deletes = deletedSessionIds(world);
      assert.deepEqual(
        deletes.filter((id, index) => deletes.indexOf(id) !== index),
        [],
        "no session was sent two DELETEs",
      );
      assert.deepEqual([...new Set(deletes)].sort(), [...sessionIds].sort());
    });
  });

  /**
   * A population of `users` users with 3 sessions each, swept by `pulumi up` at 20 ms latency and
   * two requests at a time; `signal` is sent to the CLI once 20 sessions are revoked. Returns how
   * up ended ("finished", or its error message).
   */
  async function interruptedSweep(
    projectName: string,
    users: number,
    signal: NodeJS.Signals,
  ): Promise<{ es: EngineStack; sessionIds: string[]; ended: string }> {
    world = await startWorld({ latencyMs: 20 }, 1);
    stacks = [];
    const { populationId, sessionIds } = population(users, 3);
    const es = await stack(projectName, async () => {
      new PopulationSessionsRevocation("contractors", {
        environmentId: world.environmentId,
        populationId,
        connection: { maxConcurrency: 2 },
      });
    });
    let settled = false;
    const running = es.stack.up().then(
      () => "finished",
      (error: Error) => error.message,
    );
    void running.then(() => (settled = true));
    while (!settled && deletedSessionIds(world).length < 20) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(!settled, "up was still running when the signal was due");
    es.processes[es.processes.length - 1].kill(signal);
    return { es, sessionIds, ended: await running };
  }

  /** Waits until no dynamic-provider process started for `workDir` is left (Linux /proc); fails after 15 s. */
  async function providersGone(workDir: string): Promise<void> {
    const fs = await import("node:fs");
    const living = () =>
      fs.readdirSync("/proc").filter((pid) => {
        try {
          return (
            /^\d+$/.test(pid) &&
            fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("dynamic-provider") &&
            fs.readlinkSync(`/proc/${pid}/cwd`) === workDir
          );
        } catch {
          return false;
        }
      });
    for (let i = 0; i < 300 && living().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(living(), [], "no provider process outlives its engine");
  }

  /** `pulumi cancel` when a lock is left, then `pulumi refresh --clear-pending-creates`; returns what they printed. */
  async function recover(es: EngineStack): Promise<string> {
    const out: string[] = [];
    const cancel = await es.cli(["cancel", "--yes", "--stack", "test"]);
    out.push(`cancel ${cancel.code}: ${cancel.stdout}${cancel.stderr}`);
    const refresh = await es.cli(["refresh", "--yes", "--clear-pending-creates", "--stack", "test"]);
    out.push(`refresh ${refresh.code}: ${refresh.stdout}${refresh.stderr}`);
    return out.join("\n");
  }
});
