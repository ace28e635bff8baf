/**
 * One sweeping process of the bench: a separate Node process, as a runner of
 * a CI matrix or a pod of an Indexed Job is, with its own PingOne client (its
 * own token, keep-alive pool, pacer and, for a shard, source address). It is
 * started by `bench/workers.ts` with an IPC channel, receives its task (the
 * client secret travels over that channel, never on a command line), loads
 * everything it needs, says `ready`, waits for `go` (so that several shards
 * start together), runs, and sends back what it did and what it cost.
 *
 * It loads only the compiled package from `dist/` (never ts-node, whose
 * TypeScript compiler would add tens of MB to the memory measured): the
 * bench transpiles this file alone and runs it with plain `node`. So every
 * import of the repository below is type-only, and the modules are required
 * from `task.repoRoot` at run time.
 */
import path from "node:path";
import type * as ClientModule from "../provider/client/client";
import type * as SweepModule from "../provider/client/sweep";
import type * as BulkModule from "../provider/client/bulk";
import type { ClientStats } from "../provider/client/client";

/** What a worker sweeps, or (the per-user baseline) revokes user by user. */
export type WorkerJob =
  | {
      kind: "sweep";
      /** The environment holding the users. */
      environmentId: string;
      /** This process's part of the users; absent: all. */
      shard?: { index: number; count: number };
      /** `sweepSessions`'s `userConcurrency`; absent: its default. */
      userConcurrency?: number;
    }
  | {
      /** Today's `UserSessionsRevocation` under `pulumi up`: `revokeUserSessions` for every user at once, through one client. */
      kind: "per-user";
      environmentId: string;
      userIds: string[];
    };

/** Everything a worker is told, over IPC. */
export interface WorkerTask {
  /** The checkout whose `dist/` the worker loads. */
  repoRoot: string;
  /** Names the worker in reports ("shard 2/4"). */
  label: string;
  /** The connection settings, given explicitly (the worker reads no environment variable). */
  connection: { apiUrl: string; authUrl: string; clientId: string; clientSecret: string; environmentId: string };
  /** Source address the client binds to (127.0.0.2, ...); absent: the system's choice (127.0.0.1). */
  localAddress?: string;
  job: WorkerJob;
  /** How often the pacer's window and the process's memory are sampled, ms. */
  sampleEveryMs: number;
}

/** One sample of the pacer and the process, `atMs` after `go`. */
export interface WorkerSample {
  atMs: number;
  /** The pacer's window (requests in flight per round trip), rounded down; absent when the client does not expose its pacer. */
  window?: number;
  /** Requests per second the window allows at the current round-trip time. */
  rate?: number;
  roundTripMs?: number;
  inFlight?: number;
  queued?: number;
  /** 429s the pacer has seen so far. */
  throttles?: number;
  rssBytes: number;
  heapUsedBytes: number;
}

/** What a worker did, and what it cost. */
export interface WorkerReport {
  label: string;
  localAddress?: string;
  /** When `go` arrived and when the job finished, epoch ms (the worker's clock: same machine as the emulator). */
  startedAtMs: number;
  finishedAtMs: number;
  usersScanned: number;
  sessionsRevoked: number;
  sessionsAlreadyAbsent: number;
  sessionsFailed: number;
  usersFailed: number;
  /** The first few failures, as the client words them (already escaped and scrubbed). */
  failureSamples: string[];
  stats: ClientStats;
  /** RSS once everything was loaded and the client built, before `go`. */
  readyRssBytes: number;
  /** Peak RSS of the whole process (`process.resourceUsage().maxRSS`). */
  peakRssBytes: number;
  samples: WorkerSample[];
}

/** Messages from the bench to a worker. */
export type ToWorker = { type: "task"; task: WorkerTask } | { type: "go" };

/** Messages from a worker to the bench. */
export type FromWorker =
  { type: "ready" } | { type: "done"; report: WorkerReport } | { type: "failed"; message: string };

/** Failures quoted in a report; the rest are only counted. */
const FAILURES_QUOTED = 3;

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

async function runTask(task: WorkerTask): Promise<void> {
  const dist = (file: string) => path.join(task.repoRoot, "dist", "provider", "client", file);
  const { PingOneClient } = require(dist("client")) as typeof ClientModule;
  const { sweepSessions } = require(dist("sweep")) as typeof SweepModule;
  const { revokeUserSessions } = require(dist("bulk")) as typeof BulkModule;
  const client = PingOneClient.fromSettings({ explicit: task.connection }, { localAddress: task.localAddress });
  const go = new Promise<void>((resolve) => process.on("message", (m: ToWorker) => m.type === "go" && resolve()));
  const readyRssBytes = process.memoryUsage.rss();
  await send({ type: "ready" });
  await go;

  const startedAtMs = Date.now();
  const samples: WorkerSample[] = [];
  const sample = () => {
    const p = client.pacerSnapshot();
    samples.push({
      atMs: Date.now() - startedAtMs,
      ...(p && {
        window: p.concurrencyLimit,
        rate: p.rate,
        roundTripMs: p.roundTripMs,
        inFlight: p.inFlight,
        queued: p.queued,
        throttles: p.throttles,
      }),
      rssBytes: process.memoryUsage.rss(),
      heapUsedBytes: process.memoryUsage().heapUsed,
    });
  };
  const sampler = setInterval(sample, task.sampleEveryMs);
  const counts = { usersScanned: 0, sessionsRevoked: 0, sessionsAlreadyAbsent: 0, sessionsFailed: 0, usersFailed: 0 };
  const failureSamples: string[] = [];
  const quote = (e: unknown) =>
    failureSamples.length < FAILURES_QUOTED && failureSamples.push(e instanceof Error ? e.message : String(e));
  try {
    const job = task.job;
    if (job.kind === "sweep") {
      const r = await sweepSessions(client, {
        environmentId: job.environmentId,
        users: { allUsers: true },
        shard: job.shard,
        userConcurrency: job.userConcurrency,
      });
      Object.assign(counts, {
        usersScanned: r.usersScanned,
        sessionsRevoked: r.sessionsRevoked,
        sessionsAlreadyAbsent: r.sessionsAlreadyAbsent,
        sessionsFailed: r.sessionsFailed,
        usersFailed: r.usersFailed,
      });
      for (const f of r.firstFailures) quote(f.message);
    } else {
      const settled = await Promise.allSettled(
        job.userIds.map((userId) => revokeUserSessions(client, { environmentId: job.environmentId, userId })),
      );
      for (const s of settled) {
        counts.usersScanned++;
        if (s.status === "rejected") {
          counts.usersFailed++;
          quote(s.reason);
          continue;
        }
        counts.sessionsRevoked += s.value.revoked.length;
        counts.sessionsAlreadyAbsent += s.value.alreadyAbsent.length;
        counts.sessionsFailed += s.value.failed.length;
        for (const f of s.value.failed) quote(f.error);
      }
    }
  } finally {
    clearInterval(sampler);
    sample();
  }
  const finishedAtMs = Date.now();
  client.close();
  await send({
    type: "done",
    report: {
      label: task.label,
      localAddress: task.localAddress,
      startedAtMs,
      finishedAtMs,
      ...counts,
      failureSamples,
      stats: client.stats(),
      readyRssBytes,
      // maxRSS is in kilobytes.
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      samples,
    },
  });
}

if (require.main === module) {
  if (!process.send) {
    console.error("shardWorker: start me through bench/workers.ts (an IPC channel is needed)");
    process.exit(2);
  }
  process.once("message", (m: ToWorker) => {
    if (m.type !== "task") return;
    runTask(m.task).then(
      () => process.disconnect(),
      async (e: unknown) => {
        await send({ type: "failed", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
        process.disconnect();
      },
    );
  });
}
