/**
 * The tool builders' cache: where the engine is kept (CI caches that directory by version, so its
 * layout must not move), and the staging directory that an interrupted or raced build leaves no
 * trace of. No Go and no network: the builds themselves run in `npm run test:engine`.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildAtomically } from "../../tools/cache";
import { ENGINE_CACHE_ENV, engineBuildFor } from "../../tools/engine/build";

describe("the tool builders' cache", () => {
  const saved = { xdg: process.env.XDG_CACHE_HOME, engine: process.env[ENGINE_CACHE_ENV] };
  let scratch: string;

  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tools-cache-"));
  });
  afterEach(() => {
    for (const [name, value] of [
      ["XDG_CACHE_HOME", saved.xdg],
      [ENGINE_CACHE_ENV, saved.engine],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("keeps the engine in <cache>/pulumi-pingone-sessions/engine/v<version>-<go.sum digest>, or under $PINGONE_SESSIONS_ENGINE_CACHE", () => {
    delete process.env[ENGINE_CACHE_ENV];
    process.env.XDG_CACHE_HOME = scratch;
    const build = engineBuildFor("3.248.0");
    assert.match(path.relative(scratch, build.root), /^pulumi-pingone-sessions\/engine\/v3\.248\.0-[0-9a-f]{12}$/);
    assert.equal(build.pulumi, path.join(build.root, "bin", "pulumi"));
    process.env[ENGINE_CACHE_ENV] = path.join(scratch, "elsewhere");
    assert.equal(path.dirname(engineBuildFor("3.248.0").root), path.join(scratch, "elsewhere"));
  });

  it("renames a finished build into place, and leaves nothing of a failed one", () => {
    const root = path.join(scratch, "tool", "v1");
    assert.throws(
      () =>
        buildAtomically(
          root,
          () => false,
          (staging) => {
            fs.writeFileSync(path.join(staging, "half"), "");
            throw new Error("interrupted");
          },
        ),
      /interrupted/,
    );
    assert.deepEqual(fs.readdirSync(path.dirname(root)), [], "no partial directory, no root");

    buildAtomically(
      root,
      () => false,
      (staging) => fs.writeFileSync(path.join(staging, "tool"), "ours"),
    );
    assert.deepEqual(fs.readdirSync(path.dirname(root)), ["v1"]);
    assert.equal(fs.readFileSync(path.join(root, "tool"), "utf8"), "ours");
  });

  it("keeps the build of a run that finished first", () => {
    const root = path.join(scratch, "tool", "v1");
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, "tool"), "theirs");
    buildAtomically(
      root,
      () => true,
      (staging) => fs.writeFileSync(path.join(staging, "tool"), "ours"),
    );
    assert.equal(fs.readFileSync(path.join(root, "tool"), "utf8"), "theirs");
    assert.deepEqual(fs.readdirSync(path.dirname(root)), ["v1"]);
  });
});
