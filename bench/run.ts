/**
 * Benchmark: bulk revocation of PingOne user sessions through Pulumi's real
 * dynamic-provider host, against the emulator on loopback, compared with the
 * workaround people use today (one `curl --retry 10` per session). The runs are in
 * `scenarios.ts`, the figures in `measure.ts`, the targets and tables in `report.ts`,
 * the flags in `options.ts`.
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
import { RunResult } from "./measure";
import { parseBenchArgs, RUN_KINDS, UsageError, USAGE } from "./options";
import { codeState, fix, machine, problemsOf, runTable, targets, targetTable, timelineLines, writeResults } from "./report";
import { CURL, curlRun, providerRun } from "./scenarios";

const RESULTS_DIR = path.join(__dirname, "results");
const EXIT_BROKEN = 2;
const EXIT_USAGE = 64;

async function main(): Promise<number> {
  const o = parseBenchArgs(process.argv.slice(2));
  if (o === "help") {
    console.log(USAGE);
    return 0;
  }
  if (!fs.existsSync(CURL) && (!o.only || o.only === "curl")) throw new Error(`${CURL} not found; the curl baseline needs it`);
  const m = machine(CURL);
  const code = codeState(path.join(__dirname, ".."));
  const startedAt = new Date();
  console.log(
    `bench: ${o.users} users x ${o.sessions} sessions = ${o.users * o.sessions} sessions; emulator latency ${o.latencyMs} ms/request on 127.0.0.1; ` +
      `rate-limited run: token bucket ${o.rate} req/s, burst ${o.burst}; provider pingone:maxConcurrency ${o.maxConcurrency ?? "default"}; ` +
      `curl baseline ${o.curlConcurrency} processes at a time`,
  );
  console.log(`machine: ${m.nproc} cpus (${m.cpu}), ${m.memoryGiB} GiB, ${m.platform}, node ${m.node}, ${m.curl}`);
  console.log(
    `code: commit ${code.commit}` +
      (code.uncommitted.length > 0 ? `, WITH UNCOMMITTED CHANGES (measured as built): ${code.uncommitted.join("; ")}` : ", provider/ and emulator/ as committed"),
  );

  const providerText = await serializeProvider(userSessionsRevocationProvider);
  const runs: RunResult[] = [];
  for (const kind of o.only ? [o.only] : RUN_KINDS) {
    process.stdout.write(`running ${kind} ... `);
    const r = kind === "curl" ? await curlRun(o) : await providerRun(o, kind, providerText);
    runs.push(r);
    console.log(`${fix(r.wallSeconds, 2)} s, ${r.sessionsRevoked}/${r.sessionsSeeded} revoked${r.broken ? `, BROKEN: ${r.broken}` : ""}`);
  }

  console.log("");
  console.log(runTable(runs));
  console.log("");
  console.log("req/session = API requests (lists + DELETEs, retries included) / sessions revoked; DELETE/session = the same beyond the list calls.");
  console.log("% of limit = accepted requests (token included) per second of wall time / limit. Peak RSS = VmHWM of the provider host process.");
  for (const r of runs) for (const n of r.notes) console.log(`note (${r.name}): ${n}`);
  console.log("");
  for (const r of runs) for (const line of timelineLines(r)) console.log(line);
  const ts = targets(runs);
  console.log("");
  console.log(targetTable(ts));

  const problems = problemsOf(runs);
  const written = writeResults(RESULTS_DIR, { startedAt: startedAt.toISOString(), machine: m, code, options: o, runs, targets: ts, problems });
  console.log(`\nwrote bench/results/${written} and bench/results/latest.json`);

  if (problems.length > 0) {
    console.error(`\nBENCHMARK BROKEN:\n  ${problems.join("\n  ")}`);
    return EXIT_BROKEN;
  }
  return 0;
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
