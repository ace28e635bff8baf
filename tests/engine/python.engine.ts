/**
 * The Python example (`examples/python-teardown`) run by the real engine against the emulator,
 * with the Python SDK generated from the schema (sdk/python) built into a wheel and installed for
 * the Python environment of `npm run languages` (`pulumi` from PyPI at the engine's version).
 *
 * Pulumi's Python language host cannot be built here (the Go module proxy refuses its module; see
 * docs/languages.md), so the program runs as an inline program of the Python Automation API
 * (tests/engine/python/drive.py): the Python process serves it to the engine as the language host
 * would. `stack export` and config run as the CLI a user types; import is the `import_` resource
 * option (the CLI's `pulumi import` needs the language host: tests/engine/python/programs.py).
 * The resources use the default provider, configured by stack config under `pingone-sessions:`.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { engineBuild } from "../../harness/engine";
import { ensurePythonEnv } from "../../tools/python/build";
import { buildPythonWheel, installWheel } from "../../tools/sdk/build";
import { SENTINEL_SECRET } from "../support/world";
import { apiLog, deletedSessionIds } from "./support";
import { assertNoPlaintextSecret, cliProjectSuite, findPlugin, stateResource } from "./languages";

const EXAMPLE = path.resolve(__dirname, "../../examples/python-teardown");
const DRIVER = path.join(__dirname, "python", "drive.py");
const USER_REVOCATION = "pingone-sessions:index:UserSessionsRevocation";
const SESSION_REVOCATION = "pingone-sessions:index:SessionRevocation";

/** What drive.py prints: the operation's outputs and resource changes. */
interface DriveResult {
  outputs: Record<string, unknown>;
  changes: Record<string, number>;
}

describe("a Python program with the generated SDK, under the real engine", function () {
  const suite = cliProjectSuite();

  it("up revokes, import adopts a session by id, refresh notices a session back, destroy revokes; no secret in state", async function () {
    this.timeout(600_000);
    const plugin = findPlugin();
    const python = ensurePythonEnv();
    const world = suite.world();
    const p = suite.newProject(EXAMPLE, "python-teardown", [plugin.binDir]);

    // The SDK as a user gets it: a wheel, installed (for PYTHONPATH) beside the project.
    const wheelDir = path.join(p.dir, ".wheel");
    fs.mkdirSync(wheelDir);
    const wheel = buildPythonWheel(python, wheelDir);
    installWheel(python, wheel, path.join(p.dir, ".site"));

    const drive = (operation: string, module = "teardown", fn = "teardown") =>
      new Promise<DriveResult>((resolve, reject) => {
        const env = {
          ...process.env,
          ...p.env,
          PYTHONPATH: path.join(p.dir, ".site"),
          PULUMI_ENGINE_ROOT: engineBuild().root,
          PULUMI_STACK_NAME: "teardown",
        };
        execFile(
          python.python,
          [DRIVER, operation, p.dir, "python-teardown", module, fn],
          { cwd: p.dir, env, maxBuffer: 64 * 2 ** 20 },
          (error, stdout, stderr) => {
            if (error) reject(new Error(`drive.py ${operation} failed: ${error.message}\n${stdout}\n${stderr}`));
            else resolve(JSON.parse(stdout.trim().split("\n").pop() as string) as DriveResult);
          },
        );
      });

    const other = world.emulator.state.addUser(world.environmentId);
    const otherSession = world.emulator.state.addSession(world.environmentId, other).id;
    await p.ok(["stack", "init", "teardown"]);
    await p.ok(["config", "set", "environmentId", world.environmentId]);
    await p.ok(["config", "set", "--path", "userIds[0]", world.userId]);
    await p.ok(["config", "set", "--path", "userIds[1]", other]);
    for (const [key, value] of [
      ["clientId", world.clientId],
      ["environmentId", world.environmentId],
      ["apiUrl", world.emulator.apiUrl],
      ["authUrl", world.emulator.authUrl],
    ]) {
      await p.ok(["config", "set", `pingone-sessions:${key}`, value]);
    }
    await p.ok(["config", "set", "--secret", "pingone-sessions:clientSecret", SENTINEL_SECRET]);

    // up: every session of both users, one DELETE each.
    world.emulator.clearRequests();
    const up = await drive("up");
    assert.deepEqual(
      up.changes,
      { create: 3 },
      "the stack and two revocations (the engine does not count default providers)",
    );
    assert.deepEqual(deletedSessionIds(world).sort(), [...world.sessionIds, otherSession].sort());
    assert.deepEqual(up.outputs.usersWithSessions, []);
    const revoked = up.outputs.revokedSessionIds as Record<string, string[]>;
    assert.deepEqual([...revoked[world.userId]].sort(), [...world.sessionIds].sort());
    assert.deepEqual(revoked[other], [otherSession]);
    let state = await p.exportState();
    assertNoPlaintextSecret(state, SENTINEL_SECRET, "after up");

    // import, with the `import_` resource option (see tests/engine/python/programs.py for why not
    // the CLI): the engine reads the session the user made after up by its id, through the plugin,
    // and records it present, with no DELETE; the same up then brings it to the program's desired
    // state (revoked), as for any resource a program adopts: exactly one DELETE, by the update.
    const adopted = world.emulator.state.addSession(world.environmentId, world.userId).id;
    await p.ok(["config", "set", "importedSessionId", adopted]);
    world.emulator.clearRequests();
    const imported = await drive("up", "programs", "teardown_and_imported_session");
    assert.deepEqual(imported.changes, { import: 1, update: 1, same: 3 });
    assert.deepEqual(deletedSessionIds(world), [adopted], "one DELETE, of the adopted session");
    state = await p.exportState();
    const session = stateResource(state.resources, SESSION_REVOCATION, "imported-session");
    assert.equal(session.id, `${world.environmentId}/${world.userId}/${adopted}`);
    assert.equal(session.outputs?.outcome, "revoked");
    assert.equal(session.outputs?.present, false);

    // refresh after the user signed in again: drift noticed, nothing revoked.
    const back = world.emulator.state.addSession(world.environmentId, world.userId).id;
    world.emulator.clearRequests();
    const refresh = await drive("refresh", "programs", "teardown_and_imported_session");
    assert.equal(refresh.changes.update, 1, "refresh changed the one revocation whose user has a session again");
    assert.deepEqual(deletedSessionIds(world), [], "refresh revokes nothing");
    assert.ok(apiLog(world).length > 0, "refresh asked PingOne");
    state = await p.exportState();
    const user = stateResource(state.resources, USER_REVOCATION, `teardown-${world.userId}`);
    assert.equal(user.outputs?.present, true);
    assert.deepEqual(user.outputs?.remainingSessionIds, [back]);
    assert.equal(stateResource(state.resources, USER_REVOCATION, `teardown-${other}`).outputs?.present, false);
    assert.equal(stateResource(state.resources, SESSION_REVOCATION, "imported-session").outputs?.present, false);

    // destroy: the session that came back is revoked; state keeps no revocation.
    world.emulator.clearRequests();
    await drive("destroy", "programs", "teardown_and_imported_session");
    assert.equal(
      world.emulator.state.getSession(world.environmentId, world.userId, back),
      undefined,
      "destroy revoked the session that came back",
    );
    assert.ok(deletedSessionIds(world).includes(back));
    state = await p.exportState();
    assert.deepEqual(
      state.resources.filter((r) => r.type.startsWith("pingone-sessions:")),
      [],
    );
    assertNoPlaintextSecret(state, SENTINEL_SECRET, "after destroy");
  });
});
