/**
 * `npm run bench:engine`: the same 1,000 sessions (100 users x 10) revoked through Pulumi's real
 * engine three ways, side by side in one run, against the emulator at 5 ms latency and a licence
 * of 200 requests/s (burst 20):
 *   - 1,000 `SessionRevocation` resources (one DELETE each),
 *   - 100 `UserSessionsRevocation` resources (one list and 10 DELETEs each),
 *   - 1 `PopulationSessionsRevocation` over the 100 users (users list, then per user as above).
 * For each: `pulumi preview` time, `pulumi up` wall time, API requests, 429s, the share of the
 * licence used while requests flowed, and the peak memory (VmHWM) of the engine and of the
 * dynamic-provider process. All resources of a stack share one provider process, so they share
 * one token and one pacer: the token requests show it.
 *
 * Needs the engine (`npm run engine`, Go). Prints a table; writes bench/results/engine-latest.json.
 */
import fs from "node:fs";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { newEngineStack } from "../harness/engine";
import { PopulationSessionsRevocation, SessionRevocation, UserSessionsRevocation } from "../provider";
import { startEmulator, RunningEmulator } from "../emulator";

/** Each run's licence, latency and size. */
const LICENCE = { requestsPerSecond: 200, burst: 20 };
const LATENCY_MS = 5;
const USERS = 100;
const SESSIONS_PER_USER = 10;
const SECRET = "bench-engine-secret-0000";

type Shape = "1,000 SessionRevocation" | "100 UserSessionsRevocation" | "1 PopulationSessionsRevocation";
const SHAPES: Shape[] = ["1,000 SessionRevocation", "100 UserSessionsRevocation", "1 PopulationSessionsRevocation"];

interface EngineFigures {
  shape: Shape;
  resources: number;
  previewSeconds: number;
  upSeconds: number;
  apiRequests: number;
  tokenRequests: number;
  throttled: number;
  /** Non-429 API answers per second between the first and the last API request, over the licence. */
  shareOfLimit: number;
  sessionsLeft: number;
  enginePeakMiB: number;
  providerPeakMiB: number;
}

/** A tenant of `USERS` users with `SESSIONS_PER_USER` sessions each, in one population. */
function seed(emulator: RunningEmulator) {
  const environmentId = emulator.state.addEnvironment();
  const populationId = emulator.state.addPopulation(environmentId, { name: "Everyone" });
  const users: { userId: string; sessionIds: string[] }[] = [];
  for (let u = 0; u < USERS; u++) {
    const userId = emulator.state.addUser(environmentId, { populationId });
    const sessionIds = Array.from(
      { length: SESSIONS_PER_USER },
      () => emulator.state.addSession(environmentId, userId).id,
    );
    users.push({ userId, sessionIds });
  }
  const { clientId } = emulator.state.addApplication({
    environmentId,
    clientSecret: SECRET,
    roles: [{ role: "Identity Data Administrator", environmentId }],
  });
  return { environmentId, populationId, users, clientId };
}

/** Peak resident memory (VmHWM, MiB) of `pid`, or 0 when it is gone. */
function peakMiB(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Dynamic-provider processes whose working directory is `workDir`. */
function providerPids(workDir: string): number[] {
  return fs
    .readdirSync("/proc")
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        return (
          fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("dynamic-provider") &&
          fs.readlinkSync(`/proc/${pid}/cwd`) === workDir
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function runShape(shape: Shape): Promise<EngineFigures> {
  const emulator = await startEmulator({ latencyMs: LATENCY_MS, rateLimit: LICENCE });
  const tenant = seed(emulator);
  const program = async () => {
    let count = 0;
    if (shape === "1,000 SessionRevocation") {
      for (const user of tenant.users) {
        for (const sessionId of user.sessionIds) {
          new SessionRevocation(`s-${count++}`, {
            environmentId: tenant.environmentId,
            userId: user.userId,
            sessionId,
          });
        }
      }
    } else if (shape === "100 UserSessionsRevocation") {
      for (const user of tenant.users)
        new UserSessionsRevocation(`u-${count++}`, { environmentId: tenant.environmentId, userId: user.userId });
    } else {
      new PopulationSessionsRevocation("everyone", {
        environmentId: tenant.environmentId,
        populationId: tenant.populationId,
      });
      count = 1;
    }
    return { resources: pulumi.output(count) };
  };
  const es = await newEngineStack({
    projectName: "bench-engine",
    program,
    config: {
      "pingone:apiUrl": { value: emulator.apiUrl },
      "pingone:authUrl": { value: emulator.authUrl },
      "pingone:clientId": { value: tenant.clientId },
      "pingone:clientSecret": { value: SECRET, secret: true },
      "pingone:environmentId": { value: tenant.environmentId },
    },
  });
  try {
    const previewStart = Date.now();
    await es.stack.preview();
    const previewSeconds = (Date.now() - previewStart) / 1000;
    if (emulator.requests().length !== 0) throw new Error("preview sent requests");

    let enginePeak = 0;
    let providerPeak = 0;
    const sampler = setInterval(() => {
      const engine = es.processes[es.processes.length - 1];
      if (engine?.pid) enginePeak = Math.max(enginePeak, peakMiB(engine.pid));
      for (const pid of providerPids(es.workDir)) providerPeak = Math.max(providerPeak, peakMiB(pid));
    }, 100);
    const upStart = Date.now();
    const up = await es.stack.up();
    const upSeconds = (Date.now() - upStart) / 1000;
    clearInterval(sampler);

    const log = emulator.requests();
    const api = log.filter((r) => r.path.startsWith("/v1/"));
    const throttled = api.filter((r) => r.status === 429).length;
    const window = (Math.max(...api.map((r) => r.at)) - Math.min(...api.map((r) => r.at))) / 1000;
    return {
      shape,
      resources: Number(up.outputs.resources.value),
      previewSeconds,
      upSeconds,
      apiRequests: api.length,
      tokenRequests: log.length - api.length,
      throttled,
      shareOfLimit: window > 0 ? (api.length - throttled) / window / LICENCE.requestsPerSecond : 0,
      sessionsLeft: emulator.state.sessionCount(),
      enginePeakMiB: enginePeak,
      providerPeakMiB: providerPeak,
    };
  } finally {
    await es.remove();
    await emulator.stop();
  }
}

async function main(): Promise<void> {
  const figures: EngineFigures[] = [];
  for (const shape of SHAPES) {
    process.stderr.write(`engine bench: ${shape}…\n`);
    figures.push(await runShape(shape));
  }
  const rows = figures.map((f) => [
    f.shape,
    f.previewSeconds.toFixed(1),
    f.upSeconds.toFixed(1),
    String(f.apiRequests),
    String(f.tokenRequests),
    `${f.throttled} (${((100 * f.throttled) / Math.max(1, f.apiRequests)).toFixed(1)} %)`,
    `${(100 * f.shareOfLimit).toFixed(0)} %`,
    String(f.sessionsLeft),
    f.enginePeakMiB.toFixed(0),
    f.providerPeakMiB.toFixed(0),
  ]);
  const header = [
    "shape",
    "preview s",
    "up s",
    "API requests",
    "token requests",
    "429s",
    "share of 200/s",
    "sessions left",
    "engine peak MiB",
    "provider peak MiB",
  ];
  console.log(
    `Pulumi engine v${require("@pulumi/pulumi/package.json").version}, ${USERS * SESSIONS_PER_USER} sessions, ${LATENCY_MS} ms latency, licence ${LICENCE.requestsPerSecond}/s burst ${LICENCE.burst}`,
  );
  console.log(`| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
  fs.writeFileSync(
    path.join(__dirname, "results", "engine-latest.json"),
    `${JSON.stringify({ at: new Date().toISOString(), figures }, null, 2)}\n`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
