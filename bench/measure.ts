/**
 * What a run measured: the figures of one run, computed from the emulator's
 * request log and session count (the server's view, not the client's), and
 * the memory of the provider host.
 */
import fs from "node:fs";
import type { RequestLogEntry } from "../emulator";
import type { RunKind, SweepKind } from "./options";
import type { WorkerReport, WorkerSample } from "./shardWorker";

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
  timeline: SecondCounts[];
  firstThrottleAtSeconds: number | null;
  /** Arrival of the first and last request, seconds after the start (what the wall time spends outside HTTP). */
  firstRequestAtSeconds: number | null;
  lastRequestAtSeconds: number | null;
  notes: string[];
  broken?: string;
}

/** Requests that arrived in one second of a run: accepted, and answered 429. */
export interface SecondCounts {
  second: number;
  accepted: number;
  throttled: number;
}

/** Requests per second since `startedAtMs` (epoch ms), by arrival time; a request before it counts in second 0. */
export function timelineOf(log: readonly RequestLogEntry[], startedAtMs: number): SecondCounts[] {
  const timeline: SecondCounts[] = [];
  for (const r of log) {
    const second = Math.max(0, Math.floor((r.at - startedAtMs) / 1000));
    while (timeline.length <= second) timeline.push({ second: timeline.length, accepted: 0, throttled: 0 });
    if (r.status === 429) timeline[second].throttled++;
    else timeline[second].accepted++;
  }
  return timeline;
}

/** What the run itself knows; `analyse` adds what the emulator saw. */
export type RunFacts = Pick<
  RunResult,
  | "name"
  | "kind"
  | "rateLimit"
  | "maxConcurrency"
  | "operations"
  | "failures"
  | "failureSamples"
  | "peakRssBytes"
  | "notes"
  | "broken"
>;

/** Where the emulator's sessions stand after a run. */
export interface SessionCounts {
  /** Sessions seeded before the run. */
  seeded: number;
  /** Sessions the emulator still holds. */
  left: number;
}

/** The figures of a run from its facts, the emulator's request log since `startedAtMs` (epoch ms) and the session counts. */
export function analyse(
  facts: RunFacts,
  sessions: SessionCounts,
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
  let firstThrottle: number | null = null;
  for (const r of log) {
    byStatus[String(r.status)] = (byStatus[String(r.status)] ?? 0) + 1;
    const isApi = r.path.startsWith("/v1/");
    if (isApi) api++;
    else if (r.path.endsWith("/as/token")) token++;
    if (isApi && r.method === "GET") list++;
    if (isApi && r.method === "DELETE") del++;
    if (r.status === "pending") pending++;
    if (r.status === 429) {
      status429++;
      if (firstThrottle === null) firstThrottle = (r.at - startedAtMs) / 1000;
    }
  }
  const timeline = timelineOf(log, startedAtMs);
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
    firstRequestAtSeconds:
      log.length > 0 ? (log.reduce((m, r) => Math.min(m, r.at), Infinity) - startedAtMs) / 1000 : null,
    lastRequestAtSeconds:
      log.length > 0 ? (log.reduce((m, r) => Math.max(m, r.at), -Infinity) - startedAtMs) / 1000 : null,
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

// ---------------------------------------------------------------------------
// Population sweeps (issue 11): requests by kind, the floor, per-process figures.

/** What a request to PingOne was, read from its method and path. */
export type RequestKind = "token" | "user-page" | "session-list" | "delete" | "other";

const USER_PAGE = /^\/v1\/environments\/[^/?]+\/users(?:\?|$)/;
const SESSION_LIST = /^\/v1\/environments\/[^/?]+\/users\/([^/?]+)\/sessions(?:\?|$)/;
const ONE_SESSION = /^\/v1\/environments\/[^/?]+\/users\/[^/?]+\/sessions\/[^/?]+$/;

/** The kind of a logged request: a token, a page of users, a user's session list, a session's DELETE, or anything else. */
export function requestKind(method: string, path: string): RequestKind {
  const m = method.toUpperCase();
  if (m === "POST" && /\/as\/token(?:\?|$)/.test(path)) return "token";
  if (m === "GET" && USER_PAGE.test(path)) return "user-page";
  if (m === "GET" && SESSION_LIST.test(path)) return "session-list";
  if (m === "DELETE" && ONE_SESSION.test(path)) return "delete";
  return "other";
}

/** The user whose sessions a session-list request lists, lower-cased; undefined for any other request. */
export function listedUser(method: string, path: string): string | undefined {
  if (method.toUpperCase() !== "GET") return undefined;
  return SESSION_LIST.exec(path)?.[1].toLowerCase();
}

/** Requests of a sweep, by kind and by answer. */
export interface RequestCounts {
  total: number;
  token: number;
  userPages: number;
  sessionLists: number;
  deletes: number;
  other: number;
  /** Answered 429. */
  status429: number;
  /** Everything not answered 429 (the rate limit let it through). */
  accepted: number;
  /** Never answered. */
  pending: number;
}

/** Counts `log` by kind and answer. */
export function countRequests(log: readonly RequestLogEntry[]): RequestCounts {
  const c: RequestCounts = {
    total: 0,
    token: 0,
    userPages: 0,
    sessionLists: 0,
    deletes: 0,
    other: 0,
    status429: 0,
    accepted: 0,
    pending: 0,
  };
  const field = {
    token: "token",
    "user-page": "userPages",
    "session-list": "sessionLists",
    delete: "deletes",
    other: "other",
  } as const;
  for (const r of log) {
    c.total++;
    c[field[requestKind(r.method, r.path)]]++;
    if (r.status === 429) c.status429++;
    else c.accepted++;
    if (r.status === "pending") c.pending++;
  }
  return c;
}

/** PingOne's largest page of users, which a sweep asks for. */
export const USER_PAGE_SIZE = 200;

/** What the fewest requests of a sweep depend on. */
export interface FloorInput {
  /** Processes, each with its own token and (when it pages through the users) every page of them. */
  processes: number;
  /** True when each process pages through the users; false when it was handed their ids. */
  pagesUsers: boolean;
  /** Users of the population each process pages through. */
  population: number;
  /** Users whose sessions are listed, across all processes (each once). */
  usersListed: number;
  /** Sessions deleted, across all processes (each once). */
  sessions: number;
}

/**
 * The fewest requests a sweep can make: per process one token and, when it
 * pages, every page of the population (PingOne's pages hold at most 200);
 * one session list per user; one DELETE per session.
 */
export function sweepFloor(i: FloorInput): number {
  const pages = i.pagesUsers ? Math.max(1, Math.ceil(i.population / USER_PAGE_SIZE)) : 0;
  return i.processes * (1 + pages) + i.usersListed + i.sessions;
}

/** The most that one second of a process's pacer samples shows: the last sample taken in it. */
export interface WindowSecond {
  second: number;
  window: number;
  /** Requests per second the window allows. */
  rate: number;
  roundTripMs: number;
  /** 429s the pacer had seen by then. */
  throttles: number;
}

/** The pacer's state at the end of each second, from samples taken every few ms; seconds without a sample are skipped. */
export function windowPerSecond(samples: readonly WorkerSample[]): WindowSecond[] {
  const last = new Map<number, WorkerSample>();
  for (const s of samples) if (s.window !== undefined) last.set(Math.floor(s.atMs / 1000), s);
  return [...last.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([second, s]) => ({
      second,
      window: s.window!,
      rate: s.rate!,
      roundTripMs: s.roundTripMs!,
      throttles: s.throttles!,
    }));
}

/** One sweeping process's figures. */
export interface ProcessFigures {
  label: string;
  /** The address its requests came from, as the emulator saw it. */
  source: string;
  /** When it finished, seconds after `go`. */
  finishedAtSeconds: number;
  requests: RequestCounts;
  /** Its accepted requests per second of its own run ÷ the licence's rate; null when unlimited. */
  shareOfLimit: number | null;
  share429: number;
  usersScanned: number;
  sessionsRevoked: number;
  sessionsAlreadyAbsent: number;
  /** Sessions and users that failed. */
  failures: number;
  failureSamples: string[];
  readyRssBytes: number;
  peakRssBytes: number;
  window: WindowSecond[];
  /** For each 429 it got (the first 100): its longest silence, in seconds, within 2 s of that answer (`quietAfter429`). */
  quietAfter429: number[];
}

/** The figures of one sweep scenario run (one or several processes). */
export interface SweepRunResult {
  name: string;
  scenario: SweepKind;
  /** The figure the scenario is about, or the baseline beside it. */
  role: "measured" | "baseline";
  rateLimit: { requestsPerSecond: number; burst: number; perSourceIpShare?: number; exemptSources: string[] } | null;
  latencyMs: number;
  /** Users of the tenant. */
  users: number;
  sessionsSeeded: number;
  /** Sessions of the users this run was to sweep (a shard alone: its own). */
  sessionsInScope: number;
  /** Sessions the emulator lost during the run (its own count, not the client's). */
  sessionsRevoked: number;
  /** In-scope sessions the emulator still holds after the run. */
  sessionsLeftInScope: number;
  /** From `go` to the last process's end. */
  wallSeconds: number;
  requests: RequestCounts;
  floor: number;
  /** requests.total ÷ floor. */
  overFloor: number;
  /** Accepted requests per second of wall time ÷ the licence's rate; null when unlimited. */
  shareOfLimit: number | null;
  share429: number;
  processes: ProcessFigures[];
  /** Latest finish ÷ earliest finish − 1, over the processes; null for one process. */
  finishSpread: number | null;
  timeline: SecondCounts[];
  /** Arrival of each 429, seconds after `go` (the first 200). */
  throttleTimes: number[];
  /** Users whose sessions were listed more than once / never, across the processes (each must be listed exactly once). */
  usersListedTwice: number;
  usersNeverListed: number;
  notes: string[];
  broken?: string;
}

/** What a sweep scenario knows beyond the log and the workers' reports. */
export type SweepFacts = Pick<
  SweepRunResult,
  | "name"
  | "scenario"
  | "role"
  | "rateLimit"
  | "latencyMs"
  | "users"
  | "sessionsSeeded"
  | "sessionsInScope"
  | "notes"
  | "broken"
> & {
  /** Sessions the emulator held before and after the run, and in-scope sessions after. */
  sessionsBefore: number;
  sessionsAfter: number;
  sessionsLeftInScope: number;
  /** The user ids each must be listed exactly once (lower-case). */
  usersInScope: ReadonlySet<string>;
  floor: FloorInput;
};

/**
 * The figures of a sweep scenario from the emulator's log (requests since
 * `wentAtMs`, the moment every process was told to go) and the processes'
 * own reports. Request counts and 429s are the server's view; a process's
 * requests are those from its source address (shards bind one each; a lone
 * process is 127.0.0.1).
 */
export function analyseSweep(
  facts: SweepFacts,
  log: readonly RequestLogEntry[],
  reports: readonly WorkerReport[],
  wentAtMs: number,
): SweepRunResult {
  const requests = countRequests(log);
  const endMs =
    reports.length > 0
      ? Math.max(...reports.map((r) => r.finishedAtMs))
      : Math.max(wentAtMs, ...log.map((r) => r.answeredAt ?? r.at));
  const wallSeconds = Math.max(0.001, (endMs - wentAtMs) / 1000);
  const rate = facts.rateLimit?.requestsPerSecond;
  const bySource = new Map<string, RequestLogEntry[]>();
  for (const r of log) {
    const own = bySource.get(r.remoteAddress);
    if (own) own.push(r);
    else bySource.set(r.remoteAddress, [r]);
  }
  const processes = reports.map((rep): ProcessFigures => {
    const source = rep.localAddress ?? "127.0.0.1";
    const own = countRequests(bySource.get(source) ?? []);
    const seconds = Math.max(0.001, (rep.finishedAtMs - wentAtMs) / 1000);
    return {
      label: rep.label,
      source,
      finishedAtSeconds: seconds,
      requests: own,
      shareOfLimit: rate ? own.accepted / seconds / rate : null,
      share429: own.total > 0 ? own.status429 / own.total : 0,
      usersScanned: rep.usersScanned,
      sessionsRevoked: rep.sessionsRevoked,
      sessionsAlreadyAbsent: rep.sessionsAlreadyAbsent,
      failures: rep.sessionsFailed + rep.usersFailed,
      failureSamples: rep.failureSamples,
      readyRssBytes: rep.readyRssBytes,
      peakRssBytes: rep.peakRssBytes,
      window: windowPerSecond(rep.samples),
      quietAfter429: quietAfter429(bySource.get(source) ?? []).slice(0, 100),
    };
  });
  const listed = new Map<string, number>();
  for (const r of log) {
    const user = r.status === 429 ? undefined : listedUser(r.method, r.path);
    if (user !== undefined) listed.set(user, (listed.get(user) ?? 0) + 1);
  }
  let usersListedTwice = 0;
  let usersNeverListed = 0;
  for (const id of facts.usersInScope) {
    const n = listed.get(id) ?? 0;
    if (n === 0) usersNeverListed++;
    else if (n > 1) usersListedTwice++;
  }
  const finishes = processes.map((p) => p.finishedAtSeconds);
  const floor = sweepFloor(facts.floor);
  return {
    name: facts.name,
    scenario: facts.scenario,
    role: facts.role,
    rateLimit: facts.rateLimit,
    latencyMs: facts.latencyMs,
    users: facts.users,
    sessionsSeeded: facts.sessionsSeeded,
    sessionsInScope: facts.sessionsInScope,
    sessionsLeftInScope: facts.sessionsLeftInScope,
    notes: facts.notes,
    broken: facts.broken,
    sessionsRevoked: facts.sessionsBefore - facts.sessionsAfter,
    wallSeconds,
    requests,
    floor,
    overFloor: requests.total / floor,
    shareOfLimit: rate ? requests.accepted / wallSeconds / rate : null,
    share429: requests.total > 0 ? requests.status429 / requests.total : 0,
    processes,
    finishSpread: finishes.length > 1 ? Math.max(...finishes) / Math.min(...finishes) - 1 : null,
    timeline: timelineOf(log, wentAtMs),
    throttleTimes: log
      .filter((r) => r.status === 429)
      .slice(0, 200)
      .map((r) => Math.round(r.at - wentAtMs) / 1000),
    usersListedTwice,
    usersNeverListed,
  };
}

/** How long after a 429's answer the silences it caused are looked for. */
export const QUIET_WINDOW_MS = 2000;

/**
 * For each 429 in `log` (one source's requests), the longest silence of that
 * source in the `QUIET_WINDOW_MS` after the 429 was answered: the longest gap
 * between consecutive arrivals, counting from the answer, and up to the first
 * arrival after the window. Requests already queued in the client leave just
 * after a 429, so the first gap alone would hide a pause that follows them.
 * A 429 followed by no request gives nothing.
 */
export function quietAfter429(log: readonly RequestLogEntry[]): number[] {
  const arrivals = log.map((r) => r.at).sort((a, b) => a - b);
  const gaps: number[] = [];
  for (const r of log) {
    if (r.status !== 429 || r.answeredAt === undefined) continue;
    let lo = 0;
    let hi = arrivals.length;
    // The first arrival strictly after the answer.
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (arrivals[mid] <= r.answeredAt) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= arrivals.length) continue;
    let longest = 0;
    let previous = r.answeredAt;
    for (let i = lo; i < arrivals.length; i++) {
      longest = Math.max(longest, arrivals[i] - previous);
      previous = arrivals[i];
      if (arrivals[i] > r.answeredAt + QUIET_WINDOW_MS) break;
    }
    gaps.push(longest / 1000);
  }
  return gaps;
}

// ---------------------------------------------------------------------------
// One user's sessions: round trips on the critical path.

/** A request with its arrival and answer times (epoch ms, the server's clock). */
export interface TimedRequest {
  at: number;
  answeredAt?: number;
}

/**
 * The longest chain of requests each sent only after the one before it was
 * answered: the round trips a run spent waiting in sequence. A request's
 * depth is one more than the deepest request answered before it arrived, so
 * a wave sent at once counts once, and a wave split by a small window counts
 * once per part. Unanswered requests end no chain.
 */
export function criticalPathDepth(requests: readonly TimedRequest[]): number {
  const sorted = [...requests].sort((a, b) => a.at - b.at);
  const depths: number[] = [];
  let deepest = 0;
  sorted.forEach((r, i) => {
    let before = 0;
    for (let j = 0; j < i; j++) {
      const q = sorted[j];
      if (q.answeredAt !== undefined && q.answeredAt <= r.at) before = Math.max(before, depths[j]);
    }
    depths.push(before + 1);
    deepest = Math.max(deepest, before + 1);
  });
  return deepest;
}

/** The median of `values`; NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** One way of revoking one user's sessions, timed from the first process start to the last exit. */
export interface OneUserRun {
  name: string;
  /** From the first spawn to the last exit. */
  wallSeconds: number;
  /** From the first spawn to the first request's arrival. */
  firstRequestAtSeconds: number | null;
  /** From the first spawn to the last answer (what follows it until `wallSeconds` is the process ending). */
  lastAnswerAtSeconds: number | null;
  /** Round trips on the critical path (`criticalPathDepth`). */
  roundTrips: number;
  /** Median time from a request's arrival to its answer at the emulator (its latency included). */
  roundTripSeconds: number;
  requests: number;
  /** Processes started (1 for the CLI; one curl per request for the loop). */
  processes: number;
  sessionsRevoked: number;
  /** Non-zero exit codes and other failures. */
  failures: string[];
}

/** The one-user figure: the CLI beside the curl loop. */
export interface OneUserResult {
  latencyMs: number;
  sessions: number;
  /** Median wall time of `pingone-sessions --version` (runs interleaved with the CLI's): the process start-up the CLI pays before any request. */
  startupSeconds: number;
  /** start-up + 4 of the CLI run's round trips (`cli.roundTripSeconds`): what the CLI may take. */
  budgetSeconds: number;
  /** The CLI run of median wall time among `cliRuns`. */
  cli: OneUserRun;
  /** Every CLI run made; the round-trip target is judged on the worst of them. */
  cliRuns: OneUserRun[];
  curl: OneUserRun | null;
  notes: string[];
}
