/**
 * `npm run engine`: Pulumi's real engine (the `pulumi` CLI), built from Pulumi's own Go modules
 * at the version of the `@pulumi/pulumi` this checkout installed, and cached by version.
 *
 * Why a build and not a download: the machines this project runs on reach the npm registry, PyPI
 * and the Go module proxy, nothing else (get.pulumi.com, GitHub release assets and the npm package
 * `pulumi`, which downloads at install, all fail). The CLI is an ordinary Go command inside
 * `github.com/pulumi/pulumi/pkg/v3`; `go install …@version` refuses it (its go.mod has `replace`
 * lines), so the small module beside this file requires it (`tool` directive) and pins every
 * dependency in its go.sum. The build uses Pulumi's release flags and version string: the Node
 * Automation API parses `pulumi version` and refuses inline refresh/destroy for an unparsable one.
 *
 * The result lives outside tracked files, in `<cache>/v<version>-<go.sum digest>/bin/`, beside the
 * `pulumi-resource-pulumi-nodejs` plugin (copied from `@pulumi/pulumi`), which the engine starts
 * for dynamic providers. A second run finds it and takes well under a second. The Node.js language
 * host cannot be built here: the Go module proxy answers 403 "This module version is not
 * available" for `github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3` at any
 * version (it is untagged), so programs run through the Automation API with inline programs,
 * which need no language host.
 *
 * Prints the engine root (the directory whose `bin/` holds `pulumi`) on stdout, progress on stderr.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildAtomically, builtLine, defaultCacheDir, digestOf, requireGo } from "../cache";

/** This folder: the Go module that pins the engine's sources. */
export const ENGINE_MODULE_DIR = __dirname;
/** The Go package of Pulumi's command. */
const PULUMI_COMMAND = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi";
/** Environment variable naming the cache directory (default: `$XDG_CACHE_HOME` or `~/.cache`). */
export const ENGINE_CACHE_ENV = "PINGONE_SESSIONS_ENGINE_CACHE";

/** Where an engine build is, or will be, and what it was built from. */
export interface EngineBuild {
  /** The Pulumi version, as `@pulumi/pulumi` in package-lock has it (`3.248.0`). */
  version: string;
  /** The directory whose `bin/` holds `pulumi` and `pulumi-resource-pulumi-nodejs`. */
  root: string;
  /** `root/bin/pulumi`. */
  pulumi: string;
}

/** The version of the installed `@pulumi/pulumi`, which the engine must match. */
export function installedPulumiVersion(): string {
  return (require("@pulumi/pulumi/package.json") as { version: string }).version;
}

/**
 * Where the engine for `version` is cached: keyed by the version and a digest of go.sum, so a
 * change of the pinned sources builds anew instead of reusing a stale binary.
 */
export function engineBuildFor(version: string = installedPulumiVersion()): EngineBuild {
  // CI caches this directory by version: keep its layout.
  const base = process.env[ENGINE_CACHE_ENV] || defaultCacheDir("engine");
  const root = path.join(base, `v${version}-${digestOf(path.join(ENGINE_MODULE_DIR, "go.sum"))}`);
  return { version, root, pulumi: path.join(root, "bin", "pulumi") };
}

/** True when `build.pulumi` exists and reports the expected version. */
export function isBuilt(build: EngineBuild): boolean {
  if (!fs.existsSync(build.pulumi)) return false;
  const run = spawnSync(build.pulumi, ["version"], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  return run.status === 0 && run.stdout.trim() === `v${build.version}`;
}

/**
 * The pkg/v3 version tools/engine/go.mod pins. It must equal the installed `@pulumi/pulumi`:
 * an engine newer or older than the SDK that drives it is not what users run.
 */
export function pinnedEngineVersion(): string {
  const goMod = fs.readFileSync(path.join(ENGINE_MODULE_DIR, "go.mod"), "utf8");
  const match = /^\s*github\.com\/pulumi\/pulumi\/pkg\/v3 v(\S+)/m.exec(goMod);
  if (!match)
    throw new Error(`${path.join(ENGINE_MODULE_DIR, "go.mod")} does not require github.com/pulumi/pulumi/pkg/v3`);
  return match[1];
}

/**
 * Builds the engine unless the cache holds it, and returns where it is. Throws with what to do
 * when Go is missing or the pinned version differs from the installed SDK.
 */
export function ensureEngine(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): EngineBuild {
  const version = installedPulumiVersion();
  const pinned = pinnedEngineVersion();
  if (pinned !== version) {
    throw new Error(
      `tools/engine pins Pulumi ${pinned} but @pulumi/pulumi ${version} is installed. ` +
        `Run: cd tools/engine && go get -tool ${PULUMI_COMMAND}@v${version} && go mod tidy`,
    );
  }
  const build = engineBuildFor(version);
  if (isBuilt(build)) return build;

  const go = requireGo("Building Pulumi's engine", "1.25");
  log(
    `Building Pulumi's engine v${version} from the Go module proxy with ${go} (once per version; cold: tens of minutes on 2 cores)…`,
  );
  const started = Date.now();
  buildAtomically(
    build.root,
    () => isBuilt(build),
    (staging) => {
      const bin = path.join(staging, "bin");
      fs.mkdirSync(bin);
      const ldflags = `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${version}`;
      execFileSync(
        "go",
        [
          "build",
          "-buildvcs=false",
          "-trimpath",
          "-tags",
          "osusergo,grpcnotrace",
          "-ldflags",
          ldflags,
          "-o",
          path.join(bin, "pulumi"),
          PULUMI_COMMAND,
        ],
        { cwd: ENGINE_MODULE_DIR, stdio: ["ignore", "inherit", "inherit"] },
      );
      const plugin = path.join(bin, "pulumi-resource-pulumi-nodejs");
      fs.copyFileSync(require.resolve("@pulumi/pulumi/pulumi-resource-pulumi-nodejs"), plugin);
      fs.chmodSync(plugin, 0o755);
    },
  );
  if (!isBuilt(build)) throw new Error(`The engine built into ${build.root} does not report v${version}`);
  log(builtLine(build.pulumi, started));
  return build;
}

if (require.main === module) {
  try {
    process.stdout.write(`${ensureEngine().root}\n`);
  } catch (error) {
    process.stderr.write(`npm run engine: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
