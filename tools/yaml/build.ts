/**
 * The Pulumi YAML language host (`pulumi-language-yaml`), built from the Go module
 * `github.com/pulumi/pulumi-yaml` at the version this folder's go.mod pins, and cached by version.
 *
 * Why a build: the engine starts `pulumi-language-yaml` for a `runtime: yaml` project, and the
 * released binary is a GitHub release asset, which this project's machines cannot download (the
 * Go module proxy is reachable). The module has no `replace` lines, so the small module beside
 * this file requires it (`tool` directive) and pins every dependency in its go.sum.
 *
 * The host is a separate binary that speaks Pulumi's language gRPC protocol to the engine, so it
 * keeps its own requirements (pulumi-yaml v1.25.0 requires Pulumi's Go SDK v3.206.0). The build
 * refuses a host whose Pulumi SDK is newer than the engine's: a host may then rely on protocol
 * features the engine does not have. An older one is usual: pulumi-yaml's releases are built
 * from its own go.mod, not against each engine release.
 *
 * The result lives in `<cache>/yaml/v<version>-<go.sum digest>/bin/pulumi-language-yaml`.
 * Prints that `bin` directory on stdout, progress on stderr.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pinnedEngineVersion } from "../engine/build";
import { buildAtomically, builtLine, cacheDirFor, compareVersions, digestOf, requireGo } from "../cache";

/** This folder: the Go module that pins the host's sources. */
const YAML_MODULE_DIR = __dirname;
/** The Go package of the language host's command. */
const YAML_HOST_COMMAND = "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml";

/** Where a YAML host build is, or will be. */
export interface YamlHostBuild {
  /** The pulumi-yaml version go.mod pins (`1.25.0`). */
  version: string;
  /** The Pulumi Go SDK version the host is built against (`3.206.0`). */
  sdkVersion: string;
  /** The directory holding `pulumi-language-yaml`: put it on PATH. */
  binDir: string;
  /** `binDir/pulumi-language-yaml`. */
  host: string;
}

/** The version of `module` this folder's go.mod requires. */
function requiredVersion(module: string): string {
  const goMod = fs.readFileSync(path.join(YAML_MODULE_DIR, "go.mod"), "utf8");
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = new RegExp(`^\\s*${escaped} v(\\S+)`, "m").exec(goMod);
  if (!match) throw new Error(`${path.join(YAML_MODULE_DIR, "go.mod")} does not require ${module}`);
  return match[1];
}

/** Where the host for the pinned version is cached. */
export function yamlHostBuild(): YamlHostBuild {
  const version = requiredVersion("github.com/pulumi/pulumi-yaml");
  const sdkVersion = requiredVersion("github.com/pulumi/pulumi/sdk/v3");
  const root = path.join(cacheDirFor("yaml"), `v${version}-${digestOf(path.join(YAML_MODULE_DIR, "go.sum"))}`);
  const binDir = path.join(root, "bin");
  return { version, sdkVersion, binDir, host: path.join(binDir, "pulumi-language-yaml") };
}

/** True when the host binary exists and is executable. */
function isBuilt(build: YamlHostBuild): boolean {
  try {
    fs.accessSync(build.host, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the YAML host unless the cache holds it, and returns where it is. Throws with what to
 * do when Go is missing or the host's Pulumi SDK is newer than the engine's.
 */
export function ensureYamlHost(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): YamlHostBuild {
  const build = yamlHostBuild();
  const engineVersion = pinnedEngineVersion();
  if (compareVersions(build.sdkVersion, engineVersion) > 0) {
    throw new Error(
      `pulumi-yaml v${build.version} is built against Pulumi's SDK v${build.sdkVersion}, newer than the engine's v${engineVersion} (tools/engine/go.mod). ` +
        "Pin an older pulumi-yaml in tools/yaml (go get -tool " +
        YAML_HOST_COMMAND +
        "@<version> && go mod tidy) or raise the engine.",
    );
  }
  if (isBuilt(build)) return build;

  const go = requireGo("Building the YAML language host", "1.24");
  log(
    `Building pulumi-language-yaml v${build.version} (Pulumi SDK v${build.sdkVersion}) with ${go} (once per version; cold: ~6 min on 2 cores)…`,
  );
  const started = Date.now();
  buildAtomically(
    path.dirname(build.binDir),
    () => isBuilt(build),
    (staging) => {
      const ldflags = `-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=${build.version}`;
      execFileSync(
        "go",
        [
          "build",
          "-buildvcs=false",
          "-trimpath",
          "-ldflags",
          ldflags,
          "-o",
          path.join(staging, "bin", "pulumi-language-yaml"),
          YAML_HOST_COMMAND,
        ],
        { cwd: YAML_MODULE_DIR, stdio: ["ignore", "inherit", "inherit"] },
      );
    },
  );
  if (!isBuilt(build)) throw new Error(`The YAML language host was not built into ${build.binDir}`);
  log(builtLine(build.host, started));
  return build;
}

if (require.main === module) {
  try {
    process.stdout.write(`${ensureYamlHost().binDir}\n`);
  } catch (error) {
    process.stderr.write(`tools/yaml: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
