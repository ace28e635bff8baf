/**
 * Benchmark: bulk revocation of PingOne user sessions through Pulumi's real
 * dynamic-provider host, against the emulator on loopback, compared with the
 * workaround people use today (one `curl --retry 10` per session).
 *
 * Runs (each on a freshly seeded emulator, and each provider run on a fresh host
 * so no pacer state carries over):
 *   limited    200 concurrent `create`s of UserSessionsRevocation, emulator rate limit on
 *   unlimited  the same without a rate limit
 *   curl       one curl process per session, 32 at a time, no rate limit
 *
 * Usage: npm run bench -- [--users 200] [--sessions 10] [--latency-ms 20] [--rate 200]
 *          [--burst 20] [--only limited|unlimited|curl] [--max-concurrency N]
 *          [--curl-concurrency 32] [--run-timeout-s 240] [--host-node-options "--max-semi-space-size=1"]
 *
 * Counts come from the emulator's request log. Results are printed and written to
 * bench/results/<timestamp>.json and bench/results/latest.json. Exit code 0 even when a
 * target fails; non-zero only when something broke (sessions left, a crash, a timeout).
 * All traffic goes to 127.0.0.1.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startEmulator, RunningEmulator, RequestLogEntry } from "../emulator";
import { userSessionsRevocationProvider } from "../provider/resources/userSessionsRevocation";
import { ProviderHost, serializeProvider, urnFor } from "../tests/harness/providerHost";

const TYPE = "pulumi-nodejs:dynamic/pingone:UserSessionsRevocation";
// A fixed, obviously fake secret for the emulator's worker application.
const CLIENT_SECRET = "bench-not-a-secret";
const CURL = "/usr/bin/curl";
const RESULTS_DIR = path.join(__dirname, "results");
const MB = 1024 * 1024;

// ---------------------------------------------------------------- options

type RunKind = "limited" | "unlimited" | "curl";

interface Options {
  users: number;
  sessions: number;
  latencyMs: number;
  rate: number;
  burst: number;
  only?: RunKind;
  /** Passed as pingone:maxConcurrency when set; the headline runs use the default (unset). */
  maxConcurrency?: number;
  curlConcurrency: number;
  /** Hard bound of one run; past it the run is aborted and reported as broken. */
  runTimeoutS: number;
  /** NODE_OPTIONS for the provider host, e.g. "--max-semi-space-size=1", to see how much of its memory is garbage not yet collected. */
  hostNodeOptions?: string;
}

/** A bad command line: reported without a stack. */
class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const o: Options = { users: 200, sessions: 10, latencyMs: 20, rate: 200, burst: 20, curlConcurrency: 32, runTimeoutS: 240 };
  const numeric: Record<string, keyof Options> = {
    "--users": "users",
    "--sessions": "sessions",
    "--latency-ms": "latencyMs",
    "--rate": "rate",
    "--burst": "burst",
    "--max-concurrency": "maxConcurrency",
    "--curl-concurrency": "curlConcurrency",
    "--run-timeout-s": "runTimeoutS",
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === "--host-node-options") {
      o.hostNodeOptions = value;
    } else if (flag === "--only") {
      if (value !== "limited" && value !== "unlimited" && value !== "curl") throw new UsageError(`--only must be limited, unlimited or curl; got ${value}`);
      o.only = value;
    } else if (numeric[flag]) {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a non-negative number; got ${value}`);
      (o as unknown as Record<string, number>)[numeric[flag]] = n;
    } else {
      throw new UsageError(`unknown flag ${flag} (known: --only --host-node-options ${Object.keys(numeric).join(" ")})`);
    }
  }
  if (!Number.isInteger(o.users) || o.users < 1) throw new UsageError("--users must be a positive integer");
  // The emulator, like PingOne, keeps at most 10 sessions per user.
  if (!Number.isInteger(o.sessions) || o.sessions < 1 || o.sessions > 10) throw new UsageError("--sessions must be an integer 1..10 (PingOne keeps at most 10 per user)");
  if (!(o.rate > 0)) throw new UsageError("--rate must be positive");
  if (!(o.burst >= 1)) throw new UsageError("--burst must be at least 1");
  if (!Number.isInteger(o.curlConcurrency) || o.curlConcurrency < 1) throw new UsageError("--curl-concurrency must be a positive integer");
  if (o.maxConcurrency !== undefined && !(o.maxConcurrency > 0)) throw new UsageError("--max-concurrency must be positive");
  return o;
}

// ---------------------------------------------------------------- seeding

interface World {
  emulator: RunningEmulator;
  environmentId: string;
  clientId: string;
  users: { userId: string; sessionIds: string[] }[];
  seeded: number;
}

async function seededWorld(o: Options, limited: boolean): Promise<World> {
  const emulator = await startEmulator({
    latencyMs: o.latencyMs,
    rateLimit: limited ? { requestsPerSecond: o.rate, burst: o.burst } : undefined,
    // Every request of a run must stay in the log: ~2,200 per run by default, leave a wide margin.
    requestLogLimit: Math.max(100_000, o.users * (o.sessions + 1) * 20),
  });
  const environmentId = emulator.state.addEnvironment();
  const users: World["users"] = [];
  for (let u = 0; u < o.users; u++) {
    const userId = emulator.state.addUser(environmentId);
    const sessionIds: string[] = [];
    for (let s = 0; s < o.sessions; s++) sessionIds.push(emulator.state.addSession(environmentId, userId).id);
    users.push({ userId, sessionIds });
  }
  const { clientId } = emulator.state.addApplication({
    environmentId,
    clientSecret: CLIENT_SECRET,
    roles: [{ role: "Identity Data Administrator", environmentId }],
  });
  const seeded = emulator.state.sessionCount();
  if (seeded !== o.users * o.sessions) throw new Error(`seeding produced ${seeded} sessions, expected ${o.users * o.sessions}`);
  return { emulator, environmentId, clientId, users, seeded };
}

// ---------------------------------------------------------------- measuring

interface RunResult {
  name: string;
  kind: RunKind;
  rateLimit: { requestsPerSecond: number; burst: number } | null;
  maxConcurrency: number | "default";
  wallSeconds: number;
  sessionsSeeded: number;
  sessionsRevoked: number;
  sessionsLeft: number;
  revocationsPerSecond: number;
  requests: {
    total: number;
    api: number;
    token: number;
    list: number;
    delete: number;
    status429: number;
    accepted: number;
    pending: number;
    byStatus: Record<string, number>;
  };
  /** accepted requests per second ÷ limit; null when unlimited. */
  shareOfLimit: number | null;
  /** API requests (lists + deletes, retries included) ÷ sessions revoked. */
  requestsPerSession: number;
  /** DELETE requests (retries included) ÷ sessions revoked. */
  deletesPerSession: number;
  share429: number;
  operations: number;
  failures: number;
  failureSamples: string[];
  peakRssBytes: number | null;
  /** Per second since the start: requests accepted and answered 429 (by arrival time). */
  timeline: { second: number; accepted: number; throttled: number }[];
  firstThrottleAtSeconds: number | null;
  /** Arrival of the first and last request, seconds after the start (what the wall time spends outside HTTP). */
  firstRequestAtSeconds: number | null;
  lastRequestAtSeconds: number | null;
  notes: string[];
  broken?: string;
}

function analyse(
  base: Pick<RunResult, "name" | "kind" | "rateLimit" | "maxConcurrency" | "operations" | "failures" | "failureSamples" | "peakRssBytes" | "notes" | "broken">,
  world: World,
  log: RequestLogEntry[],
  startedAtMs: number,
  wallSeconds: number,
): RunResult {
  const byStatus: Record<string, number> = {};
  let api = 0;
  let token = 0;
  let list = 0;
  let del = 0;
  let status429 = 0;
  let pending = 0;
  const timeline: RunResult["timeline"] = [];
  let firstThrottle: number | null = null;
  for (const r of log) {
    byStatus[String(r.status)] = (byStatus[String(r.status)] ?? 0) + 1;
    const isApi = r.path.startsWith("/v1/");
    if (isApi) api++;
    else if (r.path.endsWith("/as/token")) token++;
    if (isApi && r.method === "GET") list++;
    if (isApi && r.method === "DELETE") del++;
    if (r.status === "pending") pending++;
    const second = Math.max(0, Math.floor((r.at - startedAtMs) / 1000));
    while (timeline.length <= second) timeline.push({ second: timeline.length, accepted: 0, throttled: 0 });
    if (r.status === 429) {
      status429++;
      timeline[second].throttled++;
      if (firstThrottle === null) firstThrottle = (r.at - startedAtMs) / 1000;
    } else {
      timeline[second].accepted++;
    }
  }
  const total = log.length;
  const accepted = total - status429;
  const left = world.emulator.state.sessionCount();
  const revoked = world.seeded - left;
  return {
    ...base,
    wallSeconds,
    sessionsSeeded: world.seeded,
    sessionsRevoked: revoked,
    sessionsLeft: left,
    revocationsPerSecond: revoked / wallSeconds,
    requests: { total, api, token, list, delete: del, status429, accepted, pending, byStatus },
    shareOfLimit: base.rateLimit ? accepted / wallSeconds / base.rateLimit.requestsPerSecond : null,
    requestsPerSession: revoked > 0 ? api / revoked : NaN,
    deletesPerSession: revoked > 0 ? del / revoked : NaN,
    share429: total > 0 ? status429 / total : 0,
    timeline,
    firstThrottleAtSeconds: firstThrottle,
    firstRequestAtSeconds: log.length > 0 ? (log.reduce((m, r) => Math.min(m, r.at), Infinity) - startedAtMs) / 1000 : null,
    lastRequestAtSeconds: log.length > 0 ? (log.reduce((m, r) => Math.max(m, r.at), -Infinity) - startedAtMs) / 1000 : null,
  };
}

/** Resolves `promise`, or rejects after `ms` with a message naming `what`. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------- provider runs

async function providerRun(o: Options, kind: "limited" | "unlimited", providerText: string): Promise<RunResult> {
  const limited = kind === "limited";
  const world = await seededWorld(o, limited);
  const config: Record<string, string> = {
    "pingone:apiUrl": world.emulator.apiUrl,
    "pingone:authUrl": world.emulator.authUrl,
    "pingone:clientId": world.clientId,
    "pingone:clientSecret": CLIENT_SECRET,
    "pingone:environmentId": world.environmentId,
  };
  if (o.maxConcurrency !== undefined) config["pingone:maxConcurrency"] = String(o.maxConcurrency);
  let host: ProviderHost | undefined;
  const notes: string[] = [];
  let broken: string | undefined;
  try {
    host = await ProviderHost.start({ config, env: o.hostNodeOptions ? { NODE_OPTIONS: o.hostNodeOptions } : undefined });
    // Pulumi's host alone (started and configured, the provider not yet loaded), to tell its share from ours.
    const idle = await rssOf(host.pid);
    if (idle) notes.push(`provider host RSS when idle after configure: ${fix(idle / MB, 0)} MB (Pulumi's dynamic-provider host before any create)`);
    // The host (and its PingOne client, token cache and pacer) is fresh for this run.
    world.emulator.clearRequests();
    const startedAtMs = Date.now();
    const t0 = performance.now();
    const calls = world.users.map((u, i) =>
      host!.create(
        urnFor(TYPE, `revoke-user-${i}`),
        { __provider: providerText, environmentId: world.environmentId, userId: u.userId },
        { timeoutMs: o.runTimeoutS * 1000 },
      ),
    );
    let settled: PromiseSettledResult<unknown>[];
    try {
      settled = await withTimeout(Promise.allSettled(calls), o.runTimeoutS * 1000 + 5_000, `${kind} run`);
    } catch (e) {
      broken = (e as Error).message;
      settled = [];
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    const peak = await host.peakRssBytes();
    const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    const hostGone = host.stderr().match(/FATAL|heap out of memory|Segmentation/i);
    if (hostGone) broken = `provider host crashed: ${hostGone[0]}`;
    return analyse(
      {
        name: limited ? `provider, ${o.rate} req/s limit` : "provider, unlimited",
        kind,
        rateLimit: limited ? { requestsPerSecond: o.rate, burst: o.burst } : null,
        maxConcurrency: o.maxConcurrency ?? "default",
        operations: world.users.length,
        failures: broken && settled.length === 0 ? world.users.length : rejected.length,
        failureSamples: rejected.slice(0, 3).map((r) => String((r.reason as Error)?.message ?? r.reason).slice(0, 400)),
        peakRssBytes: peak > 0 ? peak : null,
        notes,
        broken,
      },
      world,
      world.emulator.requests(),
      startedAtMs,
      wallSeconds,
    );
  } finally {
    await host?.stop();
    await world.emulator.stop();
  }
}

/** Current resident set size of a process (VmRSS), or 0 when unknown. */
async function rssOf(pid: number): Promise<number> {
  try {
    const m = /^VmRSS:\s*(\d+)\s*kB/m.exec(await fs.promises.readFile(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------- curl baseline

function runCurl(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(CURL, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: -1, out, err: String(e) });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

async function curlRun(o: Options): Promise<RunResult> {
  const world = await seededWorld(o, false);
  const notes: string[] = [];
  let broken: string | undefined;
  try {
    // One token up front (not timed, not counted) so the baseline is not penalised.
    const basic = Buffer.from(`${encodeURIComponent(world.clientId)}:${encodeURIComponent(CLIENT_SECRET)}`).toString("base64");
    const tokenAnswer = await fetch(`${world.emulator.authUrl}/${world.environmentId}/as/token`, {
      method: "POST",
      headers: { Authorization: `Basic ${basic}`, "Content-Type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    if (tokenAnswer.status !== 200) throw new Error(`token request answered ${tokenAnswer.status}`);
    const token = ((await tokenAnswer.json()) as { access_token: string }).access_token;
    notes.push("one access token fetched before timing; that request is neither timed nor counted");

    const jobs = world.users.flatMap((u) =>
      u.sessionIds.map((s) => `${world.emulator.apiUrl}/environments/${world.environmentId}/users/${u.userId}/sessions/${s}`),
    );
    world.emulator.clearRequests();
    const startedAtMs = Date.now();
    const t0 = performance.now();
    const deadline = t0 + o.runTimeoutS * 1000;
    let next = 0;
    let failures = 0;
    const samples: string[] = [];
    const worker = async () => {
      // Bounded: each iteration consumes one job.
      while (next < jobs.length) {
        const url = jobs[next++];
        if (performance.now() > deadline) {
          failures++;
          continue;
        }
        const args = [
          "-s", "-o", "/dev/null", "-w", "%{http_code}",
          "--retry", "10", "--retry-max-time", "60", "--max-time", "30",
          "--noproxy", "*",
          "-X", "DELETE",
          "-H", `Authorization: Bearer ${token}`,
          url,
        ];
        const r = await runCurl(args, 90_000);
        const status = r.out.trim();
        if (r.code !== 0 || (status !== "204" && status !== "404")) {
          failures++;
          if (samples.length < 3) samples.push(`curl exit ${r.code}, http ${status || "-"} ${r.err.trim().slice(0, 200)}`);
        }
      }
    };
    await withTimeout(Promise.all(Array.from({ length: Math.min(o.curlConcurrency, jobs.length) }, worker)), o.runTimeoutS * 1000 + 100_000, "curl run").catch(
      (e: Error) => {
        broken = e.message;
      },
    );
    const wallSeconds = (performance.now() - t0) / 1000;
    if (performance.now() > deadline && !broken) broken = `curl run exceeded ${o.runTimeoutS} s`;
    return analyse(
      {
        name: `curl --retry 10, ${o.curlConcurrency} at a time`,
        kind: "curl",
        rateLimit: null,
        maxConcurrency: o.curlConcurrency,
        operations: jobs.length,
        failures,
        failureSamples: samples,
        peakRssBytes: null,
        notes,
        broken,
      },
      world,
      world.emulator.requests(),
      startedAtMs,
      wallSeconds,
    );
  } finally {
    await world.emulator.stop();
  }
}

// ---------------------------------------------------------------- targets and output

interface TargetResult {
  target: string;
  figure: string;
  required: string;
  verdict: "PASS" | "FAIL" | "n/a";
}

function targets(o: Options, runs: RunResult[]): TargetResult[] {
  const find = (k: RunKind) => runs.find((r) => r.kind === k);
  const limited = find("limited");
  const unlimited = find("unlimited");
  const curl = find("curl");
  const out: TargetResult[] = [];
  const add = (target: string, figure: string, required: string, ok: boolean | undefined) =>
    out.push({ target, figure, required, verdict: ok === undefined ? "n/a" : ok ? "PASS" : "FAIL" });
  const na = "not run";
  add("rate-limited: share of the limit reached", limited ? pct(limited.shareOfLimit!) : na, ">= 90%", limited ? limited.shareOfLimit! >= 0.9 : undefined);
  add("rate-limited: failed operations", limited ? String(limited.failures) : na, "0", limited ? limited.failures === 0 : undefined);
  add("rate-limited: 429 answers", limited ? pct(limited.share429) : na, "<= 2% of requests", limited ? limited.share429 <= 0.02 : undefined);
  for (const r of [limited, unlimited]) {
    if (!r) continue;
    add(`${r.name}: DELETEs per revoked session`, fix(r.deletesPerSession, 3), "<= 1.05", r.deletesPerSession <= 1.05);
  }
  add(
    "unlimited throughput vs curl baseline",
    unlimited && curl ? `${fix(unlimited.revocationsPerSecond / curl.revocationsPerSecond, 2)}x (${fix(unlimited.revocationsPerSecond, 0)} vs ${fix(curl.revocationsPerSecond, 0)} /s)` : na,
    ">= 3x",
    unlimited && curl ? unlimited.revocationsPerSecond >= 3 * curl.revocationsPerSecond : undefined,
  );
  for (const r of [limited, unlimited]) {
    if (!r) continue;
    add(`${r.name}: provider peak RSS`, r.peakRssBytes ? `${fix(r.peakRssBytes / MB, 0)} MB` : "unknown", "< 150 MB", r.peakRssBytes ? r.peakRssBytes < 150 * MB : undefined);
  }
  return out;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function fix(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "n/a";
}

function table(runs: RunResult[]): string {
  const header = ["run", "wall s", "revoked/s", "% of limit", "req/session", "DELETE/session", "429s", "failures", "peak RSS"];
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
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  const sep = `|${widths.map((w, i) => (i === 0 ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|")}|`;
  return [line(header), sep, ...rows.map(line)].join("\n");
}

function targetTable(ts: TargetResult[]): string {
  const header = ["target", "figure", "required", "verdict"];
  const rows = ts.map((t) => [t.target, t.figure, t.required, t.verdict]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  const sep = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return [line(header), sep, ...rows.map(line)].join("\n");
}

function timelineText(r: RunResult): string {
  const secs = r.timeline.slice(0, 40).map((t) => (t.throttled > 0 ? `${t.accepted}+${t.throttled}x429` : `${t.accepted}`));
  const more = r.timeline.length > 40 ? ` ... (${r.timeline.length} s in all)` : "";
  return `  ${r.name}: requests per second (accepted[+429s]): ${secs.join(" ")}${more}`;
}

/** The code measured: commit, and uncommitted changes to the code the runs exercise (the runtime is built from the working tree). */
function codeState(): { commit: string; uncommitted: string[] } {
  const git = (args: string[]) => spawnSync("git", args, { cwd: path.join(__dirname, ".."), encoding: "utf8" });
  const head = git(["rev-parse", "--short", "HEAD"]);
  const status = git(["status", "--porcelain", "--", "provider", "emulator", "tests/harness"]);
  return {
    commit: head.status === 0 ? head.stdout.trim() : "unknown (not a git checkout)",
    uncommitted: status.status === 0 ? status.stdout.split("\n").filter((l) => l.trim() !== "").map((l) => l.trim()) : [],
  };
}

function machine() {
  const curlVersion = spawnSync(CURL, ["--version"], { encoding: "utf8" }).stdout?.split("\n")[0] ?? "unknown";
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    curl: curlVersion,
  };
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(CURL) && (!o.only || o.only === "curl")) throw new Error(`${CURL} not found; the curl baseline needs it`);
  const m = machine();
  const code = codeState();
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
  const kinds: RunKind[] = o.only ? [o.only] : ["limited", "unlimited", "curl"];
  const runs: RunResult[] = [];
  for (const kind of kinds) {
    process.stdout.write(`running ${kind} ... `);
    const r = kind === "curl" ? await curlRun(o) : await providerRun(o, kind, providerText);
    runs.push(r);
    console.log(`${fix(r.wallSeconds, 2)} s, ${r.sessionsRevoked}/${r.sessionsSeeded} revoked${r.broken ? `, BROKEN: ${r.broken}` : ""}`);
  }

  console.log("");
  console.log(table(runs));
  console.log("");
  console.log("req/session = API requests (lists + DELETEs, retries included) / sessions revoked; DELETE/session = the same beyond the list calls.");
  console.log("% of limit = accepted requests (token included) per second of wall time / limit. Peak RSS = VmHWM of the provider host process.");
  for (const r of runs) for (const n of r.notes) console.log(`note (${r.name}): ${n}`);
  console.log("");
  for (const r of runs) {
    console.log(timelineText(r));
    const span = [
      r.firstRequestAtSeconds !== null ? `first request at ${fix(r.firstRequestAtSeconds, 3)} s` : "",
      r.firstThrottleAtSeconds !== null ? `first 429 at ${fix(r.firstThrottleAtSeconds, 3)} s` : "",
      r.lastRequestAtSeconds !== null ? `last request at ${fix(r.lastRequestAtSeconds, 3)} s` : "",
    ].filter((x) => x !== "");
    if (span.length > 0) console.log(`    ${span.join(", ")}`);
    for (const f of r.failureSamples) console.log(`    failure: ${f}`);
  }
  const ts = targets(o, runs);
  console.log("");
  console.log(targetTable(ts));

  const problems: string[] = [];
  for (const r of runs) {
    if (r.broken) problems.push(`${r.name}: ${r.broken}`);
    if (r.sessionsLeft !== 0) problems.push(`${r.name}: the emulator still holds ${r.sessionsLeft} sessions after the run`);
    if (r.requests.pending !== 0) problems.push(`${r.name}: ${r.requests.pending} requests never answered`);
  }

  const report = { startedAt: startedAt.toISOString(), machine: m, code, options: o, runs, targets: ts, problems };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.toISOString().replace(/:/g, "-");
  const json = JSON.stringify(report, null, 2) + "\n";
  fs.writeFileSync(path.join(RESULTS_DIR, `${stamp}.json`), json);
  fs.writeFileSync(path.join(RESULTS_DIR, "latest.json"), json);
  console.log(`\nwrote bench/results/${stamp}.json and bench/results/latest.json`);

  if (problems.length > 0) {
    console.error(`\nBENCHMARK BROKEN:\n  ${problems.join("\n  ")}`);
    return 2;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`bench: ${error.message}`);
      process.exit(64);
    }
    console.error(`bench crashed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
