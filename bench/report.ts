/**
 * What the bench prints and writes: the targets and their verdicts, the
 * tables (drawn by the CLI's `formatTable`, the repository's one table
 * formatter), the per-second timelines, the machine and the code measured,
 * and the results file.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { formatTable } from "../cli/output";
import type { MatrixCell } from "./matrix";
import { MB, median, OneUserResult, RunResult, SweepRunResult } from "./measure";
import { BenchOptions, RunKind, SweepKind } from "./options";

/** One target of docs/benchmarks.md, with the figure measured and its verdict. */
export interface TargetResult {
  target: string;
  figure: string;
  required: string;
  /** "n/a" when the run it needs was not made or the figure is unknown. */
  verdict: "PASS" | "FAIL" | "n/a";
}

/** The targets of docs/benchmarks.md, judged on the runs made. */
export function targets(runs: RunResult[]): TargetResult[] {
  const find = (k: RunKind) => runs.find((r) => r.kind === k);
  const limited = find("limited");
  const unlimited = find("unlimited");
  const curl = find("curl");
  const out: TargetResult[] = [];
  const add = (target: string, figure: string, required: string, ok: boolean | undefined) =>
    out.push({ target, figure, required, verdict: ok === undefined ? "n/a" : ok ? "PASS" : "FAIL" });
  const na = "not run";
  add(
    "rate-limited: share of the limit reached",
    limited ? pct(limited.shareOfLimit!) : na,
    ">= 90%",
    limited ? limited.shareOfLimit! >= 0.9 : undefined,
  );
  add(
    "rate-limited: failed operations",
    limited ? String(limited.failures) : na,
    "0",
    limited ? limited.failures === 0 : undefined,
  );
  add(
    "rate-limited: 429 answers",
    limited ? pct(limited.share429) : na,
    "<= 2% of requests",
    limited ? limited.share429 <= 0.02 : undefined,
  );
  for (const r of [limited, unlimited]) {
    if (!r) continue;
    add(`${r.name}: DELETEs per revoked session`, fix(r.deletesPerSession, 3), "<= 1.05", r.deletesPerSession <= 1.05);
  }
  add(
    "unlimited throughput vs curl baseline",
    unlimited && curl
      ? `${fix(unlimited.revocationsPerSecond / curl.revocationsPerSecond, 2)}x (${fix(unlimited.revocationsPerSecond, 0)} vs ${fix(curl.revocationsPerSecond, 0)} /s)`
      : na,
    ">= 3x",
    unlimited && curl ? unlimited.revocationsPerSecond >= 3 * curl.revocationsPerSecond : undefined,
  );
  for (const r of [limited, unlimited]) {
    if (!r) continue;
    add(
      `${r.name}: provider peak RSS`,
      r.peakRssBytes ? `${fix(r.peakRssBytes / MB, 0)} MB` : "unknown",
      "< 150 MB",
      r.peakRssBytes ? r.peakRssBytes < 150 * MB : undefined,
    );
  }
  return out;
}

/** `x` as a percentage with one decimal. */
export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** `x` with `digits` decimals; "n/a" when it is not a finite number (nothing revoked, for example). */
export function fix(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "n/a";
}

/** One row per run, figures right-aligned, as Markdown. */
export function runTable(runs: RunResult[]): string {
  const header = [
    "run",
    "wall s",
    "revoked/s",
    "% of limit",
    "req/session",
    "DELETE/session",
    "429s",
    "failures",
    "peak RSS",
  ];
  const rows = runs.map((r) => [
    r.name,
    fix(r.wallSeconds, 2),
    fix(r.revocationsPerSecond, 0),
    r.shareOfLimit === null ? "n/a" : pct(r.shareOfLimit),
    fix(r.requestsPerSession, 3),
    fix(r.deletesPerSession, 3),
    `${r.requests.status429} (${pct(r.share429)})`,
    `${r.failures}/${r.operations}`,
    r.peakRssBytes === null ? "n/a" : `${fix(r.peakRssBytes / MB, 0)} MB`,
  ]);
  return formatTable(header, rows, { format: "markdown", align: header.map((_, i) => (i === 0 ? "left" : "right")) });
}

/** One row per target, as Markdown. */
export function targetTable(ts: TargetResult[]): string {
  return formatTable(
    ["target", "figure", "required", "verdict"],
    ts.map((t) => [t.target, t.figure, t.required, t.verdict]),
    { format: "markdown" },
  );
}

/** A run's requests per second (the first 40 s), then when its first request, first 429 and last request arrived, then its failure samples. */
export function timelineLines(r: RunResult): string[] {
  const secs = r.timeline
    .slice(0, 40)
    .map((t) => (t.throttled > 0 ? `${t.accepted}+${t.throttled}x429` : `${t.accepted}`));
  const more = r.timeline.length > 40 ? ` ... (${r.timeline.length} s in all)` : "";
  const lines = [`  ${r.name}: requests per second (accepted[+429s]): ${secs.join(" ")}${more}`];
  const span = [
    r.firstRequestAtSeconds !== null ? `first request at ${fix(r.firstRequestAtSeconds, 3)} s` : "",
    r.firstThrottleAtSeconds !== null ? `first 429 at ${fix(r.firstThrottleAtSeconds, 3)} s` : "",
    r.lastRequestAtSeconds !== null ? `last request at ${fix(r.lastRequestAtSeconds, 3)} s` : "",
  ].filter((x) => x !== "");
  if (span.length > 0) lines.push(`    ${span.join(", ")}`);
  for (const f of r.failureSamples) lines.push(`    failure: ${f}`);
  return lines;
}

/** What makes a run's figures meaningless: a crash or timeout, sessions left behind, requests never answered. Empty when all is well. */
export function problemsOf(runs: RunResult[]): string[] {
  const problems: string[] = [];
  for (const r of runs) {
    if (r.broken) problems.push(`${r.name}: ${r.broken}`);
    if (r.sessionsLeft !== 0)
      problems.push(`${r.name}: the emulator still holds ${r.sessionsLeft} sessions after the run`);
    if (r.requests.pending !== 0) problems.push(`${r.name}: ${r.requests.pending} requests never answered`);
  }
  return problems;
}

/** The code measured: the commit, and uncommitted changes to what the runs exercise (the host runs the runtime built from the working tree). */
export interface CodeState {
  commit: string;
  uncommitted: string[];
}

/** The code measured, read from git. */
export function codeState(repoRoot: string): CodeState {
  const git = (args: string[]) => spawnSync("git", args, { cwd: repoRoot, encoding: "utf8" });
  const head = git(["rev-parse", "--short", "HEAD"]);
  const status = git(["status", "--porcelain", "--", "provider", "emulator", "harness"]);
  return {
    commit: head.status === 0 ? head.stdout.trim() : "unknown (not a git checkout)",
    uncommitted:
      status.status === 0
        ? status.stdout
            .split("\n")
            .filter((l) => l.trim() !== "")
            .map((l) => l.trim())
        : [],
  };
}

/** The machine measured on, and the curl the baseline runs. */
export type Machine = ReturnType<typeof machine>;

/** The machine measured on: CPUs, memory, OS, Node and the version of the curl at `curlPath`. */
export function machine(curlPath: string) {
  const curlVersion = spawnSync(curlPath, ["--version"], { encoding: "utf8" }).stdout?.split("\n")[0] ?? "unknown";
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    curl: curlVersion,
  };
}

/** Everything a results file holds. */
export interface BenchReport {
  startedAt: string;
  machine: Machine;
  code: CodeState;
  options: BenchOptions;
  runs: RunResult[];
  /** The population sweeps and their baselines. */
  sweeps: SweepRunResult[];
  oneUser: OneUserResult | null;
  /** The rate-limit matrix of issue 16, one small record per cell. */
  matrix?: MatrixCell[];
  targets: TargetResult[];
  problems: string[];
}

/** Writes `report` to `<dir>/<start time>.json` and `<dir>/latest.json`; returns the first file's name. */
export function writeResults(dir: string, report: BenchReport): string {
  fs.mkdirSync(dir, { recursive: true });
  const name = `${report.startedAt.replace(/:/g, "-")}.json`;
  const json = JSON.stringify(report, null, 2) + "\n";
  fs.writeFileSync(path.join(dir, name), json);
  fs.writeFileSync(path.join(dir, "latest.json"), json);
  return name;
}

// ---------------------------------------------------------------------------
// Population sweeps (issue 11).

/** The sweep targets of docs/benchmarks.md, judged on the sweep runs and the one-user run made. */
export function sweepTargets(sweeps: SweepRunResult[], oneUser: OneUserResult | null): TargetResult[] {
  const out: TargetResult[] = [];
  // `ok` is undefined (or null) when the run it needs was not made.
  const add = (target: string, figure: string, required: string, ok: boolean | null | undefined) =>
    out.push({ target, figure, required, verdict: ok === undefined || ok === null ? "n/a" : ok ? "PASS" : "FAIL" });
  const na = "not run";
  const measured = (s: SweepKind) => sweeps.find((r) => r.scenario === s && r.role === "measured");

  const sweep = measured("sweep");
  add(
    "sweep, 1 process: share of the limit",
    sweep ? pct(sweep.shareOfLimit!) : na,
    ">= 90%",
    sweep && sweep.shareOfLimit! >= 0.9,
  );
  add(
    "sweep, 1 process: 429 answers",
    sweep ? pct(sweep.share429) : na,
    "<= 2% of requests",
    sweep && sweep.share429 <= 0.02,
  );
  add(
    "sweep, 1 process: requests / floor",
    sweep ? `${fix(sweep.overFloor, 3)}x (${sweep.requests.total} / ${sweep.floor})` : na,
    "<= 1.02x",
    sweep && sweep.overFloor <= 1.02,
  );

  const bucket = measured("small-bucket");
  add(
    "small bucket: 429 answers",
    bucket ? pct(bucket.share429) : na,
    "<= 2% of requests",
    bucket && bucket.share429 <= 0.02,
  );
  add(
    "small bucket: share of the limit",
    bucket ? pct(bucket.shareOfLimit!) : na,
    ">= 90%",
    bucket && bucket.shareOfLimit! >= 0.9,
  );

  const shards = measured("shards");
  add(
    "shards together: share of the licence",
    shards ? pct(shards.shareOfLimit!) : na,
    ">= 90%",
    shards && shards.shareOfLimit! >= 0.9,
  );
  add(
    "shards together: 429 answers",
    shards ? pct(shards.share429) : na,
    "<= 5% of requests",
    shards && shards.share429 <= 0.05,
  );
  add(
    "shards: finish times within 10% of each other",
    shards && shards.finishSpread !== null
      ? `${pct(shards.finishSpread)} (${shards.processes.map((p) => fix(p.finishedAtSeconds, 1)).join(", ")} s)`
      : na,
    "latest / earliest - 1 <= 10%",
    shards && shards.finishSpread !== null ? shards.finishSpread <= 0.1 : undefined,
  );
  add(
    "shards: every user listed exactly once",
    shards ? `${shards.usersListedTwice} twice, ${shards.usersNeverListed} never` : na,
    "0 and 0 (disjoint, complete)",
    shards && shards.usersListedTwice === 0 && shards.usersNeverListed === 0,
  );

  const small = sweeps.find((r) => r.scenario === "memory" && r.role === "baseline");
  const large = measured("memory");
  const growth =
    small && large && small.processes[0] && large.processes[0]
      ? large.processes[0].peakRssBytes - small.processes[0].peakRssBytes
      : undefined;
  add(
    "memory: peak RSS growth, small to large population",
    growth !== undefined
      ? `${fix(growth / MB, 1)} MB (${fix(small!.processes[0].peakRssBytes / MB, 1)} -> ${fix(large!.processes[0].peakRssBytes / MB, 1)} MB; ${small!.users} -> ${large!.users} users)`
      : na,
    "<= 10 MB",
    growth !== undefined ? growth <= 10 * MB : undefined,
  );

  const worstRoundTrips = oneUser ? Math.max(...oneUser.cliRuns.map((r) => r.roundTrips)) : undefined;
  add(
    "one user, 10 sessions: round trips on the critical path",
    oneUser ? `${worstRoundTrips} (the most in ${oneUser.cliRuns.length} runs)` : na,
    "<= 4",
    worstRoundTrips === undefined ? undefined : worstRoundTrips <= 4,
  );
  add(
    "one user, 10 sessions: wall time",
    oneUser
      ? `${fix(oneUser.cli.wallSeconds, 3)} s, median of ${oneUser.cliRuns.length} (budget ${fix(oneUser.budgetSeconds, 3)} s = start-up ${fix(oneUser.startupSeconds, 3)} + 4 x ${fix(oneUser.cli.roundTripSeconds, 3)})`
      : na,
    "<= start-up + 4 round trips",
    oneUser && oneUser.cli.wallSeconds <= oneUser.budgetSeconds,
  );
  return out;
}

/** One row per sweep run, measured and baseline side by side, as Markdown. */
export function sweepTable(sweeps: SweepRunResult[]): string {
  const header = [
    "run",
    "users",
    "sessions",
    "wall s",
    "% of limit",
    "429s",
    "requests / floor",
    "failures",
    "peak RSS",
  ];
  const rows = sweeps.map((r) => [
    r.name,
    String(r.users),
    `${r.sessionsRevoked}/${r.sessionsInScope}`,
    fix(r.wallSeconds, 2),
    r.shareOfLimit === null ? "n/a" : pct(r.shareOfLimit),
    `${r.requests.status429} (${pct(r.share429)})`,
    `${r.requests.total} / ${r.floor} = ${fix(r.overFloor, 3)}x`,
    String(r.processes.reduce((n, p) => n + p.failures, 0)),
    r.processes.length === 0 ? "n/a" : r.processes.map((p) => `${fix(p.peakRssBytes / MB, 0)}`).join("/") + " MB",
  ]);
  return formatTable(header, rows, { format: "markdown", align: header.map((_, i) => (i === 0 ? "left" : "right")) });
}

/** One row per process of the multi-process runs (the shards), as Markdown. */
export function processTable(sweeps: SweepRunResult[]): string {
  const header = [
    "run",
    "process",
    "source",
    "finished at s",
    "requests",
    "% of licence",
    "429s",
    "users",
    "revoked",
    "peak RSS",
  ];
  const rows = sweeps
    .filter((r) => r.scenario === "shards")
    .flatMap((r) =>
      r.processes.map((p) => [
        r.role === "measured" ? "together" : "alone",
        p.label,
        p.source,
        fix(p.finishedAtSeconds, 2),
        String(p.requests.total),
        p.shareOfLimit === null ? "n/a" : pct(p.shareOfLimit),
        `${p.requests.status429} (${pct(p.share429)})`,
        String(p.usersScanned),
        String(p.sessionsRevoked),
        `${fix(p.peakRssBytes / MB, 0)} MB`,
      ]),
    );
  return formatTable(header, rows, { format: "markdown", align: header.map((_, i) => (i < 3 ? "left" : "right")) });
}

/** The one-user figure beside the curl loop, as Markdown. */
export function oneUserTable(r: OneUserResult): string {
  const header = [
    "run",
    "wall s",
    "first request at s",
    "last answer at s",
    "round trips",
    "client time between them s",
    "requests",
    "processes",
    "revoked",
    "failures",
  ];
  const rows = [r.cli, ...(r.curl ? [r.curl] : [])].map((x) => [
    x.name,
    fix(x.wallSeconds, 3),
    x.firstRequestAtSeconds === null ? "n/a" : fix(x.firstRequestAtSeconds, 3),
    x.lastAnswerAtSeconds === null ? "n/a" : fix(x.lastAnswerAtSeconds, 3),
    String(x.roundTrips),
    x.firstRequestAtSeconds === null || x.lastAnswerAtSeconds === null
      ? "n/a"
      : fix(x.lastAnswerAtSeconds - x.firstRequestAtSeconds - x.roundTrips * x.roundTripSeconds, 3),
    String(x.requests),
    String(x.processes),
    String(x.sessionsRevoked),
    String(x.failures.length),
  ]);
  return formatTable(header, rows, { format: "markdown", align: header.map((_, i) => (i === 0 ? "left" : "right")) });
}

/**
 * The evidence behind a sweep run's rate: requests per second (accepted,
 * `+Nx429`), when each 429 arrived, and per process its pacer's window and
 * start rate at the end of each second (`window@rate/s`), the first 60 s.
 */
export function sweepTimelineLines(r: SweepRunResult): string[] {
  const secs = r.timeline
    .slice(0, 60)
    .map((t) => (t.throttled > 0 ? `${t.accepted}+${t.throttled}x429` : `${t.accepted}`));
  const more = r.timeline.length > 60 ? ` ... (${r.timeline.length} s in all)` : "";
  const lines = [`  ${r.name}: requests per second (accepted[+429s]): ${secs.join(" ")}${more}`];
  if (r.throttleTimes.length > 0)
    lines.push(
      `    429s arrived at (s): ${r.throttleTimes.map((t) => fix(t, 2)).join(" ")}${r.requests.status429 > r.throttleTimes.length ? " ..." : ""}`,
    );
  for (const p of r.processes) {
    if (p.window.length === 0) continue;
    const w = p.window.slice(0, 60).map((s) => `${s.window}@${Number.isFinite(s.rate) ? fix(s.rate, 0) : "-"}`);
    lines.push(`    ${p.label} pacer window@rate/s per second: ${w.join(" ")}${p.window.length > 60 ? " ..." : ""}`);
    if (p.quietAfter429.length > 0) {
      const q = p.quietAfter429;
      lines.push(
        `    ${p.label} longest silence within 2 s of each 429 (s): median ${fix(median(q), 3)}, max ${fix(Math.max(...q), 3)}: ${q
          .slice(0, 30)
          .map((x) => fix(x, 2))
          .join(" ")}${q.length > 30 ? " ..." : ""}`,
      );
    }
    for (const f of p.failureSamples) lines.push(`    ${p.label} failure: ${f}`);
  }
  return lines;
}

/** What makes a sweep run's figures meaningless: a crash or timeout, in-scope sessions left, requests never answered. */
export function sweepProblems(sweeps: SweepRunResult[]): string[] {
  const problems: string[] = [];
  for (const r of sweeps) {
    if (r.broken) problems.push(`${r.name}: ${r.broken}`);
    if (r.sessionsLeftInScope !== 0)
      problems.push(`${r.name}: the emulator still holds ${r.sessionsLeftInScope} of the sessions it was to revoke`);
    if (r.requests.pending !== 0) problems.push(`${r.name}: ${r.requests.pending} requests never answered`);
  }
  return problems;
}
