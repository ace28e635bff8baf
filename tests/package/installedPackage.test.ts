/**
 * The published artefact: `npm pack`, installed into an empty project the way
 * a user installs it, then a revocation through Pulumi's dynamic-provider
 * host running in that project. This is the path every real stack takes: the
 * serialized shim `require`s `pulumi-pingone-sessions/runtime` from the
 * project's node_modules.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ProviderHost, urnFor } from "../../harness/providerHost";
import { SENTINEL_SECRET, startWorld, World } from "../support/world";
import { packedPackage, ROOT } from "./packedPackage";
import { PluginProcess, urnOf } from "../plugin/pluginProcess";

describe("the npm package, installed into an empty project", function () {
  this.timeout(180_000);
  let project: string;
  let serialized: string;
  let world: World;

  before(() => {
    project = packedPackage().project;
    // Serialize inside the consumer project, exactly as `new SessionRevocation(...)` would there. The provider
    // object is not exported (the package's exports refuse a deep require), so it is loaded by its file's path.
    serialized = execFileSync(
      process.execPath,
      [
        "-e",
        `const root = require("path").dirname(require.resolve("pulumi-pingone-sessions/package.json"));
         const { sessionRevocationProvider } = require(root + "/dist/provider/resources/sessionRevocation.js");
         require("@pulumi/pulumi/runtime/closure/serializeClosure")
           .serializeFunction(() => sessionRevocationProvider, { allowSecrets: true })
           .then((f) => process.stdout.write(f.text));`,
      ],
      { cwd: project, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
  });
  beforeEach(async () => {
    world = await startWorld({}, 1);
  });
  afterEach(async () => {
    await world.stop();
  });

  it("ships compiled code and type declarations, and no sources or tests", () => {
    const { installed } = packedPackage();
    for (const file of [
      "dist/provider/index.js",
      "dist/provider/index.d.ts",
      "dist/provider/runtime/index.js",
      "dist/emulator/index.js",
    ]) {
      assert.ok(fs.existsSync(path.join(installed, file)), file);
    }
    assert.equal(fs.existsSync(path.join(installed, "tests")), false);
    assert.equal(fs.existsSync(path.join(installed, "provider")), false);
  });

  it("serializes a shim of at most 8 KB that loads the installed runtime by package name", () => {
    assert.ok(Buffer.byteLength(serialized) <= 8 * 1024, `${Buffer.byteLength(serialized)} bytes`);
    assert.match(serialized, /runtimeModule: "pulumi-pingone-sessions\/runtime"/);
    assert.doesNotMatch(serialized, new RegExp(ROOT.replace(/[/\\]/g, "."), "u"), "no path of this checkout");
  });

  it("says what to install when a stack runs where the package is not installed", async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "pingone-sessions-bare-"));
    const host = await ProviderHost.start({ cwd: elsewhere });
    try {
      const error = await host
        .create(urnFor("pulumi-nodejs:dynamic/pingone:SessionRevocation", "s"), {
          __provider: serialized,
          environmentId: world.environmentId,
          userId: world.userId,
          sessionId: world.sessionIds[0],
        })
        .then(
          () => assert.fail("expected a failure"),
          (e: Error) => e,
        );
      assert.match(
        error.message,
        /^The PingOne sessions provider could not load pulumi-pingone-sessions\/runtime \(Cannot find module 'pulumi-pingone-sessions\/runtime'.*\)\. Install pulumi-pingone-sessions in the program's folder/,
      );
    } finally {
      await host.stop();
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("runs the provider plugin from node_modules/.bin: it serves the committed schema and revokes a session", async () => {
    const plugin = await PluginProcess.start(
      {},
      path.join(project, "node_modules", ".bin", "pulumi-resource-pingone-sessions"),
    );
    try {
      assert.deepEqual(await plugin.schema(), JSON.parse(fs.readFileSync(path.join(ROOT, "schema.json"), "utf8")));
      await plugin.configure({
        apiUrl: world.emulator.apiUrl,
        authUrl: world.emulator.authUrl,
        clientId: world.clientId,
        clientSecret: SENTINEL_SECRET,
        environmentId: world.environmentId,
      });
      const created = await plugin.create(urnOf("SessionRevocation", "s"), {
        environmentId: world.environmentId,
        userId: world.userId,
        sessionId: world.sessionIds[0],
      });
      assert.equal(created.outputs.outcome, "revoked");
      assert.equal(world.emulator.state.getSession(world.environmentId, world.userId, world.sessionIds[0]), undefined);
    } finally {
      await plugin.stop();
    }
  });

  it("revokes a session through the host running in the consumer project", async () => {
    const host = await ProviderHost.start({
      cwd: project,
      env: {
        PINGONE_API_URL: world.emulator.apiUrl,
        PINGONE_AUTH_URL: world.emulator.authUrl,
        PINGONE_CLIENT_ID: world.clientId,
        PINGONE_CLIENT_SECRET: SENTINEL_SECRET,
        PINGONE_ENVIRONMENT_ID: world.environmentId,
      },
    });
    try {
      const sessionId = world.sessionIds[0];
      const created = await host.create(urnFor("pulumi-nodejs:dynamic/pingone:SessionRevocation", "s"), {
        __provider: serialized,
        environmentId: world.environmentId,
        userId: world.userId,
        sessionId,
      });
      assert.equal(created.properties.outcome, "revoked");
      assert.equal(world.emulator.state.getSession(world.environmentId, world.userId, sessionId), undefined);
      assert.deepEqual(
        world.emulator.requests().map((r) => `${r.method} ${r.status}`),
        ["POST 200", "DELETE 204"],
      );
    } finally {
      await host.stop();
    }
  });
});
