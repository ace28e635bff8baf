/**
 * Benchmark: bulk revocation of PingOne user sessions through Pulumi's real
 * dynamic-provider host, against the emulator on loopback, compared with the
 * workaround people use today (one `curl --retry 10` per session); then the
 * population sweeps of issue 11, each beside its baseline, run in separate
 * sweeping processes. The runs are in `scenarios.ts` and `sweeps.ts` (the
 * processes in `workers.ts` and `shardWorker.ts`), the figures in `measure.ts`,
 * the targets and tables in `report.ts`, the flags in `options.ts`.
 *
 * Usage: see `USAGE` in options.ts, or `npm run bench -- --help`.
 *
 * Counts come from the emulator's request log. Results are printed and written to
 * bench/results/<timestamp>.json and bench/results/latest.json. Exit code 0 even when a
 * target fails; 2 when something broke (sessions left, a crash, a timeout); 64 on a bad
 * command line.
 */
import fs from "node:fs";
import path from "node:path";
import { serializeProvider } from "../harness/providerHost";
import { userSessionsRevocationProvider } from "../provider/resources/userSessionsRevocation";
import { OneUserResult, RunResult, SweepRunResult } from "./measure";
import {
  BenchOptions,
  ONE_USER_LATENCY_MS,
  parseBenchArgs,
  RUN_KINDS,
  selected,
  SMALL_BUCKET,
  SweepKind,
  UsageError,
  USAGE,
} from "./options";
import {
  codeState,
  fix,
  machine,
  pct,
  oneUserTable,
  problemsOf,
  processTable,
  runTable,
  sweepProblems,
  sweepTable,
  sweepTargets,
  sweepTimelineLines,
  targets,
  targetTable,
  timelineLines,
  writeResults,
} from "./report";
import { CURL, curlRun, providerRun } from "./scenarios";
import { memoryRuns, oneUserRun, shardRuns, smallBucketRuns, sweepRun } from "./sweeps";
import { transpileWorker, WorkerScript } from "./workers";
import { cellName, MATRIX_TENANTS, MatrixCell, matrixCells, matrixRuns, matrixTable } from "./matrix";

const RESULTS_DIR = path.join(__dirname, "results");
const EXIT_BROKEN = 2;
const EXIT_USAGE = 64;

async function main(): Promise<number> {
  const o = parseBenchArgs(process.argv.slice(2));
  if (o === "help") {
    console.log(USAGE);
    return 0;
  }
  if (!fs.existsSync(CURL) && selected(o, "curl")) throw new Error(`${CURL} not found; the curl baseline needs it`);
  const m = machine(CURL);
  const code = codeState(path.join(__dirname, ".."));
  const startedAt = new Date();
  console.log(
    `bench: ${o.users} users x ${o.sessions} sessions = ${o.users * o.sessions} sessions; emulator latency ${o.latencyMs} ms/request on 127.0.0.1; ` +
      `rate-limited run: token bucket ${o.rate} req/s, burst ${o.burst}; provider pingone:maxConcurrency ${o.maxConcurrency ?? "default"}; ` +
      `curl baseline ${o.curlConcurrency} processes at a time`,
  );
  console.log(
    `sweeps: tenants drawn by seedTenant (seed ${o.tenantSeed}; 20% of users without a session, the others 1-10); one process ${o.sweepUsers} users at ${o.rate} req/s burst ${o.burst}; ` +
      `small bucket ${o.bucketUsers} users at ${SMALL_BUCKET.requestsPerSecond} req/s burst ${SMALL_BUCKET.burst}, ${SMALL_BUCKET.latencyMs} ms; ` +
      `${o.shards} shards of ${o.shardUsers} users at ${o.rate} req/s (per-source share 35%); memory ${o.memoryUsers.join(" vs ")} users unlimited; ` +
      `one user's 10 sessions at ${ONE_USER_LATENCY_MS} ms`,
  );
  console.log(`machine: ${m.nproc} cpus (${m.cpu}), ${m.memoryGiB} GiB, ${m.platform}, node ${m.node}, ${m.curl}`);
  console.log(
    `code: commit ${code.commit}` +
      (code.uncommitted.length > 0
        ? `, WITH UNCOMMITTED CHANGES (measured as built): ${code.uncommitted.join("; ")}`
        : ", provider/ and emulator/ as committed"),
  );

  const runs: RunResult[] = [];
  const providerKinds = RUN_KINDS.filter((k) => selected(o, k));
  if (providerKinds.length > 0) {
    const providerText = await serializeProvider(userSessionsRevocationProvider);
    for (const kind of providerKinds) {
      process.stdout.write(`running ${kind} ... `);
      const r = kind === "curl" ? await curlRun(o) : await providerRun(o, kind, providerText);
      runs.push(r);
      console.log(
        `${fix(r.wallSeconds, 2)} s, ${r.sessionsRevoked}/${r.sessionsSeeded} revoked${r.broken ? `, BROKEN: ${r.broken}` : ""}`,
      );
    }
  }
  const { sweeps, oneUser } = await sweepScenarios(o);
  const matrix = selected(o, "matrix") ? await matrixScenario(o) : [];

  if (runs.length > 0) {
    console.log("");
    console.log(runTable(runs));
    console.log("");
    console.log(
      "req/session = API requests (lists + DELETEs, retries included) / sessions revoked; DELETE/session = the same beyond the list calls.",
    );
    console.log(
      "% of limit = accepted requests (token included) per second of wall time / limit. Peak RSS = VmHWM of the provider host process.",
    );
    for (const r of runs) for (const n of r.notes) console.log(`note (${r.name}): ${n}`);
    console.log("");
    for (const r of runs) for (const line of timelineLines(r)) console.log(line);
  }
  if (sweeps.length > 0) {
    console.log("");
    console.log(sweepTable(sweeps));
    if (sweeps.some((r) => r.scenario === "shards")) {
      console.log("");
      console.log(processTable(sweeps));
    }
    console.log("");
    console.log(
      "Sweeps run in separate processes (bench/shardWorker.ts, the compiled client), the emulator in the bench's.",
    );
    console.log(
      "floor = per process one token and every page of users (200 a page), one session list per user, one DELETE per session.",
    );
    console.log(
      "% of limit = accepted requests per second of wall time (go to the last process's end) / the licence's rate. Peak RSS = maxRSS of each sweeping process.",
    );
    for (const r of sweeps) for (const n of r.notes) console.log(`note (${r.name}): ${n}`);
    console.log("");
    for (const r of sweeps) for (const line of sweepTimelineLines(r)) console.log(line);
  }
  if (oneUser) {
    console.log("");
    console.log(
      `one user, ${oneUser.sessions} sessions, ${oneUser.latencyMs} ms latency: start-up ${fix(oneUser.startupSeconds, 3)} s, round trip ${fix(oneUser.cli.roundTripSeconds, 3)} s`,
    );
    console.log(oneUserTable(oneUser));
    for (const n of oneUser.notes) console.log(`note (one user): ${n}`);
    for (const r of [...oneUser.cliRuns, ...(oneUser.curl ? [oneUser.curl] : [])])
      for (const f of r.failures) console.log(`  ${r.name} failure: ${f}`);
  }
  if (matrix.length > 0) {
    console.log("");
    console.log(
      `Rate-limit matrix (issue 16): sweep of ${MATRIX_TENANTS.sweep.users} users (${pct(MATRIX_TENANTS.sweep.shape.sessionlessShare!)} without a session, the others 1); ` +
        `per-user bulk of ${MATRIX_TENANTS.perUser.users} users with 1-${MATRIX_TENANTS.perUser.shape.maxSessionsPerUser} sessions, all at once through one client.`,
    );
    console.log(
      "Targets: 0 failed, 0 left, >= 90% of the limit, <= 2% throttled (4 sweeps: <= 5%). RA = the 429's Retry-After; its body carries the exact wait.",
    );
    console.log(matrixTable(matrix));
    for (const c of matrix) for (const f of c.failureSamples) console.log(`  ${cellName(c)} failure: ${f}`);
  }
  // With --only, the targets of the scenarios left out are left out too.
  const ts = [...targets(runs), ...sweepTargets(sweeps, oneUser)].filter(
    (t) => o.only === undefined || t.verdict !== "n/a",
  );
  const matrixPassed = matrix.filter((c) => c.verdict === "PASS").length;
  if (matrix.length > 0)
    ts.push({
      target: "rate-limit matrix (issue 16): cells meeting every target",
      figure: `${matrixPassed} of ${matrix.length}`,
      required: "all",
      verdict: matrixPassed === matrix.length ? "PASS" : "FAIL",
    });
  console.log("");
  console.log(targetTable(ts));

  const problems = [...problemsOf(runs), ...sweepProblems(sweeps), ...oneUserProblems(oneUser)];
  const written = writeResults(RESULTS_DIR, {
    startedAt: startedAt.toISOString(),
    machine: m,
    code,
    options: o,
    runs,
    sweeps,
    oneUser,
    matrix,
    targets: ts,
    problems,
  });
  console.log(`\nwrote bench/results/${written} and bench/results/latest.json`);

  if (problems.length > 0) {
    console.error(`\nBENCHMARK BROKEN:\n  ${problems.join("\n  ")}`);
    return EXIT_BROKEN;
  }
  return 0;
}

/** The sweep scenarios selected, in order; the worker script is transpiled once for all of them. */
async function sweepScenarios(o: BenchOptions): Promise<{ sweeps: SweepRunResult[]; oneUser: OneUserResult | null }> {
  // The one-user figure is judged to the millisecond: it runs first, before the bench process
  // (which is the emulator too) holds the garbage of a 20,000-user tenant.
  let oneUser: OneUserResult | null = null;
  if (selected(o, "one-user")) {
    process.stdout.write("running one-user ... ");
    oneUser = await oneUserRun(o);
    console.log(
      `CLI ${fix(oneUser.cli.wallSeconds, 3)} s${oneUser.curl ? `, curl loop ${fix(oneUser.curl.wallSeconds, 3)} s` : ""}`,
    );
  }
  const sweeps: SweepRunResult[] = [];
  const plans: [SweepKind, (o: BenchOptions, script: WorkerScript) => Promise<SweepRunResult[]>][] = [
    ["sweep", sweepRun],
    ["small-bucket", smallBucketRuns],
    ["shards", shardRuns],
    ["memory", memoryRuns],
  ];
  const chosen = plans.filter(([kind]) => selected(o, kind));
  if (chosen.length > 0) {
    const script = transpileWorker();
    try {
      for (const [kind, run] of chosen) {
        process.stdout.write(`running ${kind} ... `);
        const t0 = Date.now();
        const made = await run(o, script);
        sweeps.push(...made);
        console.log(
          `${fix((Date.now() - t0) / 1000, 1)} s: ${made.map((r) => `${r.name}: ${r.sessionsRevoked}/${r.sessionsInScope} revoked in ${fix(r.wallSeconds, 2)} s${r.broken ? `, BROKEN: ${r.broken}` : ""}`).join("; ")}`,
        );
      }
    } finally {
      script.dispose();
    }
  }
  return { sweeps, oneUser };
}

/** The rate-limit matrix; `BENCH_CELLS=regexp` keeps only the cells whose name matches (for a quick look). */
async function matrixScenario(o: BenchOptions): Promise<MatrixCell[]> {
  const only = process.env.BENCH_CELLS === undefined ? undefined : new RegExp(process.env.BENCH_CELLS);
  const script = transpileWorker();
  try {
    console.log(`running matrix (${matrixCells().filter((c) => !only || only.test(cellName(c))).length} cells) ...`);
    return await matrixRuns(
      o,
      script,
      (c) =>
        console.log(
          `  ${cellName(c)}: ${c.sessionsRevoked}/${c.sessionsInScope} revoked in ${fix(c.wallSeconds, 1)} s, ${pct(c.shareOfLimit)} of limit, ${pct(c.share429)} throttled: ${c.verdict}${c.missed.length ? ` (${c.missed.join("; ")})` : ""}`,
        ),
      (c) => !only || only.test(cellName(c)),
    );
  } finally {
    script.dispose();
  }
}

/** The one-user figure is meaningless when any run of either side failed or left sessions. */
function oneUserProblems(r: OneUserResult | null): string[] {
  if (!r) return [];
  return [...r.cliRuns, ...(r.curl ? [r.curl] : [])].flatMap((x) => [
    ...x.failures.map((f) => `${x.name}: ${f}`),
    ...(x.sessionsRevoked !== 10 ? [`${x.name}: revoked ${x.sessionsRevoked} of 10 sessions`] : []),
  ]);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`bench: ${error.message}\n\n${USAGE}`);
      process.exit(EXIT_USAGE);
    }
    console.error(`bench crashed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
