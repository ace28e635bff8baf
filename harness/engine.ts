/**
 * Pulumi's real engine, driven as users drive it: the `pulumi` CLI built by `npm run engine`,
 * the Automation API (`LocalWorkspace`) with inline programs, a file backend in a temporary
 * directory, the passphrase secrets provider, no Pulumi Cloud and no plugin downloads.
 *
 * Inline programs need no language host (the test process serves the program and the CLI
 * connects to it); the engine starts the dynamic-provider plugin `pulumi-resource-pulumi-nodejs`
 * from beside the CLI, with the workspace directory as its working directory. That directory is
 * made inside this checkout, so the plugin resolves `@pulumi/pulumi` from the checkout's
 * node_modules, as it resolves a program's own.
 */
import { ChildProcess, execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ConfigMap, LocalWorkspace, PulumiCommand, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { ensureEngine, EngineBuild } from "../tools/engine/build";

/** The checkout's root. */
const ROOT = path.resolve(__dirname, "..");
/** Where workspaces are made: inside the checkout (see the module comment), ignored by git. */
export const WORK_ROOT = path.join(ROOT, ".engine-work");

/** Every setting a provider may read from the environment: cleared, so the runner's own never leaks in. */
export const CLEARED_ENV = [
  "PINGONE_CLIENT_ID",
  "PINGONE_CLIENT_SECRET",
  "PINGONE_ENVIRONMENT_ID",
  "PINGONE_REGION_CODE",
  "PINGONE_API_ACCESS_TOKEN",
  "PINGONE_API_URL",
  "PINGONE_AUTH_URL",
  "PINGONE_API_SERVICE_HOSTNAME",
  "PINGONE_AUTH_SERVICE_HOSTNAME",
  "PINGONE_TOKEN_AUTH_METHOD",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "http_proxy",
  "https_proxy",
];

/** What a test asks of a stack. */
export interface EngineStackOptions {
  /** The project name; also the namespace of the program's own config. */
  projectName: string;
  /** Default `test`. */
  stackName?: string;
  /** The inline program. */
  program: PulumiFn;
  /** Stack config set before the first operation (`secret: true` is `pulumi config set --secret`). */
  config?: ConfigMap;
  /** Extra environment for the CLI and the plugins it starts. */
  env?: Record<string, string>;
  /** Directories put on PATH after the engine's `bin/`: where the engine finds a provider plugin. */
  pathDirs?: string[];
}

/** A stack of the real engine in its own directory, with what a test needs to inspect it. */
export interface EngineStack {
  stack: Stack;
  /** The workspace directory (the plugin's working directory). */
  workDir: string;
  /** The file backend's directory. */
  backendDir: string;
  /** The environment the CLI runs with. */
  env: Record<string, string>;
  /**
   * `pulumi stack export` as a user runs it (secrets stay encrypted; the Automation API's own
   * export adds `--show-secrets`), as JSON text and parsed, and the checkpoint file at rest.
   */
  exportState(): Promise<{ text: string; atRest: string; resources: ExportedResource[] }>;
  /** Runs the CLI in the workspace, as a user at a terminal would; never throws on a non-zero exit. */
  cli(args: string[], options?: { signal?: AbortSignal }): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The CLI processes this stack started, newest last (so a test can signal one). */
  processes: ChildProcess[];
  /** Removes the directory. */
  remove(): Promise<void>;
}

/** One resource of `pulumi stack export`. */
export interface ExportedResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  additionalSecretOutputs?: string[];
}

let engine: EngineBuild | undefined;

/** The engine build; throws (with the command to run) when `npm run engine` has not built it. */
export function engineBuild(): EngineBuild {
  engine ??= ensureEngine();
  return engine;
}

/**
 * The environment of an engine run kept apart from the runner's: a file backend in `backendDir`,
 * an empty passphrase, no update check, no plugin download, `pulumiHome` as `PULUMI_HOME`, every
 * `PINGONE_*` and proxy variable cleared, and on PATH the engine's `bin/`, then `pathDirs`.
 */
export function isolatedEngineEnv(
  backendDir: string,
  pulumiHome: string,
  pathDirs: readonly string[] = [],
): Record<string, string> {
  return {
    ...Object.fromEntries(CLEARED_ENV.map((name) => [name, ""])),
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: "",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_HOME: pulumiHome,
    PATH: [path.join(engineBuild().root, "bin"), ...pathDirs, process.env.PATH ?? ""].join(path.delimiter),
  };
}

/** A new stack in a fresh directory, run in an `isolatedEngineEnv` (with `options.env` over it). */
export async function newEngineStack(options: EngineStackOptions): Promise<EngineStack> {
  const build = engineBuild();
  fs.mkdirSync(WORK_ROOT, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(WORK_ROOT, `${options.projectName}-`));
  const backendDir = path.join(workDir, "state");
  fs.mkdirSync(backendDir);
  const env: Record<string, string> = {
    ...isolatedEngineEnv(backendDir, path.join(workDir, "home"), options.pathDirs),
    ...options.env,
  };
  const processes: ChildProcess[] = [];
  const stackName = options.stackName ?? "test";
  const cli = async (args: string[], cliOptions: { signal?: AbortSignal } = {}) => {
    const run = execFile(path.join(build.root, "bin", "pulumi"), [...args, "--non-interactive"], {
      cwd: workDir,
      env: { ...process.env, ...env },
      signal: cliOptions.signal,
      maxBuffer: 64 * 2 ** 20,
    });
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      let stdout = "";
      let stderr = "";
      run.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
      run.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
      run.on("error", () => undefined);
      run.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  };
  const command = await PulumiCommand.get({ root: build.root });
  const recording = recordingCommand(command, processes);
  const stack = await LocalWorkspace.createOrSelectStack(
    { projectName: options.projectName, stackName, program: options.program },
    {
      workDir,
      envVars: env,
      pulumiCommand: recording,
      projectSettings: { name: options.projectName, runtime: "nodejs", backend: { url: `file://${backendDir}` } },
    },
  );
  if (options.config) await stack.setAllConfig(options.config);
  return {
    stack,
    workDir,
    backendDir,
    env,
    processes,
    async exportState() {
      const exported = await cli(["stack", "export", "--stack", stackName]);
      if (exported.code !== 0) throw new Error(`pulumi stack export failed: ${exported.stderr}`);
      const deployment = JSON.parse(exported.stdout) as { deployment: { resources?: ExportedResource[] } };
      const checkpoint = path.join(backendDir, ".pulumi", "stacks", options.projectName, `${stackName}.json`);
      const atRest = fs.existsSync(checkpoint) ? fs.readFileSync(checkpoint, "utf8") : "";
      return { text: exported.stdout, atRest, resources: deployment.deployment.resources ?? [] };
    },
    cli,
    async remove() {
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * The CLI as the Automation API runs it, but keeping each child process it starts, so a test
 * can interrupt (SIGINT) or kill (SIGKILL) `pulumi up` in the middle of an operation.
 */
function recordingCommand(command: PulumiCommand, processes: ChildProcess[]): PulumiCommand {
  const execa = require("execa") as (
    file: string,
    args: string[],
    options: object,
  ) => ChildProcess & Promise<{ stdout: string; stderr: string; exitCode: number }>;
  // `run` and `CommandResult` are the Automation API's internals (not in its types): the seam
  // through which every CLI call passes, kept to the same shape.
  const { CommandResult } = require("@pulumi/pulumi/automation/cmd") as {
    CommandResult: new (stdout: string, stderr: string, code: number) => unknown;
  };
  const { createCommandError } = require("@pulumi/pulumi/automation/errors") as {
    createCommandError: (result: unknown) => Error;
  };
  type Run = (
    args: string[],
    cwd: string,
    additionalEnv: Record<string, string>,
    onOutput?: (data: string) => void,
    onError?: (data: string) => void,
    signal?: AbortSignal,
  ) => Promise<unknown>;
  const recorder = Object.create(command) as PulumiCommand & { run: Run };
  recorder.run = async (args, cwd, additionalEnv, onOutput, onError, signal) => {
    const env = { ...additionalEnv };
    const proc = execa(command.command, args, { env, cwd, reject: false });
    processes.push(proc);
    proc.stdout?.on("data", (data: Buffer) => onOutput?.(data.toString()));
    proc.stderr?.on("data", (data: Buffer) => onError?.(data.toString()));
    signal?.addEventListener("abort", () => proc.kill("SIGINT"));
    const { stdout, stderr, exitCode } = await proc;
    const result = new CommandResult(stdout, stderr, exitCode);
    if (exitCode !== 0) throw createCommandError(result);
    return result;
  };
  return recorder;
}
