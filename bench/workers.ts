/**
 * Starting sweeping processes (`shardWorker.ts`) and running them together:
 * the worker is transpiled once to plain JavaScript (it loads only `dist/`),
 * each process is started with an IPC channel, given its task, and, once
 * every one of them is ready, all are told to go at the same moment.
 */
import { fork, ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { beforeDeadline } from "../provider/client/pipeline";
import type { FromWorker, ToWorker, WorkerReport, WorkerTask } from "./shardWorker";

/** The repository root: its `dist/` is what the workers load. */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** A transpiled worker script and the directory to remove when done. */
export interface WorkerScript {
  file: string;
  dispose(): void;
}

/**
 * Transpiles `shardWorker.ts` alone (its repository imports are type-only,
 * so nothing else is needed) into a temporary directory. Throws when the
 * package is not built, since the workers would fail to load it.
 */
export function transpileWorker(): WorkerScript {
  const sweep = path.join(REPO_ROOT, "dist", "provider", "client", "sweep.js");
  if (!fs.existsSync(sweep)) throw new Error(`${sweep} is missing: run npm run build first (npm run bench does)`);
  const source = fs.readFileSync(path.join(__dirname, "shardWorker.ts"), "utf8");
  const out = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: "shardWorker.ts",
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pingone-bench-worker-"));
  const file = path.join(dir, "shardWorker.js");
  fs.writeFileSync(file, out.outputText);
  return { file, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** What running several workers together gave: each one's report, in task order, or why the run broke. */
export interface WorkersOutcome {
  reports: WorkerReport[];
  /** When `go` was sent, epoch ms. */
  wentAtMs: number;
  broken?: string;
}

/**
 * Starts one process per task, waits until all are ready, tells all to go at
 * once, and collects their reports. A worker that fails, exits early or
 * overruns `timeoutMs` (from `go`) breaks the run: every worker still
 * running is then killed, and `broken` says which and why.
 */
export async function runWorkers(
  script: WorkerScript,
  tasks: WorkerTask[],
  timeoutMs: number,
): Promise<WorkersOutcome> {
  const children: ChildProcess[] = [];
  const reports: (WorkerReport | undefined)[] = tasks.map(() => undefined);
  let wentAtMs = Date.now();
  try {
    const readies: Promise<void>[] = [];
    const dones: Promise<void>[] = [];
    tasks.forEach((task, i) => {
      // The worker's own memory is what is measured: no inherited NODE_OPTIONS (ts-node's require hook) and no --inspect.
      const env = { ...process.env };
      delete env.NODE_OPTIONS;
      const child = fork(script.file, [], { env, execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
      children.push(child);
      let ready: () => void;
      let fail: (e: Error) => void;
      readies.push(new Promise<void>((resolve, reject) => ((ready = resolve), (fail = reject))));
      dones.push(
        new Promise<void>((resolve, reject) => {
          child.on("message", (m: FromWorker) => {
            if (m.type === "ready") ready();
            else if (m.type === "done") {
              reports[i] = m.report;
              resolve();
            } else {
              const e = new Error(`${task.label} failed: ${m.message}`);
              fail(e);
              reject(e);
            }
          });
          child.on("exit", (code, signal) => {
            if (reports[i]) return;
            const e = new Error(`${task.label} exited (${signal ?? `code ${code}`}) before reporting`);
            fail(e);
            reject(e);
          });
        }),
      );
      // A rejection is handled below, whichever promise sees it first.
      dones[i].catch(() => undefined);
      child.send({ type: "task", task } satisfies ToWorker);
    });
    await beforeDeadline(Promise.all(readies), 60_000, () => new Error("the workers did not all start within 60 s"));
    wentAtMs = Date.now();
    for (const child of children) child.send({ type: "go" } satisfies ToWorker);
    await beforeDeadline(
      Promise.all(dones),
      timeoutMs,
      () => new Error(`the workers did not all finish within ${timeoutMs / 1000} s`),
    );
    return { reports: reports as WorkerReport[], wentAtMs };
  } catch (e) {
    return {
      reports: reports.filter((r): r is WorkerReport => r !== undefined),
      wentAtMs,
      broken: (e as Error).message,
    };
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}
