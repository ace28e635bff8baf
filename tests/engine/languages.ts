/**
 * What the engine tests of other languages (YAML, Python) share: the provider plugin and its
 * schema, where the package keeps them (`bin/`, `schema.json`); a project directory in which the
 * real `pulumi` CLI runs as a user runs it, with a file backend, no Pulumi Cloud and no plugin
 * download; and a suite's world and projects, made and removed around each test.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { engineBuild, ExportedResource, isolatedEngineEnv, WORK_ROOT } from "../../harness/engine";
import { PLUGIN_EXECUTABLE } from "../../provider/plugin/config";
import { startWorld, World } from "../support/world";

/** Where the plugin is. */
export interface PluginFiles {
  /** The directory holding the plugin's executable: put it on PATH. */
  binDir: string;
  /** The plugin's schema. */
  schema: string;
}

/** The package's root: the plugin is served from this checkout's `bin/` and compiled `dist/`. */
const ROOT = path.resolve(__dirname, "../..");

/**
 * The plugin's executable and schema. Throws when either is missing: they are part of this
 * package, so a test that cannot find them must fail, never skip.
 */
export function findPlugin(): PluginFiles {
  const binDir = path.join(ROOT, "bin");
  const schema = path.join(ROOT, "schema.json");
  for (const file of [path.join(binDir, PLUGIN_EXECUTABLE), schema]) {
    if (!fs.existsSync(file)) throw new Error(`${file} does not exist: the provider plugin is part of this package`);
  }
  return { binDir, schema };
}

/** A resource of `pulumi stack export`, with its provider reference. */
export type StateResource = ExportedResource & { provider?: string };

/** What one CLI run printed. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A Pulumi project in its own directory under `.engine-work/`, run by the real CLI. */
export interface CliProject {
  /** The project directory (the program's, and the working directory of every CLI run). */
  dir: string;
  /** The environment every CLI run gets, beside the runner's own. */
  env: Record<string, string>;
  /** Runs `pulumi <args> --non-interactive`; never throws on a non-zero exit. */
  run(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  /** Runs `pulumi <args>` and throws with its output unless it exits 0. */
  ok(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  /** `pulumi stack export` as a user runs it (secrets stay encrypted), and the checkpoint at rest. */
  exportState(): Promise<{ text: string; atRest: string; resources: StateResource[] }>;
  /** Removes the directory. */
  remove(): void;
}

/**
 * A fresh project directory holding a copy of `source` (a folder of `examples/`), a file backend
 * in it, an empty passphrase, its own `PULUMI_HOME`, every `PINGONE_*` and proxy variable cleared,
 * and on PATH: the engine's `bin/`, then `pathDirs` (language hosts, the plugin).
 */
export function newCliProject(source: string, projectName: string, pathDirs: string[]): CliProject {
  const engine = engineBuild();
  fs.mkdirSync(WORK_ROOT, { recursive: true });
  const dir = fs.mkdtempSync(path.join(WORK_ROOT, `${projectName}-`));
  fs.cpSync(source, dir, { recursive: true });
  const backendDir = path.join(dir, ".state");
  fs.mkdirSync(backendDir);
  const env = isolatedEngineEnv(backendDir, path.join(dir, ".pulumi-home"), pathDirs);
  const run = (args: string[], extraEnv: Record<string, string> = {}) =>
    new Promise<CliResult>((resolve) => {
      const child = execFile(engine.pulumi, [...args, "--non-interactive"], {
        cwd: dir,
        env: { ...process.env, ...env, ...extraEnv },
        maxBuffer: 64 * 2 ** 20,
      });
      let stdout = "";
      let stderr = "";
      child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", () => undefined);
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  const ok = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const result = await run(args, extraEnv);
    if (result.code !== 0)
      throw new Error(`pulumi ${args.join(" ")} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
    return result;
  };
  return {
    dir,
    env,
    run,
    ok,
    async exportState() {
      const exported = await ok(["stack", "export"]);
      const checkpoints = path.join(backendDir, ".pulumi", "stacks", projectName);
      const atRest = fs.existsSync(checkpoints)
        ? fs
            .readdirSync(checkpoints)
            .filter((f) => f.endsWith(".json"))
            .map((f) => fs.readFileSync(path.join(checkpoints, f), "utf8"))
            .join("\n")
        : "";
      const deployment = JSON.parse(exported.stdout) as { deployment: { resources?: StateResource[] } };
      return { text: exported.stdout, atRest, resources: deployment.deployment.resources ?? [] };
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Asserts that neither `pulumi stack export` nor the checkpoint at rest holds `secret` in plain
 * text, and that the checkpoint was found (an empty one would hold nothing to find).
 */
export function assertNoPlaintextSecret(state: { text: string; atRest: string }, secret: string, when: string): void {
  assert.ok(state.atRest.length > 0, `the checkpoint file exists ${when}`);
  assert.ok(!state.text.includes(secret), `no client secret in plain text in pulumi stack export ${when}`);
  assert.ok(!state.atRest.includes(secret), `no client secret in plain text in the checkpoint ${when}`);
}

/** The one resource of `type` (full token) named `name` in exported state. */
export function stateResource(resources: StateResource[], type: string, name: string): StateResource {
  const found = resources.filter((r) => r.type === type && r.urn.endsWith(`::${name}`));
  if (found.length !== 1)
    throw new Error(
      `expected one ${type} named ${name} in state, found ${found.length}: ${resources.map((r) => r.urn).join(", ")}`,
    );
  return found[0];
}

/** A suite's emulator world and the projects its test made (see `cliProjectSuite`). */
export interface CliProjectSuite {
  /** The running test's world: the emulator, a worker application, a user with three sessions. */
  world(): World;
  /** `newCliProject`, removed after the test. */
  newProject(source: string, projectName: string, pathDirs: string[]): CliProject;
}

/**
 * Registers in the calling `describe` a world started before each test and stopped after it,
 * once the test's projects are removed.
 */
export function cliProjectSuite(): CliProjectSuite {
  let world: World | undefined;
  const projects: CliProject[] = [];
  beforeEach(async () => {
    world = await startWorld({}, 3);
  });
  afterEach(async () => {
    for (const project of projects.splice(0)) project.remove();
    await world?.stop();
    world = undefined;
  });
  return {
    world() {
      if (!world) throw new Error("world() is called inside a test, after beforeEach started it");
      return world;
    },
    newProject(source, projectName, pathDirs) {
      const project = newCliProject(source, projectName, pathDirs);
      projects.push(project);
      return project;
    },
  };
}
