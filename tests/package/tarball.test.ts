/**
 * What `npm pack` puts in the tarball: the license and documents a registry
 * page shows, the compiled modules with their declarations (every one the
 * package's entry points load), and nothing else.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { packedPackage } from "./packedPackage";

const REPOSITORY = "https://github.com/pulumi-pingone-sessions/pulumi-pingone-sessions";
const DOCUMENTS = ["package.json", "README.md", "CHANGELOG.md", "LICENSE"];
/** The provider plugin's launcher and the schema it serves: shipped beside the compiled modules. */
const PLUGIN_FILES = ["bin/pulumi-resource-pingone-sessions", "schema.json"];

interface Manifest {
  main: string;
  bin: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
}

/** The modules `main`, `bin` and `exports` name. */
function entryPoints(manifest: Manifest): string[] {
  const exported = Object.values(manifest.exports).map((target) =>
    typeof target === "string" ? target : target.default,
  );
  return [manifest.main, ...Object.values(manifest.bin), ...exported]
    .map((file) => path.posix.normalize(file))
    .filter((file) => file.endsWith(".js"));
}

/** Every module reachable from `entries` through relative `require`s, and the relative `require`s that name no shipped file. */
function reachable(
  installed: string,
  entries: string[],
  shipped: Set<string>,
): { modules: Set<string>; missing: string[] } {
  const modules = new Set<string>();
  const missing: string[] = [];
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (modules.has(file)) continue;
    if (!shipped.has(file)) {
      missing.push(file);
      continue;
    }
    modules.add(file);
    for (const [, spec] of fs
      .readFileSync(path.join(installed, file), "utf8")
      .matchAll(/\brequire\("(\.{1,2}\/[^"]*)"\)/g)) {
      const target = path.posix.join(path.posix.dirname(file), spec);
      if (target.endsWith(".js")) queue.push(target);
      else
        queue.push(
          shipped.has(`${target}.js`) || !shipped.has(`${target}/index.js`) ? `${target}.js` : `${target}/index.js`,
        );
    }
  }
  return { modules, missing };
}

describe("the npm package's tarball", function () {
  this.timeout(180_000);
  let files: string[];
  let installed: string;

  before(() => {
    ({ installed } = packedPackage());
    files = packedPackage().files.map((f) => f.path);
  });

  it("holds the license, README, changelog and manifest", () => {
    assert.deepEqual(
      DOCUMENTS.filter((file) => !files.includes(file)),
      [],
    );
    assert.match(
      fs.readFileSync(path.join(installed, "LICENSE"), "utf8"),
      /^\s+Apache License\s+Version 2\.0, January 2004/,
    );
    assert.match(fs.readFileSync(path.join(installed, "CHANGELOG.md"), "utf8"), /^## \[Unreleased\]$/m);
  });

  it("holds nothing but those documents and compiled modules, each .js with its .d.ts", () => {
    const shipped = new Set(files);
    const stray = files.filter((file) => {
      if (DOCUMENTS.includes(file) || PLUGIN_FILES.includes(file)) return false;
      if (!/^dist\/(provider|emulator|cli)\//.test(file)) return true;
      if (file.endsWith(".d.ts")) return !shipped.has(file.replace(/\.d\.ts$/, ".js"));
      if (file.endsWith(".js")) return !shipped.has(file.replace(/\.js$/, ".d.ts"));
      return true; // anything else, source maps included: the TypeScript sources they would point at are not shipped
    });
    assert.deepEqual(stray, []);
  });

  it("ships every module its entry points load, and the demo only if the CLI loads it", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as Manifest;
    const { modules, missing } = reachable(installed, entryPoints(manifest), new Set(files));
    assert.deepEqual(missing, [], "modules the package loads but does not ship");
    assert.deepEqual(
      PLUGIN_FILES.filter((file) => !files.includes(file)),
      [],
      "the provider plugin's launcher and schema",
    );
    // The launcher is a shell script, so the walk from the entry points does not reach the plugin's modules: walk from them too.
    const plugin = reachable(installed, ["dist/provider/plugin/main.js"], new Set(files));
    assert.deepEqual(plugin.missing, [], "modules the provider plugin loads but the package does not ship");
    assert.ok(
      modules.has("dist/cli/index.js") &&
        modules.has("dist/provider/runtime/index.js") &&
        modules.has("dist/emulator/cli.js"),
      [...modules].join(", "),
    );
    assert.equal(
      files.includes("dist/cli/demo.js"),
      modules.has("dist/cli/demo.js"),
      "dist/cli/demo.js ships exactly when the published CLI loads it",
    );
  });

  it("names its repository, homepage, issue tracker and keywords", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    assert.deepEqual(
      { repository: manifest.repository, homepage: manifest.homepage, bugs: manifest.bugs, license: manifest.license },
      {
        repository: { type: "git", url: `git+${REPOSITORY}.git` },
        homepage: `${REPOSITORY}#readme`,
        bugs: { url: `${REPOSITORY}/issues` },
        license: "Apache-2.0",
      },
    );
    assert.ok(
      Array.isArray(manifest.keywords) && manifest.keywords.includes("pulumi") && manifest.keywords.includes("pingone"),
      String(manifest.keywords),
    );
  });

  it("links from its README only to absolute addresses, so they work on the registry page", () => {
    const readme = fs.readFileSync(path.join(installed, "README.md"), "utf8");
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target);
    assert.ok(targets.length > 0);
    assert.deepEqual(
      targets.filter((target) => !/^(https:\/\/|#)/.test(target)),
      [],
    );
    assert.deepEqual(
      targets.filter((target) => target.startsWith("https://github.com/") && !target.startsWith(`${REPOSITORY}/`)),
      [],
      "links into GitHub go to this repository",
    );
  });
});
