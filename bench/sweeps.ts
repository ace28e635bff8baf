/**
 * The population sweeps of issue 11, each on a freshly seeded emulator and
 * each beside its baseline, measured in separate processes (`shardWorker.ts`)
 * so that a sweeping process is what a runner is: its own Node, its own
 * client, its own source address. The emulator stays in the bench's process.
 *
 *   sweep         one process, `sweepUsers` users, `rate`/`burst`/`latencyMs`, from 127.0.0.1 (exempt
 *                 from the per-source share, as an allowed IP is: the whole licence is its)
 *   small-bucket  one process at 100 req/s, burst 10, 10 ms; beside it today's per-user bulk
 *                 (`revokeUserSessions` for every user at once through one client)
 *   shards        `shards` processes at once from 127.0.0.2.., the per-source share (35%) applying
 *                 to each; beside it shard 1 of the same split alone
 *   memory        one unlimited sweep of each of two population sizes: the process's peak RSS
 *   one-user      `pingone-sessions revoke --all` for a user with 10 sessions at 50 ms latency,
 *                 beside the curl loop a person would write (token, list, one DELETE at a time)
 *
 * Tenants come from `seedTenant` (20% of users without a session, the others 1-10), drawn
 * from `tenantSeed`, so a baseline sweeps exactly the tenant its figure swept.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { RateLimit, RunningEmulator, seedTenant, startEmulator, TenantSeed, TenantSeedOptions } from "../emulator";
import { shardOf } from "../provider/client/criteria";
import {
  analyseSweep,
  criticalPathDepth,
  FloorInput,
  median,
  OneUserResult,
  OneUserRun,
  SweepRunResult,
} from "./measure";
import { BenchOptions, ONE_USER_LATENCY_MS, SMALL_BUCKET, SweepKind } from "./options";
import { CURL } from "./scenarios";
import type { WorkerJob, WorkerTask } from "./shardWorker";
import { REPO_ROOT, runWorkers, WorkerScript } from "./workers";

/** jq, which the curl loop a person writes uses to read the token and the session ids. */
export const JQ = "/usr/bin/jq";

/** How often a worker samples its pacer and memory. */
const SAMPLE_EVERY_MS = 100;

/** A seeded tenant on a running emulator, with its users in the emulator's order. */
export interface Tenant {
  emulator: RunningEmulator;
  seed: TenantSeed;
  userIds: string[];
}

/** How a tenant's sessions are drawn, beyond `seedTenant`'s defaults. */
export type TenantShape = Pick<TenantSeedOptions, "sessionlessShare" | "maxSessionsPerUser">;

async function seededTenant(
  o: BenchOptions,
  users: number,
  latencyMs: number,
  rateLimit: RateLimit | undefined,
  shape: TenantShape = {},
): Promise<Tenant> {
  const emulator = await startEmulator({
    latencyMs,
    rateLimit,
    // Every request of a run must stay in the log: at most a page, a list and 10 DELETEs per user, 429s on top.
    requestLogLimit: Math.max(100_000, users * 15),
  });
  try {
    const seed = seedTenant(emulator.state, { users, seed: o.tenantSeed, ...shape });
    const page = emulator.state.listUsers(seed.environmentId, {
      filter: undefined,
      filterText: "",
      reach: { kind: "environment" },
      from: 0,
      pageSize: users,
    });
    const userIds = page.users.map((u) => u.id);
    if (userIds.length !== users) throw new Error(`seeding produced ${userIds.length} users, expected ${users}`);
    return { emulator, seed, userIds };
  } catch (e) {
    await emulator.stop();
    throw e;
  }
}

function sessionsOf(t: Tenant, userIds: readonly string[]): number {
  return userIds.reduce((n, id) => n + t.emulator.state.listSessions(t.seed.environmentId, id).length, 0);
}

/** A worker's task on tenant `t`: its connection, job and (for a shard) source address. */
export function task(t: Tenant, label: string, job: WorkerJob, localAddress?: string): WorkerTask {
  const app = t.seed.applications.environmentAdmin;
  return {
    repoRoot: REPO_ROOT,
    label,
    connection: {
      apiUrl: t.emulator.apiUrl,
      authUrl: t.emulator.authUrl,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      environmentId: t.seed.environmentId,
    },
    localAddress,
    job,
    sampleEveryMs: SAMPLE_EVERY_MS,
  };
}

/** What one scenario run is: its name, role, limits, and the processes to start. */
export interface SweepPlan {
  name: string;
  scenario: SweepKind;
  role: SweepRunResult["role"];
  users: number;
  latencyMs: number;
  rateLimit?: RateLimit;
  /** The processes, built once the tenant exists. */
  tasks: (t: Tenant) => WorkerTask[];
  /** The users these processes must cover. */
  scope: (t: Tenant) => string[];
  floor: (t: Tenant, usersInScope: number, sessionsInScope: number) => FloorInput;
  notes?: string[];
  /** How the tenant's sessions are drawn (default: `seedTenant`'s). */
  shape?: TenantShape;
  /** CPU-bound processes kept running beside the run (a busy machine); default none. */
  busyProcesses?: number;
}

/** Seeds a tenant, runs the plan's processes together, and measures them from the emulator's log. */
export async function runPlan(o: BenchOptions, script: WorkerScript, plan: SweepPlan): Promise<SweepRunResult> {
  const t = await seededTenant(o, plan.users, plan.latencyMs, plan.rateLimit, plan.shape);
  const busy = Array.from({ length: plan.busyProcesses ?? 0 }, () =>
    spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }),
  );
  try {
    const scope = plan.scope(t);
    const sessionsInScope = sessionsOf(t, scope);
    const sessionsBefore = t.emulator.state.sessionCount();
    t.emulator.clearRequests();
    const outcome = await runWorkers(script, plan.tasks(t), o.runTimeoutS * 1000);
    const limit = plan.rateLimit;
    return analyseSweep(
      {
        name: plan.name,
        scenario: plan.scenario,
        role: plan.role,
        rateLimit: limit
          ? {
              requestsPerSecond: limit.requestsPerSecond,
              burst: limit.burst ?? limit.requestsPerSecond,
              perSourceIpShare: limit.perSourceIpShare,
              exemptSources: limit.allowedSourceIps ?? ["127.0.0.1"],
            }
          : null,
        latencyMs: plan.latencyMs,
        users: plan.users,
        sessionsSeeded: t.seed.sessions,
        sessionsInScope,
        sessionsBefore,
        sessionsAfter: t.emulator.state.sessionCount(),
        sessionsLeftInScope: sessionsOf(t, scope),
        usersInScope: new Set(scope.map((id) => id.toLowerCase())),
        floor: plan.floor(t, scope.length, sessionsInScope),
        notes: plan.notes ?? [],
        broken: outcome.broken,
      },
      t.emulator.requests(),
      outcome.reports,
      outcome.wentAtMs,
    );
  } finally {
    for (const child of busy) child.kill("SIGKILL");
    await t.emulator.stop();
  }
}

const sweepJob = (t: Tenant, shard?: { index: number; count: number }): WorkerJob => ({
  kind: "sweep",
  environmentId: t.seed.environmentId,
  shard,
});
const oneSweeperFloor = (t: Tenant, users: number, sessions: number): FloorInput => ({
  processes: 1,
  pagesUsers: true,
  population: t.userIds.length,
  usersListed: users,
  sessions,
});

/** One process sweeps `sweepUsers` users at the bench's rate limit, from the licence's allowed address. */
export async function sweepRun(o: BenchOptions, script: WorkerScript): Promise<SweepRunResult[]> {
  return [
    await runPlan(o, script, {
      name: `sweep, 1 process, ${o.rate} req/s`,
      scenario: "sweep",
      role: "measured",
      users: o.sweepUsers,
      latencyMs: o.latencyMs,
      rateLimit: { requestsPerSecond: o.rate, burst: o.burst },
      tasks: (t) => [task(t, "sweep", sweepJob(t))],
      scope: (t) => t.userIds,
      floor: oneSweeperFloor,
    }),
  ];
}

/** The small bucket: the sweep, then today's per-user bulk on the same tenant. */
export async function smallBucketRuns(o: BenchOptions, script: WorkerScript): Promise<SweepRunResult[]> {
  const limit = { requestsPerSecond: SMALL_BUCKET.requestsPerSecond, burst: SMALL_BUCKET.burst };
  const common = {
    scenario: "small-bucket" as const,
    users: o.bucketUsers,
    latencyMs: SMALL_BUCKET.latencyMs,
    rateLimit: limit,
    scope: (t: Tenant) => t.userIds,
  };
  return [
    await runPlan(o, script, {
      ...common,
      name: `sweep, ${limit.requestsPerSecond} req/s burst ${limit.burst}`,
      role: "measured",
      tasks: (t) => [task(t, "sweep", sweepJob(t))],
      floor: oneSweeperFloor,
    }),
    await runPlan(o, script, {
      ...common,
      name: `per-user bulk (today), ${limit.requestsPerSecond} req/s burst ${limit.burst}`,
      role: "baseline",
      tasks: (t) => [
        task(t, "per-user", { kind: "per-user", environmentId: t.seed.environmentId, userIds: t.userIds }),
      ],
      // Handed the user ids (as a Pulumi program lists them): no pages of users.
      floor: (_t, users, sessions) => ({
        processes: 1,
        pagesUsers: false,
        population: 0,
        usersListed: users,
        sessions,
      }),
      notes: [
        "revokeUserSessions for every user at once through one client, as UserSessionsRevocation does under pulumi up; the user ids are handed to it, so it reads no page of users",
      ],
    }),
  ];
}

/** The loopback address of shard `index` (0-based): 127.0.0.2 upwards, none of them exempt from the per-source share. */
export function shardAddress(index: number): string {
  const n = index + 2;
  return `127.0.${Math.floor(n / 256)}.${n % 256}`;
}

/** N shards at once against one licence, each from its own address; then shard 1 alone. */
export async function shardRuns(o: BenchOptions, script: WorkerScript): Promise<SweepRunResult[]> {
  const count = o.shards;
  const licence: RateLimit = { requestsPerSecond: o.rate, burst: o.burst, allowedSourceIps: [] };
  const share = `each source may use 35% of the licence (${(0.35 * o.rate).toFixed(0)} req/s, burst ${Math.max(1, 0.35 * o.burst).toFixed(0)})`;
  const common = { scenario: "shards" as const, users: o.shardUsers, latencyMs: o.latencyMs, rateLimit: licence };
  const inShard = (t: Tenant, index: number) => t.userIds.filter((id) => shardOf(id, count) === index);
  return [
    await runPlan(o, script, {
      ...common,
      name: `${count} shards at once, ${o.rate} req/s licence`,
      role: "measured",
      tasks: (t) =>
        Array.from({ length: count }, (_, i) =>
          task(t, `shard ${i + 1}/${count}`, sweepJob(t, { index: i, count }), shardAddress(i)),
        ),
      scope: (t) => t.userIds,
      // Every shard pages through the whole population and keeps the users of its part.
      floor: (t, users, sessions) => ({
        processes: count,
        pagesUsers: true,
        population: t.userIds.length,
        usersListed: users,
        sessions,
      }),
      notes: [share],
    }),
    await runPlan(o, script, {
      ...common,
      name: `shard 1/${count} alone, ${o.rate} req/s licence`,
      role: "baseline",
      tasks: (t) => [task(t, `shard 1/${count}`, sweepJob(t, { index: 0, count }), shardAddress(0))],
      scope: (t) => inShard(t, 0),
      floor: oneSweeperFloor,
      notes: [share],
    }),
  ];
}

/** One unlimited sweep per population size; the peak RSS of each sweeping process. */
export async function memoryRuns(o: BenchOptions, script: WorkerScript): Promise<SweepRunResult[]> {
  const runs: SweepRunResult[] = [];
  for (const [i, users] of o.memoryUsers.entries()) {
    runs.push(
      await runPlan(o, script, {
        name: `memory: sweep of ${users} users, unlimited`,
        scenario: "memory",
        role: i === 0 ? "baseline" : "measured",
        users,
        latencyMs: o.latencyMs,
        tasks: (t) => [task(t, "sweep", sweepJob(t))],
        scope: (t) => t.userIds,
        floor: oneSweeperFloor,
      }),
    );
  }
  return runs;
}

/** A child process run to its end: exit code, output, and wall time from spawn to exit. */
interface Finished {
  code: number | null;
  out: string;
  err: string;
  startedAtMs: number;
  wallSeconds: number;
}

function runToEnd(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Finished> {
  return new Promise((resolve) => {
    const startedAtMs = Date.now();
    const t0 = performance.now();
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const end = (code: number | null) => {
      clearTimeout(timer);
      resolve({ code, out, err, startedAtMs, wallSeconds: (performance.now() - t0) / 1000 });
    };
    child.on("error", (e) => {
      err += String(e);
      end(-1);
    });
    child.on("close", end);
  });
}

/**
 * The curl loop a person writes to clear one user's sessions: a token, the
 * list, then one `curl -X DELETE` per session, one after the other (with the
 * `--retry 10` of the bench's curl baseline). Settings come from the
 * environment, as the CLI's do.
 */
export const CURL_LOOP = `set -eu
c() { "$CURL" -sS --noproxy '*' --retry 10 --max-time 30 "$@"; }
token=$(c -u "$PINGONE_CLIENT_ID:$PINGONE_CLIENT_SECRET" -d grant_type=client_credentials "$PINGONE_AUTH_URL/$PINGONE_ENVIRONMENT_ID/as/token" | "$JQ" -r .access_token)
for s in $(c -H "Authorization: Bearer $token" "$PINGONE_API_URL/environments/$ENV_ID/users/$USER_ID/sessions" | "$JQ" -r '._embedded.sessions[].id'); do
  c -o /dev/null -w '%{http_code}\\n' -X DELETE -H "Authorization: Bearer $token" "$PINGONE_API_URL/environments/$ENV_ID/users/$USER_ID/sessions/$s"
done`;

/** A CLI process's environment: the connection settings and nothing inherited but PATH and HOME. */
function cliEnv(
  emulator: RunningEmulator,
  environmentId: string,
  clientId: string,
  clientSecret: string,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PINGONE_API_URL: emulator.apiUrl,
    PINGONE_AUTH_URL: emulator.authUrl,
    PINGONE_CLIENT_ID: clientId,
    PINGONE_CLIENT_SECRET: clientSecret,
    PINGONE_ENVIRONMENT_ID: environmentId,
  };
}

/** Runs of the CLI (and of `--version`, for its start-up) the one-user figure takes the median of. */
export const ONE_USER_SAMPLES = 7;

/** The run of median wall time (the lower middle of an even count), so its other figures belong to the same run. */
function medianRun(runs: OneUserRun[]): OneUserRun {
  const sorted = [...runs].sort((a, b) => a.wallSeconds - b.wallSeconds);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * A user's 10 sessions from the CLI at 50 ms latency, beside the curl loop; start-up is `--version`'s wall time
 * (medians of several runs). `cli` is the entry run (another build's, for bench/startup.ts).
 */
export async function oneUserRun(
  o: BenchOptions,
  cli = path.join(REPO_ROOT, "dist", "cli", "index.js"),
): Promise<OneUserResult> {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first (npm run bench does)`);
  const emulator = await startEmulator({ latencyMs: ONE_USER_LATENCY_MS });
  const notes: string[] = [];
  try {
    const state = emulator.state;
    const environmentId = state.addEnvironment();
    const clientSecret = "bench-not-a-secret";
    const { clientId } = state.addApplication({
      environmentId,
      clientSecret,
      roles: [{ role: "Identity Data Administrator", environmentId }],
    });
    const env = cliEnv(emulator, environmentId, clientId, clientSecret);
    const timeoutMs = o.runTimeoutS * 1000;
    const userWithSessions = () => {
      const userId = state.addUser(environmentId);
      for (let s = 0; s < 10; s++) state.addSession(environmentId, userId);
      return userId;
    };

    const measure = async (
      name: string,
      run: (userId: string) => Promise<Finished>,
      processesOf: (requests: number) => number,
    ): Promise<OneUserRun> => {
      const userId = userWithSessions();
      emulator.clearRequests();
      const before = state.listSessions(environmentId, userId).length;
      const done = await run(userId);
      const log = emulator.requests();
      const failures = done.code === 0 ? [] : [`exit ${done.code}: ${done.err.trim().slice(0, 300)}`];
      return {
        name,
        wallSeconds: done.wallSeconds,
        firstRequestAtSeconds: log.length > 0 ? (Math.min(...log.map((r) => r.at)) - done.startedAtMs) / 1000 : null,
        lastAnswerAtSeconds:
          log.length > 0 ? (Math.max(...log.map((r) => r.answeredAt ?? r.at)) - done.startedAtMs) / 1000 : null,
        roundTrips: criticalPathDepth(log),
        roundTripSeconds: median(log.map((r) => ((r.answeredAt ?? r.at) - r.at) / 1000)),
        requests: log.length,
        processes: processesOf(log.length),
        sessionsRevoked: before - state.listSessions(environmentId, userId).length,
        failures,
      };
    };

    // A process start varies by tens of milliseconds from one run to the next, as much as the
    // budget's spare round trip: each figure is the median of ONE_USER_SAMPLES runs, the start-up
    // and the CLI interleaved so that a slow spell of the machine weighs on both alike.
    const startups: number[] = [];
    const cliRuns: OneUserRun[] = [];
    for (let i = 0; i < ONE_USER_SAMPLES; i++) {
      startups.push((await runToEnd(process.execPath, [cli, "--version"], env, timeoutMs)).wallSeconds);
      cliRuns.push(
        await measure(
          "pingone-sessions revoke --all",
          (userId) =>
            runToEnd(
              process.execPath,
              [cli, "revoke", "--environment", environmentId, "--user", userId, "--all", "--json"],
              env,
              timeoutMs,
            ),
          () => 1,
        ),
      );
    }
    const startupSeconds = median(startups);
    const cliRun = medianRun(cliRuns);
    notes.push(
      `start-up = median wall time of ${ONE_USER_SAMPLES} runs of \`pingone-sessions --version\` (${startups.map((s) => s.toFixed(3)).join(", ")} s)`,
    );
    notes.push(
      `CLI = the run of median wall time among ${ONE_USER_SAMPLES}, each run just after a start-up run (${cliRuns.map((r) => r.wallSeconds.toFixed(3)).join(", ")} s); round trips in each: ${cliRuns.map((r) => r.roundTrips).join(", ")}`,
    );
    let curlRun: OneUserRun | null = null;
    if (fs.existsSync(CURL) && fs.existsSync(JQ)) {
      curlRun = await measure(
        "curl loop (token, list, one DELETE at a time)",
        (userId) =>
          runToEnd(
            "/bin/bash",
            ["-c", CURL_LOOP],
            { ...env, CURL, JQ, ENV_ID: environmentId, USER_ID: userId },
            timeoutMs,
          ),
        // One curl per request, two jq and the shell.
        (requests) => requests + 3,
      );
    } else {
      notes.push(`curl loop not run: it needs ${CURL} and ${JQ}`);
    }
    return {
      latencyMs: ONE_USER_LATENCY_MS,
      sessions: 10,
      startupSeconds,
      budgetSeconds: startupSeconds + 4 * cliRun.roundTripSeconds,
      cli: cliRun,
      cliRuns,
      curl: curlRun,
      notes,
    };
  } finally {
    await emulator.stop();
  }
}
