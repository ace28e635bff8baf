/**
 * The rate-limit matrix of issue 16: does pacing hold at every latency, on a
 * busy machine, whatever the 429 says? Each cell is one run on a freshly
 * seeded emulator, in separate sweeping processes (`shardWorker.ts`):
 *
 *   workloads   the population sweep (`sweepSessions`, all users) and the
 *               per-user bulk (`revokeUserSessions` for every user at once
 *               through one client, as `UserSessionsRevocation` does)
 *   conditions  latency 0, 5, 20, 100 ms; 0 ms with two CPU-bound processes
 *   licences    200 req/s burst 20; 100 req/s burst 10
 *   429 styles  `Retry-After` in whole seconds (the emulator's default) or
 *               `Retry-After: 0`, the exact wait in the body either way
 *   4 processes four shards of the sweep at once on one 200 req/s licence,
 *               all from 127.0.0.1 (one address), at 2, 5 and 20 ms; they
 *               learn the licence from their own 429s only
 *
 * Targets: one process, 0 sessions failed, 0 left, >= 90% of the limit,
 * <= 2% of requests throttled; four processes, the same with <= 5%
 * throttled. A cell that misses stays in the table, marked, with why.
 */
import type { RateLimit } from "../emulator";
import type { SweepRunResult } from "./measure";
import type { BenchOptions } from "./options";
import { fix, pct } from "./report";
// Every process of a cell binds no address: all come from 127.0.0.1, one address on one licence.
import { runPlan, SweepPlan, task, TenantShape } from "./sweeps";
import type { WorkerScript } from "./workers";
import { formatTable } from "../cli/output";

/** What the matrix's tenants hold, chosen so that one full run stays near 10 minutes on 2 cores. */
export const MATRIX_TENANTS = {
  /** 2,000 users, 60% without a session, the others one: 2,000 lists and about 800 DELETEs. */
  sweep: { users: 2000, shape: { sessionlessShare: 0.6, maxSessionsPerUser: 1 } as TenantShape },
  /** 400 users with 1-2 sessions each: 400 lists and about 600 DELETEs, all asked at once. */
  perUser: { users: 400, shape: { sessionlessShare: 0, maxSessionsPerUser: 2 } as TenantShape },
} as const;

/** One cell's coordinates. */
export interface MatrixCellSpec {
  workload: "sweep" | "per-user" | "4 sweeps";
  latencyMs: number;
  /** CPU-bound processes beside the run. */
  busy: number;
  licence: { requestsPerSecond: number; burst: number };
  style: "whole-seconds" | "zero";
}

/** One cell's figures and verdict, small enough to keep in the results file. */
export interface MatrixCell extends MatrixCellSpec {
  processes: number;
  wallSeconds: number;
  sessionsInScope: number;
  sessionsRevoked: number;
  sessionsLeft: number;
  sessionsFailed: number;
  requests: number;
  throttled: number;
  shareOfLimit: number;
  share429: number;
  verdict: "PASS" | "MISS";
  /** Why the cell missed, one phrase per target missed. */
  missed: string[];
  failureSamples: string[];
}

/** Every cell of the matrix, in the order they run. */
export function matrixCells(): MatrixCellSpec[] {
  const cells: MatrixCellSpec[] = [];
  const conditions = [
    { latencyMs: 0, busy: 0 },
    { latencyMs: 5, busy: 0 },
    { latencyMs: 20, busy: 0 },
    { latencyMs: 100, busy: 0 },
    { latencyMs: 0, busy: 2 },
  ];
  for (const licence of [
    { requestsPerSecond: 200, burst: 20 },
    { requestsPerSecond: 100, burst: 10 },
  ]) {
    for (const style of ["whole-seconds", "zero"] as const) {
      for (const c of conditions) {
        for (const workload of ["sweep", "per-user"] as const) cells.push({ workload, ...c, licence, style });
      }
    }
  }
  for (const latencyMs of [2, 5, 20])
    cells.push({
      workload: "4 sweeps",
      latencyMs,
      busy: 0,
      licence: { requestsPerSecond: 200, burst: 20 },
      style: "zero",
    });
  return cells;
}

/** How a cell is named in progress lines. */
export function cellName(c: MatrixCellSpec): string {
  const busy = c.busy > 0 ? ` + ${c.busy} busy` : "";
  return `${c.workload}, ${c.latencyMs} ms${busy}, ${c.licence.requestsPerSecond}/s burst ${c.licence.burst}, Retry-After ${c.style === "zero" ? "0 + body" : "whole s + body"}`;
}

/** Runs every cell (those `filter` keeps), one after the other. */
export async function matrixRuns(
  o: BenchOptions,
  script: WorkerScript,
  onCell: (cell: MatrixCell) => void,
  filter: (c: MatrixCellSpec) => boolean = () => true,
): Promise<MatrixCell[]> {
  const out: MatrixCell[] = [];
  for (const spec of matrixCells().filter(filter)) {
    const run = await runPlan(o, script, planOf(spec));
    if (process.env.BENCH_DEBUG) {
      for (const p of run.processes)
        console.log(
          `    ${p.label}: ${p.window.map((w) => `${w.second}:${w.rate.toFixed(0)}/${w.throttles}`).join(" ")}`,
        );
      console.log(`    timeline: ${run.timeline.map((t) => JSON.stringify(t)).join(" ")}`);
    }
    const cell = judge(spec, run);
    onCell(cell);
    out.push(cell);
  }
  return out;
}

function planOf(c: MatrixCellSpec): SweepPlan {
  const rateLimit: RateLimit = { ...c.licence, retryAfterHeader: c.style };
  const common = {
    scenario: "matrix" as const,
    role: "measured" as const,
    latencyMs: c.latencyMs,
    rateLimit,
    busyProcesses: c.busy,
    scope: (t: { userIds: string[] }) => t.userIds,
  };
  const sweepFloor = (t: { userIds: string[] }, users: number, sessions: number) => ({
    processes: 1,
    pagesUsers: true,
    population: t.userIds.length,
    usersListed: users,
    sessions,
  });
  if (c.workload === "per-user") {
    return {
      ...common,
      name: cellName(c),
      users: MATRIX_TENANTS.perUser.users,
      shape: MATRIX_TENANTS.perUser.shape,
      tasks: (t) => [
        task(t, "per-user", { kind: "per-user", environmentId: t.seed.environmentId, userIds: t.userIds }),
      ],
      floor: (_t, users, sessions) => ({
        processes: 1,
        pagesUsers: false,
        population: 0,
        usersListed: users,
        sessions,
      }),
    };
  }
  const count = c.workload === "4 sweeps" ? 4 : 1;
  return {
    ...common,
    name: cellName(c),
    users: MATRIX_TENANTS.sweep.users,
    shape: MATRIX_TENANTS.sweep.shape,
    tasks: (t) =>
      Array.from({ length: count }, (_, index) =>
        task(t, count === 1 ? "sweep" : `shard ${index + 1}/${count}`, {
          kind: "sweep",
          environmentId: t.seed.environmentId,
          shard: count === 1 ? undefined : { index, count },
        }),
      ),
    floor: (t, users, sessions) => ({ ...sweepFloor(t, users, sessions), processes: count }),
  };
}

/** Targets of issue 16. */
export const MATRIX_TARGETS = { shareOfLimit: 0.9, share429One: 0.02, share429Many: 0.05 } as const;

function judge(spec: MatrixCellSpec, r: SweepRunResult): MatrixCell {
  const failed = r.processes.reduce((n, p) => n + p.failures, 0);
  const maxThrottled = spec.workload === "4 sweeps" ? MATRIX_TARGETS.share429Many : MATRIX_TARGETS.share429One;
  const shareOfLimit = r.shareOfLimit ?? 0;
  const missed: string[] = [];
  if (r.broken) missed.push(`broken: ${r.broken}`);
  if (failed > 0) missed.push(`${failed} failed`);
  if (r.sessionsLeftInScope > 0) missed.push(`${r.sessionsLeftInScope} sessions left`);
  if (shareOfLimit < MATRIX_TARGETS.shareOfLimit) missed.push(`${pct(shareOfLimit)} of the limit < 90%`);
  if (r.share429 > maxThrottled) missed.push(`${pct(r.share429)} throttled > ${pct(maxThrottled)}`);
  return {
    ...spec,
    processes: r.processes.length,
    wallSeconds: r.wallSeconds,
    sessionsInScope: r.sessionsInScope,
    sessionsRevoked: r.sessionsRevoked,
    sessionsLeft: r.sessionsLeftInScope,
    sessionsFailed: failed,
    requests: r.requests.total,
    throttled: r.requests.status429,
    shareOfLimit,
    share429: r.share429,
    verdict: missed.length === 0 ? "PASS" : "MISS",
    missed,
    failureSamples: r.processes.flatMap((p) => p.failureSamples).slice(0, 3),
  };
}

/** The matrix as one Markdown table, a row per cell. */
export function matrixTable(cells: readonly MatrixCell[]): string {
  const header = [
    "workload",
    "latency",
    "licence",
    "429 says",
    "wall s",
    "revoked",
    "failed",
    "left",
    "requests",
    "% of limit",
    "throttled",
    "verdict",
  ];
  const rows = cells.map((c) => [
    c.workload,
    `${c.latencyMs} ms${c.busy > 0 ? ` + ${c.busy} busy` : ""}`,
    `${c.licence.requestsPerSecond}/s b${c.licence.burst}`,
    c.style === "zero" ? "RA 0 + body" : "RA whole s + body",
    fix(c.wallSeconds, 1),
    `${c.sessionsRevoked}/${c.sessionsInScope}`,
    String(c.sessionsFailed),
    String(c.sessionsLeft),
    String(c.requests),
    pct(c.shareOfLimit),
    `${c.throttled} (${pct(c.share429)})`,
    c.verdict === "PASS" ? "PASS" : `MISS: ${c.missed.join("; ")}`,
  ]);
  return formatTable(header, rows, {
    format: "markdown",
    align: header.map((_, i) => (i >= 4 && i <= 10 ? "right" : "left")),
  });
}
