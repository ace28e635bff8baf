/**
 * The runs the bench measures, each on a freshly seeded emulator:
 *   limited    one `create` of UserSessionsRevocation per user, all at once, through Pulumi's
 *              real dynamic-provider host, emulator rate limit on
 *   unlimited  the same without a rate limit
 *   curl       one `curl --retry 10` per session, `curlConcurrency` at a time, no rate limit:
 *              the workaround people use today
 * Each provider run starts a fresh host, so no pacer state carries over. All traffic goes to
 * 127.0.0.1.
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { startEmulator, RunningEmulator } from "../emulator";
import { ProviderHost, urnFor } from "../harness/providerHost";
import { beforeDeadline } from "../provider/client/pipeline";
import { analyse, MB, rssOf, RunResult } from "./measure";
import { BenchOptions } from "./options";
import { fix } from "./report";

/** Where the curl baseline's curl is. */
export const CURL = "/usr/bin/curl";

const TYPE = "pulumi-nodejs:dynamic/pingone:UserSessionsRevocation";
// A fixed, obviously fake secret for the emulator's worker application.
const CLIENT_SECRET = "bench-not-a-secret";

/** A seeded emulator: one environment, `users` users with `sessions` sessions each, and a worker application. */
interface BenchWorld {
  emulator: RunningEmulator;
  environmentId: string;
  clientId: string;
  users: { userId: string; sessionIds: string[] }[];
  seeded: number;
}

async function seededWorld(o: BenchOptions, limited: boolean): Promise<BenchWorld> {
  const emulator = await startEmulator({
    latencyMs: o.latencyMs,
    rateLimit: limited ? { requestsPerSecond: o.rate, burst: o.burst } : undefined,
    // Every request of a run must stay in the log: ~2,200 per run by default, leave a wide margin.
    requestLogLimit: Math.max(100_000, o.users * (o.sessions + 1) * 20),
  });
  const environmentId = emulator.state.addEnvironment();
  const users: BenchWorld["users"] = [];
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
  if (seeded !== o.users * o.sessions)
    throw new Error(`seeding produced ${seeded} sessions, expected ${o.users * o.sessions}`);
  return { emulator, environmentId, clientId, users, seeded };
}

/** A run that has not settled within `ms`: what makes it broken. */
function overran(what: string, ms: number): () => Error {
  return () => new Error(`${what} did not finish within ${ms / 1000} s`);
}

/**
 * Revokes every seeded session through Pulumi's dynamic-provider host: one `create` per user,
 * all sent at once, as `pulumi up` sends them. `providerText` is the serialized provider.
 */
export async function providerRun(
  o: BenchOptions,
  kind: "limited" | "unlimited",
  providerText: string,
): Promise<RunResult> {
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
    host = await ProviderHost.start({
      config,
      env: o.hostNodeOptions ? { NODE_OPTIONS: o.hostNodeOptions } : undefined,
    });
    const started = host;
    // Pulumi's host alone (started and configured, the provider not yet loaded), to tell its share from ours.
    const idle = await rssOf(started.pid);
    if (idle)
      notes.push(
        `provider host RSS when idle after configure: ${fix(idle / MB, 0)} MB (Pulumi's dynamic-provider host before any create)`,
      );
    // The host (and its PingOne client, token cache and pacer) is fresh for this run.
    world.emulator.clearRequests();
    const startedAtMs = Date.now();
    const t0 = performance.now();
    const calls = world.users.map((u, i) =>
      started.create(
        urnFor(TYPE, `revoke-user-${i}`),
        { __provider: providerText, environmentId: world.environmentId, userId: u.userId },
        { timeoutMs: o.runTimeoutS * 1000 },
      ),
    );
    let settled: PromiseSettledResult<unknown>[];
    const boundMs = o.runTimeoutS * 1000 + 5_000;
    try {
      settled = await beforeDeadline(Promise.allSettled(calls), boundMs, overran(`${kind} run`, boundMs));
    } catch (e) {
      broken = (e as Error).message;
      settled = [];
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    const peak = await started.peakRssBytes();
    const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    const hostGone = started.stderr().match(/FATAL|heap out of memory|Segmentation/i);
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
      { seeded: world.seeded, left: world.emulator.state.sessionCount() },
      world.emulator.requests(),
      startedAtMs,
      wallSeconds,
    );
  } finally {
    await host?.stop();
    await world.emulator.stop();
  }
}

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

/** Revokes every seeded session with one `curl --retry 10` process per session, `curlConcurrency` at a time. */
export async function curlRun(o: BenchOptions): Promise<RunResult> {
  const world = await seededWorld(o, false);
  const notes: string[] = [];
  let broken: string | undefined;
  try {
    // One token up front (not timed, not counted) so the baseline is not penalised.
    const basic = Buffer.from(`${encodeURIComponent(world.clientId)}:${encodeURIComponent(CLIENT_SECRET)}`).toString(
      "base64",
    );
    const tokenAnswer = await fetch(`${world.emulator.authUrl}/${world.environmentId}/as/token`, {
      method: "POST",
      headers: { Authorization: `Basic ${basic}`, "Content-Type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    if (tokenAnswer.status !== 200) throw new Error(`token request answered ${tokenAnswer.status}`);
    const token = ((await tokenAnswer.json()) as { access_token: string }).access_token;
    notes.push("one access token fetched before timing; that request is neither timed nor counted");

    const jobs = world.users.flatMap((u) =>
      u.sessionIds.map(
        (s) => `${world.emulator.apiUrl}/environments/${world.environmentId}/users/${u.userId}/sessions/${s}`,
      ),
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
          "-s",
          "-o",
          "/dev/null",
          "-w",
          "%{http_code}",
          "--retry",
          "10",
          "--retry-max-time",
          "60",
          "--max-time",
          "30",
          "--noproxy",
          "*",
          "-X",
          "DELETE",
          "-H",
          `Authorization: Bearer ${token}`,
          url,
        ];
        const r = await runCurl(args, 90_000);
        const status = r.out.trim();
        if (r.code !== 0 || (status !== "204" && status !== "404")) {
          failures++;
          if (samples.length < 3)
            samples.push(`curl exit ${r.code}, http ${status || "-"} ${r.err.trim().slice(0, 200)}`);
        }
      }
    };
    const boundMs = o.runTimeoutS * 1000 + 100_000;
    await beforeDeadline(
      Promise.all(Array.from({ length: Math.min(o.curlConcurrency, jobs.length) }, worker)),
      boundMs,
      overran("curl run", boundMs),
    ).catch((e: Error) => {
      broken = e.message;
    });
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
      { seeded: world.seeded, left: world.emulator.state.sessionCount() },
      world.emulator.requests(),
      startedAtMs,
      wallSeconds,
    );
  } finally {
    await world.emulator.stop();
  }
}
