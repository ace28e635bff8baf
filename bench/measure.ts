/**
 * What a run measured: the figures of one run, computed from the emulator's
 * request log and session count (the server's view, not the client's), and
 * the memory of the provider host.
 */
import fs from "node:fs";
import type { RequestLogEntry } from "../emulator";
import type { RunKind } from "./options";

/** Bytes in a mebibyte. */
export const MB = 1024 * 1024;

/** The figures of one run, as printed and as written to bench/results/. */
export interface RunResult {
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

/** What the run itself knows; `analyse` adds what the emulator saw. */
export type RunFacts = Pick<RunResult, "name" | "kind" | "rateLimit" | "maxConcurrency" | "operations" | "failures" | "failureSamples" | "peakRssBytes" | "notes" | "broken">;

/** Where the emulator's sessions stand after a run. */
export interface SessionCounts {
  /** Sessions seeded before the run. */
  seeded: number;
  /** Sessions the emulator still holds. */
  left: number;
}

/** The figures of a run from its facts, the emulator's request log since `startedAtMs` (epoch ms) and the session counts. */
export function analyse(facts: RunFacts, sessions: SessionCounts, log: RequestLogEntry[], startedAtMs: number, wallSeconds: number): RunResult {
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
  const revoked = sessions.seeded - sessions.left;
  return {
    ...facts,
    wallSeconds,
    sessionsSeeded: sessions.seeded,
    sessionsRevoked: revoked,
    sessionsLeft: sessions.left,
    revocationsPerSecond: revoked / wallSeconds,
    requests: { total, api, token, list, delete: del, status429, accepted, pending, byStatus },
    shareOfLimit: facts.rateLimit ? accepted / wallSeconds / facts.rateLimit.requestsPerSecond : null,
    requestsPerSession: revoked > 0 ? api / revoked : NaN,
    deletesPerSession: revoked > 0 ? del / revoked : NaN,
    share429: total > 0 ? status429 / total : 0,
    timeline,
    firstThrottleAtSeconds: firstThrottle,
    firstRequestAtSeconds: log.length > 0 ? (log.reduce((m, r) => Math.min(m, r.at), Infinity) - startedAtMs) / 1000 : null,
    lastRequestAtSeconds: log.length > 0 ? (log.reduce((m, r) => Math.max(m, r.at), -Infinity) - startedAtMs) / 1000 : null,
  };
}

/** Current resident set size of a process (VmRSS), or 0 when unknown. */
export async function rssOf(pid: number): Promise<number> {
  try {
    const m = /^VmRSS:\s*(\d+)\s*kB/m.exec(await fs.promises.readFile(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
