/**
 * `npm run sdk`: the Python and Go SDKs of the provider plugin, generated from `schema.json` by
 * Pulumi's own code generators (tools/sdk/main.go, at the engine's module version), into `sdk/`.
 * `npm run sdk -- --check` writes nothing and fails when the committed `sdk/` differs from what the
 * schema generates (CI runs it in `npm run test:engine`).
 *
 * Why committed and not generated at build time: a change to the schema then shows as a reviewable
 * diff of each SDK; users (and `go get`, which reads the repository) get the SDKs without Go or
 * this generator; and the npm build stays free of Go.
 *
 * Both modes then prove the SDKs sound: the Go SDK compiles (`go vet ./...` in sdk/, with go.sum
 * read-only), and the Python SDK builds into a wheel that installs into the Python environment of
 * tools/python with every requirement already there (`pip install --no-index --dry-run`) and imports.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensurePythonEnv, PythonEnv } from "../python/build";
import { secondsSince } from "../cache";

/** The checkout's root. */
const ROOT = path.resolve(__dirname, "../..");
/** This folder: the generator's Go module. */
const GENERATOR_DIR = __dirname;
/** Where the committed SDKs live. */
export const SDK_DIR = path.join(ROOT, "sdk");
/** What `npm run sdk` owns inside `sdk/`: the generator's output, and go.mod/go.sum as `go mod tidy` completes them. */
const GENERATED = ["python", "go", "go.mod", "go.sum"];
/** The schema the SDKs are generated from: the plugin's, committed at the package's root. */
export const SCHEMA_PATH = path.join(ROOT, "schema.json");

/** Every file under `dir`, as paths relative to it with `/`, sorted. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  if (fs.statSync(dir).isFile()) return [""];
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) found.push(path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"));
  }
  return found.sort();
}

/**
 * Runs the generator into a fresh temporary directory, lets `go mod tidy` complete the Go SDK's
 * go.mod and write its go.sum there (the generator writes only the direct requirement), and
 * returns the directory: exactly what sdk/ must hold.
 */
function generate(schema: string, log: (line: string) => void): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "pingone-sessions-sdk-"));
  const started = Date.now();
  execFileSync("go", ["run", ".", "-schema", schema, "-out", out], { cwd: GENERATOR_DIR, stdio: ["ignore", "inherit", "inherit"] });
  execFileSync("go", ["mod", "tidy"], { cwd: out, stdio: ["ignore", "inherit", "inherit"] });
  log(`Generated the Python and Go SDKs from ${schema} in ${secondsSince(started)}.`);
  return out;
}

/** The paths (under sdk/) where the committed SDKs differ from `generated`: changed, missing or extra. */
export function staleFiles(generated: string): string[] {
  const stale: string[] = [];
  for (const part of GENERATED) {
    const want = filesUnder(path.join(generated, part));
    const have = filesUnder(path.join(SDK_DIR, part));
    const name = (file: string) => (file ? `${part}/${file}` : part);
    for (const file of want) {
      const committed = path.join(SDK_DIR, part, file);
      if (!fs.existsSync(committed)) stale.push(`${name(file)} (missing)`);
      else if (!fs.readFileSync(committed).equals(fs.readFileSync(path.join(generated, part, file)))) stale.push(`${name(file)} (differs)`);
    }
    for (const file of have) if (!want.includes(file)) stale.push(`${name(file)} (not generated any more)`);
  }
  return stale;
}

/** Replaces the generated parts of sdk/ with `generated`. */
function writeSdks(generated: string, log: (line: string) => void): void {
  fs.mkdirSync(SDK_DIR, { recursive: true });
  for (const part of GENERATED) {
    fs.rmSync(path.join(SDK_DIR, part), { recursive: true, force: true });
    fs.cpSync(path.join(generated, part), path.join(SDK_DIR, part), { recursive: true });
  }
  log(`Wrote ${path.relative(ROOT, SDK_DIR)}/{${GENERATED.join(",")}}.`);
}

/** Compiles and vets the committed Go SDK with its go.sum as committed. */
export function vetGoSdk(log: (line: string) => void): void {
  const started = Date.now();
  execFileSync("go", ["vet", "./..."], { cwd: SDK_DIR, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, GOFLAGS: "-mod=readonly" } });
  log(`The Go SDK compiles and passes go vet (${secondsSince(started)}).`);
}

/**
 * Builds the committed Python SDK into a wheel in `outDir` (from a copy, so no build output lands
 * in sdk/python), checks that it installs into `env` with nothing fetched, and returns its path.
 */
export function buildPythonWheel(env: PythonEnv, outDir: string): string {
  const source = fs.mkdtempSync(path.join(os.tmpdir(), "pingone-sessions-python-sdk-"));
  try {
    fs.cpSync(path.join(SDK_DIR, "python"), source, { recursive: true });
    execFileSync(env.python, ["-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", "-w", outDir, source], { stdio: ["ignore", "inherit", "inherit"] });
  } finally {
    fs.rmSync(source, { recursive: true, force: true });
  }
  const wheels = fs.readdirSync(outDir).filter((f) => f.endsWith(".whl"));
  if (wheels.length !== 1) throw new Error(`pip wheel left ${wheels.length} wheels in ${outDir}: ${wheels.join(", ")}`);
  const wheel = path.join(outDir, wheels[0]);
  // Resolves the wheel's requirements against the environment alone: a requirement the
  // environment lacks (or at a version it does not satisfy) fails here rather than at a user's.
  const dryRun = spawnSync(env.python, ["-m", "pip", "install", "--no-index", "--dry-run", "--quiet", wheel], { encoding: "utf8" });
  if (dryRun.status !== 0) throw new Error(`The Python SDK's wheel does not install into ${env.dir} offline:\n${dryRun.stderr}`);
  return wheel;
}

/** Installs `wheel` (whose requirements `buildPythonWheel` checked) into `target`, for `PYTHONPATH`. */
export function installWheel(env: PythonEnv, wheel: string, target: string): void {
  execFileSync(env.python, ["-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", target, wheel], { stdio: ["ignore", "inherit", "inherit"] });
}

/** Builds, checks and imports the Python SDK's wheel; returns the wheel's file name. */
function checkPythonSdk(log: (line: string) => void): string {
  const started = Date.now();
  const env = ensurePythonEnv(log);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pingone-sessions-wheel-"));
  try {
    const wheel = buildPythonWheel(env, scratch);
    const site = path.join(scratch, "site");
    installWheel(env, wheel, site);
    execFileSync(env.python, ["-c", "import pulumi_pingone_sessions as p; p.Provider; p.SessionRevocation; p.UserSessionsRevocation; p.PopulationSessionsRevocation"], {
      env: { ...process.env, PYTHONPATH: site },
      stdio: ["ignore", "inherit", "inherit"],
    });
    log(`The Python SDK builds into ${path.basename(wheel)}, which installs offline and imports (${secondsSince(started)}).`);
    return path.basename(wheel);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** `npm run sdk [-- --check]`. */
function main(argv: string[]): number {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const check = argv.includes("--check");
  const schema = SCHEMA_PATH;
  const generated = generate(schema, log);
  try {
    if (check) {
      const stale = staleFiles(generated);
      if (stale.length > 0) {
        log(`npm run sdk -- --check: sdk/ is stale against ${schema}; run \`npm run sdk\` and commit the result:\n  ${stale.join("\n  ")}`);
        return 1;
      }
      log(`sdk/ matches ${schema}.`);
    } else {
      writeSdks(generated, log);
    }
  } finally {
    fs.rmSync(generated, { recursive: true, force: true });
  }
  vetGoSdk(log);
  checkPythonSdk(log);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`npm run sdk: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
