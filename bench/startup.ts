/**
 * The CLI's start-up cost, build beside build (issue 18): how long a process
 * spends loading modules, for `--version` and for `revoke --all` (every module
 * a run that sends requests loads, axios included, whenever it is loaded),
 * and the one-user figure of `npm run bench` (oneUserRun: 10 sessions at
 * 50 ms). Module loading is the wall time of the outermost `require` calls,
 * summed by a preloaded hook; each figure is a median of interleaved runs.
 *
 *   npm run build && npx ts-node bench/startup.ts [label=path/to/dist/cli/index.js ...]
 *
 * Without arguments it measures this checkout's build.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmulator } from "../emulator";
import { median } from "./measure";
import { BenchOptions, DEFAULT_OPTIONS } from "./options";
import { oneUserRun } from "./sweeps";
import { REPO_ROOT } from "./workers";

/** Runs of each command per build, interleaved. */
const SAMPLES = 9;

/** Sums the wall time of the outermost module loads and prints it as the process exits. */
const HOOK = `const Module = require("node:module");
const load = Module._load;
let depth = 0, total = 0n;
Module._load = function (...args) {
  if (depth++ > 0) try { return load.apply(this, args); } finally { depth--; }
  const t0 = process.hrtime.bigint();
  try { return load.apply(this, args); } finally { depth--; total += process.hrtime.bigint() - t0; }
};
process.on("exit", () => process.stderr.write("MODULES_MS=" + (Number(total) / 1e6).toFixed(1) + "\\n"));
`;

async function main(): Promise<void> {
  const builds = process.argv.slice(2).map((arg) => {
    const [label, cli] = arg.split("=");
    return { label, cli: path.resolve(cli) };
  });
  if (builds.length === 0)
    builds.push({ label: "this checkout", cli: path.join(REPO_ROOT, "dist", "cli", "index.js") });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "startup-"));
  const hook = path.join(dir, "hook.js");
  fs.writeFileSync(hook, HOOK);
  const emulator = await startEmulator({});
  try {
    const state = emulator.state;
    const environmentId = state.addEnvironment();
    const clientSecret = "bench-not-a-secret";
    const roles = [{ role: "Identity Data Administrator" as const, environmentId }];
    const { clientId } = state.addApplication({ environmentId, clientSecret, roles });
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PINGONE_API_URL: emulator.apiUrl,
      PINGONE_AUTH_URL: emulator.authUrl,
      PINGONE_CLIENT_ID: clientId,
      PINGONE_CLIENT_SECRET: clientSecret,
      PINGONE_ENVIRONMENT_ID: environmentId,
    };
    // Spawned, not spawnSync: the emulator answers from this process's event loop.
    const modulesMs = (cli: string, args: string[]): Promise<number> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--require", hook, cli, ...args], {
          env,
          stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.on("close", (code) => {
          const found = /MODULES_MS=([\d.]+)/.exec(stderr);
          if (code !== 0 || !found)
            reject(new Error(`${cli} ${args.join(" ")}: exit ${code}: ${stderr.slice(0, 300)}`));
          else resolve(Number(found[1]));
        });
      });
    const loading = builds.map(() => ({ version: [] as number[], revoke: [] as number[] }));
    for (let i = 0; i < SAMPLES; i++) {
      for (const [b, build] of builds.entries()) {
        const userId = state.addUser(environmentId);
        for (let s = 0; s < 10; s++) state.addSession(environmentId, userId);
        loading[b].version.push(await modulesMs(build.cli, ["--version"]));
        loading[b].revoke.push(
          await modulesMs(build.cli, ["revoke", "--environment", environmentId, "--user", userId, "--all", "--json"]),
        );
      }
    }
    await emulator.stop();
    console.log(`module loading, median of ${SAMPLES} (ms): --version | revoke --all`);
    for (const [b, build] of builds.entries()) {
      const [version, revoke] = [median(loading[b].version), median(loading[b].revoke)].map((ms) =>
        ms.toFixed(1).padStart(6),
      );
      console.log(
        `  ${build.label.padEnd(24)} ${version} | ${revoke}   (revoke: ${loading[b].revoke.map((v) => v.toFixed(0)).join(", ")})`,
      );
    }
    for (const build of builds) {
      const r = await oneUserRun({ ...DEFAULT_OPTIONS, runTimeoutS: 60 } as BenchOptions, build.cli);
      const roundTrips = Math.max(...r.cliRuns.map((run) => run.roundTrips));
      const walls = r.cliRuns.map((run) => run.wallSeconds.toFixed(3)).join(", ");
      const failures = r.cli.failures.length ? `; failures: ${r.cli.failures.join("; ")}` : "";
      console.log(
        `one user (${build.label}): ${r.cli.wallSeconds.toFixed(3)} s, median of ${r.cliRuns.length} (${walls}); ` +
          `start-up ${r.startupSeconds.toFixed(3)} s; first request at ${r.cli.firstRequestAtSeconds?.toFixed(3)} s; ` +
          `round trip ${r.cli.roundTripSeconds.toFixed(3)} s; budget ${r.budgetSeconds.toFixed(3)} s; ${roundTrips} round trips${failures}`,
      );
    }
  } finally {
    await emulator.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
