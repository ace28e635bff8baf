/**
 * The language tooling's pins agree with one another, read from the checkout's files alone (no
 * Go, no Python, no network): the YAML host is not built against a Pulumi SDK newer than the
 * engine, the Python environment's `pulumi` is the engine's version, and the SDK generator uses
 * Pulumi's code generators at the engine's module version. `npm run test:engine` builds them;
 * this catches a pin moved on one side only, in `npm test`.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { compareVersions } from "../../tools/cache";
import { pinnedEngineVersion } from "../../tools/engine/build";
import { pinnedPythonPulumi } from "../../tools/python/build";
import { yamlHostBuild } from "../../tools/yaml/build";

const ROOT = path.resolve(__dirname, "../..");

/** The version of `module` that `goMod` requires. */
function required(goMod: string, module: string): string | undefined {
  return new RegExp(`^\\s*(?:require\\s+)?${module.replace(/[./]/g, "\\$&")} v(\\S+)`, "m").exec(
    fs.readFileSync(path.join(ROOT, goMod), "utf8"),
  )?.[1];
}

describe("language tooling pins", () => {
  it("compareVersions orders dotted versions numerically", () => {
    assert.ok(compareVersions("3.206.0", "3.248.0") < 0);
    assert.ok(compareVersions("v3.248.0", "3.248.0") === 0);
    assert.ok(compareVersions("3.1000.0", "3.248.0") > 0);
    assert.ok(compareVersions("1.25", "1.25.0") === 0);
  });

  it("the YAML host's Pulumi SDK is not newer than the engine", () => {
    const host = yamlHostBuild();
    assert.equal(host.version, required("tools/yaml/go.mod", "github.com/pulumi/pulumi-yaml"));
    assert.ok(
      compareVersions(host.sdkVersion, pinnedEngineVersion()) <= 0,
      `pulumi-yaml's SDK ${host.sdkVersion} vs engine ${pinnedEngineVersion()}`,
    );
  });

  it("the Python environment's pulumi is the engine's version", () => {
    assert.equal(pinnedPythonPulumi(), pinnedEngineVersion());
  });

  it("the SDK generator uses Pulumi's code generators at the engine's module version", () => {
    assert.equal(required("tools/sdk/go.mod", "github.com/pulumi/pulumi/pkg/v3"), pinnedEngineVersion());
    assert.equal(required("tools/sdk/go.mod", "github.com/pulumi/pulumi/sdk/v3"), pinnedEngineVersion());
  });

  it("the committed Go SDK requires Pulumi's Go SDK at the engine's version", function () {
    if (!fs.existsSync(path.join(ROOT, "sdk", "go.mod"))) this.skip();
    assert.equal(required("sdk/go.mod", "github.com/pulumi/pulumi/sdk/v3"), pinnedEngineVersion());
  });
});
