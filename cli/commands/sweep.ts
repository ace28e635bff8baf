/**
 * `pingone-sessions sweep`: the sessions of every user a population, a SCIM
 * filter or the whole environment selects, revoked where they match, through
 * the provider's own `sweepSessions` (one client, one pacer, users paged with
 * bounded memory). What it did is printed as a summary, and with `--report`
 * written as evidence, one line per session as it happens.
 *
 * Confirmation: without `--yes`, a sweep first counts what it would revoke
 * (a dry run: the users list and one session list per user, no DELETE). Above
 * `CONFIRM_ABOVE` sessions it asks on a terminal and refuses without one;
 * then the real sweep runs, with the count giving its progress an ETA. The
 * real sweep revokes what matches when it runs, which may differ from the
 * count by sessions created or ended in between. `--yes` skips the count.
 */
import { PingOneClient } from "../../provider/client/client";
import { SessionCriteria, Shard, UserSelection } from "../../provider/client/criteria";
import { PingOneApiError } from "../../provider/client/errors";
import { systemClock } from "../../provider/client/retry";
import {
  describeFailures,
  failureGroup,
  SweepCounts,
  SweepResult,
  sweepSessions,
  SweepSessionEvent,
} from "../../provider/client/sweep";
import { printable } from "../../provider/client/text";
import { decodeSession } from "../../provider/client/answers";
import type { Session } from "../../provider/client/types";
import {
  CliIo,
  EXIT_CODES,
  ExitCode,
  InterruptSignal,
  interruptedBy,
  neverSent,
  UsageError,
  writeLine,
} from "../common";
import { FailureFields, failureFields, field, formatCount, formatJson, Progress, sessionRows } from "../output";
import { ReportFile, ReportFs } from "../report";

/** Sessions a sweep may revoke without `--yes` or a person's answer. */
export const CONFIRM_ABOVE = 1_000;

/** Failures quoted on stderr and in `--json`; the rest are counted (and each is in the report file). */
export const FAILURES_SHOWN = 5;

/** Shortest time between two redraws of the status line. */
const REDRAW_MS = 100;

/** What `sweep` was asked for, checked by the argument parser. */
export interface SweepPlan {
  /** The environment holding the users (a UUID). */
  environmentId: string;
  /** Which users. */
  users: UserSelection;
  /** Which of their sessions (nothing given: all of them). */
  sessions: SessionCriteria;
  /** This runner's part of the users, or all of them. */
  shard?: Shard;
  /** List what would be revoked; send no DELETE. */
  dryRun: boolean;
  /** Where to append the evidence lines, if anywhere. */
  reportPath?: string;
  /** Print one JSON document instead of lines. */
  json: boolean;
  /** Revoke without counting first and without asking, whatever the number. */
  yes: boolean;
}

/** Which pass a summary describes: the count before a confirmation, a dry run, or the revoking sweep. */
export type SweepPass = "count" | "dry-run" | "revoke";

/** The closing line of a report, and `summary` in `--json`: counts only, whatever the population size. */
export interface SweepSummary {
  /** When the pass ended (ISO 8601). */
  at: string;
  /** The pass this describes; `count` when the sweep stopped before revoking (interrupted, refused, failed). */
  pass: SweepPass;
  environmentId: string;
  /** The users asked for: `{populationId}`, `{userFilter}` or `{allUsers: true}`. */
  users: UserSelection;
  /** The session criteria given. */
  sessions: SessionCriteria;
  /** This runner's shard, or null for all users. */
  shard: Shard | null;
  /** Users of this shard whose sessions were listed, or whose list failed. */
  usersScanned: number;
  /** Users of the selection left to other shards. */
  usersInOtherShards: number;
  /** Users whose session list failed (none of their sessions counted). */
  usersFailed: number;
  /** Users whose sessions were never asked for: the run was interrupted first. */
  usersNotAttempted: number;
  /** Sessions that matched (in a revoking pass, the sum of the four counts below). */
  sessionsMatched: number;
  /** Sessions PingOne deleted now (HTTP 204). */
  sessionsRevoked: number;
  /** Matching sessions already gone when their DELETE arrived (PingOne's 404). */
  sessionsAlreadyAbsent: number;
  /** Matching sessions whose DELETE failed. */
  sessionsFailed: number;
  /** Matching sessions for which no DELETE was sent: the run was interrupted first. They are still alive. */
  sessionsNotAttempted: number;
  /** Failures (users and sessions) by PingOne's code with its HTTP status, or the client's failure code. */
  failuresByCode: Record<string, number>;
  /** True when every page of the users list was read (this shard's users were all reached, or found interrupted). */
  listComplete: boolean;
  /**
   * The sweep's digest of the revoked session ids (order-independent, as the provider's output);
   * null when the users list did not run to its end, or the pass revoked nothing by design (count,
   * dry run).
   */
  revokedDigest: string | null;
  /** The signal that interrupted the run, or null. */
  interrupted: InterruptSignal | null;
  /** Why the pass stopped before its end (the users list failed, the sweep was not confirmed), or null. */
  error: FailureFields | null;
}

/** One evidence line of a report: a session acted on, or a user whose sessions could not be listed (`sessionId` null). */
export interface SweepReportLine {
  /** When the outcome was known (ISO 8601). */
  at: string;
  environmentId: string;
  userId: string;
  sessionId: string | null;
  /** `matched` in a dry run; otherwise what the DELETE did, or `failed`. */
  outcome: SweepSessionEvent["outcome"];
  /** PingOne's error id, to quote to Ping support; null when PingOne sent none. */
  errorId: string | null;
  /** PingOne's error code, or the client's failure code when PingOne sent none (`NO_ANSWER`, ...); null on success. */
  errorCode: string | null;
  /** The HTTP status of a failure; null on success or when nothing answered. */
  status: number | null;
}

/** One failure as `--json` quotes it. */
export interface SweepFailure extends FailureFields {
  userId: string;
  /** The session, or null when the user's sessions could not be listed. */
  sessionId: string | null;
}

/** What one pass found and did, kept as events arrive. */
interface Tally {
  pass: SweepPass;
  /** How far the sweep got through the users, from its last progress report (its result, once it ends); sessions are the tally's own counts. */
  users: Pick<SweepCounts, "usersScanned" | "usersInOtherShards">;
  result?: SweepResult;
  usersWithMatches: Set<string>;
  usersFailed: number;
  usersNotAttempted: number;
  sessionsMatched: number;
  sessionsRevoked: number;
  sessionsAlreadyAbsent: number;
  sessionsFailed: number;
  sessionsNotAttempted: number;
  failuresByCode: Record<string, number>;
  firstFailures: SweepFailure[];
  error?: unknown;
}

/**
 * Runs the sweep `plan` describes through `client` and prints the dry-run
 * listing or the summary (text or `--json`); with `plan.reportPath`, appends
 * the evidence lines and the summary line to that file. Every matching
 * session is attempted, whatever happens to the others. Returns 0 when
 * everything matching was revoked (or listed), 1 when a session or a user
 * failed or the users list failed part way (the summary says how far it
 * got); the caller turns an interrupt into 130 or 143. Throws `UsageError`
 * (exit 2) when the report file cannot be opened, before any request, and
 * when a sweep above `CONFIRM_ABOVE` sessions is not confirmed, before any
 * DELETE.
 *
 * The report is evidence: when a line cannot be written (a full disk),
 * `options.stop` is aborted at once (the client is built with it, so no
 * further request is sent, the next DELETE included), and the run ends with
 * exit 1, naming the file and the sessions revoked but not recorded.
 */
export async function sweepCommand(
  client: PingOneClient,
  plan: SweepPlan,
  io: CliIo,
  progress: Progress,
  options: SweepCommandOptions = {},
): Promise<ExitCode> {
  const report = plan.reportPath !== undefined ? ReportFile.open(plan.reportPath, options.reportFs) : undefined;
  if (report) report.onFailure = () => options.stop?.abort("report");
  const close = (tally: Tally): SweepSummary => {
    const summary = summaryOf(tally, plan, io);
    report?.append({ summary });
    report?.close();
    if (!report?.failure) return summary;
    // The summary printed says whether the report holds everything: a write that failed is the run's error.
    tally.error = reportFailure(report);
    return summaryOf(tally, plan, io);
  };
  try {
    if (plan.dryRun)
      return finish(close(await runPass(client, plan, io, progress, "dry-run", report)), [], plan, io, true);

    let usersTotal: number | undefined;
    if (!plan.yes) {
      const count = await runPass(client, plan, io, progress, "count");
      if (count.error !== undefined || interruptedBy(io) !== undefined)
        return finish(close(count), count.firstFailures, plan, io, false);
      const refusal = await confirmation(count, io);
      if (refusal !== undefined) {
        count.error = refusal;
        close(count);
        throw refusal;
      }
      usersTotal = count.users.usersScanned;
    }
    const tally = await runPass(client, plan, io, progress, "revoke", report, usersTotal);
    return finish(close(tally), tally.firstFailures, plan, io, false);
  } finally {
    report?.close();
  }
}

/** What a sweep command may be given besides its plan. */
export interface SweepCommandOptions {
  /** Aborted when the report cannot be written; the client given must stop with it (its `signal`). */
  stop?: AbortController;
  /** The report's file calls (tests inject a failing disk). */
  reportFs?: ReportFs;
}

/** Most unrecorded revocations named one by one; the rest are counted. */
const UNRECORDED_SHOWN = 20;

/**
 * The error of a run whose report could not be written: the file, why, that
 * the run stopped, and the sessions revoked since the last line recorded.
 */
function reportFailure(report: ReportFile): Error {
  const lines = report.unrecorded.filter(
    (v): v is SweepReportLine => typeof v === "object" && v !== null && "sessionId" in v,
  );
  const revoked = lines.filter((l) => l.outcome === "revoked");
  const others = lines.length - revoked.length;
  const were = (n: number, noun: string) => `${formatCount(n)} ${noun}${n === 1 ? " was" : "s were"}`;
  const named = revoked
    .slice(0, UNRECORDED_SHOWN)
    .map((l) => `${l.sessionId} (user ${l.userId})`)
    .join(", ");
  const more = revoked.length > UNRECORDED_SHOWN ? `, and ${formatCount(revoked.length - UNRECORDED_SHOWN)} more` : "";
  const what =
    revoked.length === 0
      ? "No session was revoked after the last line recorded."
      : `${were(revoked.length, "session")} revoked and not recorded in it: ${named}${more}.`;
  const rest = others > 0 ? ` ${were(others, "other outcome")} not recorded either.` : "";
  return new Error(
    `${report.failure!.message}, so the sweep stopped: no request was sent after it. ${what}${rest} The summary line was not recorded. ` +
      "Free space and run the same command again (sessions already revoked will be already absent).",
    { cause: report.failure },
  );
}

/**
 * Asks for a confirmation when the count is above `CONFIRM_ABOVE`: undefined
 * when the sweep may go on, or the `UsageError` that refuses it (no terminal
 * to ask on, or the answer was not yes).
 */
async function confirmation(count: Tally, io: CliIo): Promise<UsageError | undefined> {
  if (count.sessionsMatched <= CONFIRM_ABOVE) return undefined;
  const what = `${formatCount(count.sessionsMatched)} sessions of ${formatCount(count.usersWithMatches.size)} users`;
  if (io.ask === undefined) {
    return new UsageError(
      `this sweep would revoke ${what}, more than ${formatCount(CONFIRM_ABOVE)}: pass --yes to revoke them (stdin is not a terminal, so there is no one to ask); --dry-run lists them. Nothing was revoked.`,
    );
  }
  const answer = await askUnlessInterrupted(io, `Revoke ${what}? [y/N] `);
  if (answer !== undefined && /^\s*y(es)?\s*$/i.test(answer)) return undefined;
  return new UsageError(
    `not confirmed (${answer === undefined ? "interrupted" : "the answer was not yes"}): nothing was revoked`,
  );
}

/** The person's answer, or undefined when the run is interrupted first. */
async function askUnlessInterrupted(io: CliIo, question: string): Promise<string | undefined> {
  const interrupt = io.interrupt;
  if (interrupt?.aborted) return undefined;
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    interrupt?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([io.ask!(question), interrupted]);
  } finally {
    interrupt?.removeEventListener("abort", onAbort!);
  }
}

/**
 * One pass of `sweepSessions`: `count` and `dry-run` list and match only,
 * `revoke` deletes. Events feed the tally, the report (not while counting)
 * and, in a dry run, the listing on stdout as it goes. Never throws for a
 * PingOne failure: a users list that fails part way is the tally's `error`
 * (`sweepSessions` lets the users already started finish first, so nothing
 * is told after the summary).
 */
async function runPass(
  client: PingOneClient,
  plan: SweepPlan,
  io: CliIo,
  progress: Progress,
  pass: SweepPass,
  report?: ReportFile,
  usersTotal?: number,
): Promise<Tally> {
  const tally: Tally = {
    pass,
    users: { usersScanned: 0, usersInOtherShards: 0 },
    usersWithMatches: new Set(),
    usersFailed: 0,
    usersNotAttempted: 0,
    sessionsMatched: 0,
    sessionsRevoked: 0,
    sessionsAlreadyAbsent: 0,
    sessionsFailed: 0,
    sessionsNotAttempted: 0,
    failuresByCode: {},
    firstFailures: [],
  };
  const listing = pass === "dry-run" ? new Listing(io, plan.json) : undefined;
  // A dry run's rows on stdout are its progress; a status line redrawn on stderr would run through them.
  const status = new StatusLine(
    client,
    io,
    progress,
    pass === "revoke" ? "revoked" : "matched",
    usersTotal,
    pass !== "dry-run",
  );

  const onSession = (event: SweepSessionEvent) => {
    const userLevel = event.sessionId === "";
    if (event.outcome === "failed" && neverSent(event.error)) {
      if (userLevel) tally.usersNotAttempted++;
      else tally.sessionsNotAttempted++;
      return;
    }
    switch (event.outcome) {
      case "matched":
        tally.sessionsMatched++;
        if (pass === "count") tally.usersWithMatches.add(event.userId.toLowerCase());
        listing?.add(event.userId, event.sessionId, event.session);
        break;
      case "revoked":
        tally.sessionsRevoked++;
        break;
      case "already-absent":
        tally.sessionsAlreadyAbsent++;
        break;
      case "failed":
        if (userLevel) tally.usersFailed++;
        else tally.sessionsFailed++;
        recordFailure(tally, event, plan.json);
        break;
    }
    if (pass !== "count") report?.append(reportLine(event));
  };
  const onProgress = (counts: SweepCounts) => {
    tally.users = counts;
    status.update(counts.usersScanned, pass === "revoke" ? tally.sessionsRevoked : tally.sessionsMatched);
  };

  try {
    tally.result = await sweepSessions(client, {
      environmentId: plan.environmentId,
      users: plan.users,
      sessions: plan.sessions,
      shard: plan.shard,
      dryRun: pass !== "revoke",
      onSession,
      onProgress,
    });
    tally.users = tally.result;
  } catch (error) {
    // The users list failed, or was interrupted.
    const stopped = interruptedBy(io) !== undefined || report?.failure !== undefined;
    const interrupted = stopped && PingOneApiError.isInstance(error) && error.code === "ABORTED";
    if (!interrupted) tally.error = error;
    if (!PingOneApiError.isInstance(error)) throw error;
  } finally {
    status.done();
    listing?.end();
  }
  return tally;
}

/** Counts a failure under its code and keeps the first few in full. */
function recordFailure(tally: Tally, event: SweepSessionEvent, keepAll: boolean): void {
  const key = failureGroup(event.error);
  tally.failuresByCode[key] = (tally.failuresByCode[key] ?? 0) + 1;
  // `--json` lists every failure (a program reads them all); the terminal shows the first few.
  if (keepAll || tally.firstFailures.length < FAILURES_SHOWN)
    tally.firstFailures.push({
      userId: event.userId,
      sessionId: event.sessionId || null,
      ...failureFields(event.error),
    });
}

/** The evidence line of an event: ids, outcome and PingOne's error id and code; never a message (it could quote anything). */
function reportLine(event: SweepSessionEvent): SweepReportLine {
  const error = event.outcome === "failed" ? failureFields(event.error) : undefined;
  return {
    at: event.at,
    environmentId: event.environmentId,
    userId: event.userId,
    sessionId: event.sessionId || null,
    outcome: event.outcome,
    errorId: error?.id ?? null,
    errorCode: error ? (error.code ?? error.failure ?? "UNEXPECTED") : null,
    status: error?.status ?? null,
  };
}

function summaryOf(tally: Tally, plan: SweepPlan, io: CliIo): SweepSummary {
  const revoking = tally.pass === "revoke";
  const matched = revoking
    ? tally.sessionsRevoked + tally.sessionsAlreadyAbsent + tally.sessionsFailed + tally.sessionsNotAttempted
    : tally.sessionsMatched;
  return {
    at: new Date((io.clock ?? systemClock).now()).toISOString(),
    pass: tally.pass,
    environmentId: plan.environmentId,
    users: plan.users,
    sessions: plan.sessions,
    shard: plan.shard ?? null,
    usersScanned: tally.users.usersScanned - tally.usersNotAttempted,
    usersInOtherShards: tally.users.usersInOtherShards,
    usersFailed: tally.usersFailed,
    usersNotAttempted: tally.usersNotAttempted,
    sessionsMatched: matched,
    sessionsRevoked: tally.sessionsRevoked,
    sessionsAlreadyAbsent: tally.sessionsAlreadyAbsent,
    sessionsFailed: tally.sessionsFailed,
    sessionsNotAttempted: tally.sessionsNotAttempted,
    failuresByCode: tally.failuresByCode,
    listComplete: tally.result !== undefined,
    revokedDigest: revoking && tally.result !== undefined ? tally.result.revokedDigest : null,
    interrupted: interruptedBy(io) ?? null,
    error: tally.error === undefined ? null : failureFields(tally.error),
  };
}

/** Prints the summary (and the failures) and decides the exit code; `documentOpen` when a dry run's `--json` listing already began the document. */
function finish(
  summary: SweepSummary,
  failures: SweepFailure[],
  plan: SweepPlan,
  io: CliIo,
  documentOpen: boolean,
): ExitCode {
  const failed = summary.usersFailed + summary.sessionsFailed;
  const shown = failures.slice(0, FAILURES_SHOWN);
  for (const f of shown)
    writeLine(io.stderr, `failed user ${f.userId}${f.sessionId ? ` session ${f.sessionId}` : ""}: ${f.message}`);
  if (failed > shown.length) {
    const where =
      plan.reportPath !== undefined
        ? `each is in ${printable(plan.reportPath)}`
        : plan.json
          ? "each is in the JSON on stdout"
          : "--report FILE records each";
    writeLine(io.stderr, `... and ${formatCount(failed - shown.length)} more failures (${where}).`);
  }
  if (summary.error !== null) {
    // A failure of the client is the users list's; any other (the report's) says all it means itself.
    const listFailed = summary.error.failure !== null;
    writeLine(
      io.stderr,
      `pingone-sessions: ${summary.error.message}${listFailed ? " The sweep stopped there: users past that point were not looked at; run the same command again." : ""}`,
    );
  }
  if (summary.interrupted !== null) {
    writeLine(
      io.stderr,
      `pingone-sessions: interrupted by ${summary.interrupted}: no request was sent after it, and the requests in flight were let finish; ` +
        `${formatCount(summary.sessionsNotAttempted)} matching sessions and ${formatCount(summary.usersNotAttempted)} users were not attempted${summary.listComplete ? "" : ", and users past the last page read were not looked at"}. ` +
        `Run the same command again to finish.`,
    );
  }
  if (plan.json) {
    // A dry run's listing opened the document with its `matched` array: the rest follows it.
    writeLine(io.stdout, documentOpen ? formatJson({ failures, summary }).slice(1) : formatJson({ failures, summary }));
  } else {
    writeLine(io.stdout, summaryLine(summary, plan));
  }
  return summary.error !== null || failed > 0 ? EXIT_CODES.failed : EXIT_CODES.ok;
}

/**
 * The one-line summary: "Swept population P in environment E (shard 1/4), all sessions: 40 users scanned,
 * 12 sessions matched: revoked 10, already absent 1, failed 1 (1 ACCESS_FAILED (HTTP 403))."
 */
export function summaryLine(summary: SweepSummary, plan: SweepPlan): string {
  const scope = `${selectionText(plan)}${plan.shard ? ` (shard ${plan.shard.index}/${plan.shard.count})` : ""}, ${criteriaText(plan.sessions)}`;
  const users = [`${formatCount(summary.usersScanned)} user${summary.usersScanned === 1 ? "" : "s"} scanned`];
  if (summary.usersFailed > 0) users.push(`${formatCount(summary.usersFailed)} could not be listed`);
  if (summary.usersNotAttempted > 0) users.push(`${formatCount(summary.usersNotAttempted)} not attempted`);
  const matched = `${formatCount(summary.sessionsMatched)} session${summary.sessionsMatched === 1 ? "" : "s"}`;
  const failures = describeFailures(summary.failuresByCode);
  switch (summary.pass) {
    case "dry-run":
      return `Dry run of ${scope}: ${users.join(", ")}; ${matched} would be revoked. Nothing was deleted.`;
    case "count":
      return `Counted ${scope}: ${users.join(", ")}; ${matched} matched. Nothing was revoked.`;
    case "revoke": {
      const counts = [
        `revoked ${formatCount(summary.sessionsRevoked)}`,
        `already absent ${formatCount(summary.sessionsAlreadyAbsent)}`,
        `failed ${formatCount(summary.sessionsFailed)}`,
      ];
      if (summary.interrupted !== null || summary.sessionsNotAttempted > 0)
        counts.push(`not attempted ${formatCount(summary.sessionsNotAttempted)}`);
      return `Swept ${scope}: ${users.join(", ")}; ${matched} matched: ${counts.join(", ")}${failures ? ` (failures: ${failures})` : ""}.`;
    }
  }
}

/** "population P in environment E", "users matching FILTER in environment E", "all users of environment E". */
function selectionText(plan: SweepPlan): string {
  const users = plan.users;
  if ("populationId" in users) return `population ${users.populationId} in environment ${plan.environmentId}`;
  if ("userFilter" in users)
    return `users matching ${printable(users.userFilter)} in environment ${plan.environmentId}`;
  return `all users of environment ${plan.environmentId}`;
}

/** "all sessions", or "sessions created before T, last signed on before T, from 203.0.113.0/24 or 2001:db8::/32". */
function criteriaText(criteria: SessionCriteria): string {
  const parts: string[] = [];
  if (criteria.createdBefore !== undefined) parts.push(`created before ${criteria.createdBefore}`);
  if (criteria.lastSignOnBefore !== undefined) parts.push(`last signed on before ${criteria.lastSignOnBefore}`);
  if (criteria.remoteIps !== undefined) parts.push(`from ${criteria.remoteIps.join(" or ")}`);
  return parts.length === 0 ? "all sessions" : `sessions ${parts.join(", ")}`;
}

/** The columns of the dry-run table. */
export const DRY_RUN_COLUMNS = ["user", "session", "createdAt", "lastSignOn.at", "remoteIp"];

/** Widths of the dry-run table's columns but the last: ids are 36 characters, times 24 (`2026-03-01T12:00:00.000Z`). Longer (escaped) cells push the row. */
const DRY_RUN_WIDTHS = [36, 36, 24, 24];

/**
 * What a dry run would revoke, written as it is found (memory stays bounded
 * at any population size): a table with fixed widths, or the `matched` array
 * opening the `--json` document, whose rest `finish` writes.
 */
class Listing {
  private rows = 0;

  constructor(
    private readonly io: CliIo,
    private readonly json: boolean,
  ) {
    if (json) io.stdout.write('{\n  "matched": [');
  }

  /** One matching session; `session` holds PingOne's fields when the client kept them. */
  add(userId: string, sessionId: string, session: Session | undefined): void {
    const s: Session = session ?? decodeSession({ id: sessionId });
    if (this.json) {
      const entry = {
        userId,
        sessionId,
        createdAt: field(s.wire, "createdAt") ?? null,
        lastSignOnAt: field(s.wire, "lastSignOn", "at") ?? null,
        remoteIps: [...new Set(s.addresses)],
      };
      this.io.stdout.write(`${this.rows === 0 ? "" : ","}\n    ${formatJson(entry, 0)}`);
    } else {
      if (this.rows === 0) writeLine(this.io.stdout, fixedRow(DRY_RUN_COLUMNS));
      const [, createdAt, signOnAt, , remoteIp] = sessionRows([s])[0];
      writeLine(this.io.stdout, fixedRow([printable(userId), printable(sessionId), createdAt, signOnAt, remoteIp]));
    }
    this.rows++;
  }

  /** Closes the `matched` array (the document goes on with `failures` and `summary`). */
  end(): void {
    if (this.json) this.io.stdout.write(`${this.rows === 0 ? "" : "\n  "}],`);
  }
}

function fixedRow(cells: string[]): string {
  return cells
    .map((cell, i) => (i < DRY_RUN_WIDTHS.length ? cell.padEnd(DRY_RUN_WIDTHS[i]) : cell))
    .join("  ")
    .trimEnd();
}

/**
 * The status line of a pass on a terminal's stderr: users scanned (of how
 * many, when a count before gave the number), sessions revoked or matched,
 * the request rate, and an ETA only when the total is known. Redrawn at most
 * every `REDRAW_MS`, and once more at the end.
 */
class StatusLine {
  private readonly startedAt: number;
  private readonly requestsBefore: number;
  private lastDrawn = -Infinity;
  private last: [number, number] = [0, 0];

  constructor(
    private readonly client: PingOneClient,
    private readonly io: CliIo,
    private readonly progress: Progress,
    private readonly verb: "revoked" | "matched",
    private readonly usersTotal: number | undefined,
    private readonly wanted: boolean,
  ) {
    this.startedAt = this.now();
    this.requestsBefore = this.requests();
  }

  update(usersScanned: number, sessions: number): void {
    this.last = [usersScanned, sessions];
    if (!this.shown || this.now() - this.lastDrawn < REDRAW_MS) return;
    this.draw();
  }

  /** The final figures, then the line is erased. */
  done(): void {
    if (!this.shown) return;
    this.draw();
    this.progress.clear();
  }

  private draw(): void {
    const elapsedMs = this.now() - this.startedAt;
    const [usersScanned, sessions] = this.last;
    const rate = elapsedMs >= 500 ? ((this.requests() - this.requestsBefore) * 1000) / elapsedMs : undefined;
    const etaMs =
      this.usersTotal !== undefined && usersScanned > 0 && elapsedMs >= 500
        ? (Math.max(0, this.usersTotal - usersScanned) * elapsedMs) / usersScanned
        : undefined;
    this.progress.show(
      sweepStatus({
        usersScanned,
        usersTotal: this.usersTotal,
        sessions,
        verb: this.verb,
        requestsPerSecond: rate,
        etaMs,
      }),
    );
    this.lastDrawn = this.now();
  }

  private get shown(): boolean {
    return this.wanted && this.progress.active;
  }

  private now(): number {
    return (this.io.clock ?? systemClock).now();
  }

  private requests(): number {
    const stats = this.client.stats();
    return stats.apiRequests + stats.tokenRequests;
  }
}

/** What the status line shows. */
export interface SweepStatus {
  usersScanned: number;
  /** Users this pass will scan, when a count before it gave the number. */
  usersTotal?: number;
  /** Sessions revoked (or matched, in a count or dry run). */
  sessions: number;
  verb: "revoked" | "matched";
  /** Requests sent per second since the pass began, once that is meaningful. */
  requestsPerSecond?: number;
  /** Time left, from the users left and the pace so far; only with `usersTotal`. */
  etaMs?: number;
}

/** "users scanned 1,200 of 2,000, sessions revoked 4,000, 85 req/s, ETA 1 min 05 s": each part only when known. */
export function sweepStatus(s: SweepStatus): string {
  const parts = [
    `users scanned ${formatCount(s.usersScanned)}${s.usersTotal !== undefined ? ` of ${formatCount(s.usersTotal)}` : ""}`,
    `sessions ${s.verb} ${formatCount(s.sessions)}`,
  ];
  if (s.requestsPerSecond !== undefined) parts.push(`${formatCount(Math.round(s.requestsPerSecond))} req/s`);
  if (s.etaMs !== undefined) parts.push(`ETA ${duration(s.etaMs)}`);
  return parts.join(", ");
}

/** "42 s", "3 min 05 s", "1 h 02 min". */
function duration(ms: number): string {
  const total = Math.ceil(ms / 1000);
  if (total < 60) return `${total} s`;
  if (total < 3600) return `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, "0")} s`;
  return `${Math.floor(total / 3600)} h ${String(Math.floor((total % 3600) / 60)).padStart(2, "0")} min`;
}
