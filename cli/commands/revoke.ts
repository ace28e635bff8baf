/**
 * `pingone-sessions revoke`: one session, or every session of a user
 * (optionally only those created before a time), through the same
 * `revokeUserSessions` the provider uses: one client, deletions concurrent,
 * its pacer bounding the rate. A session already gone counts as success.
 * When the run is interrupted, the client sends nothing new, and the report
 * says which sessions were revoked and which were never attempted.
 */
import { PingOneClient } from "../../provider/client/client";
import { BulkRevocation, revokeUserSessions } from "../../provider/client/bulk";
import { FailureCode, PingOneApiError } from "../../provider/client/errors";
import { UserRef } from "../../provider/client/ids";
import { printable } from "../../provider/client/text";
import { CliIo, EXIT_CODES, ExitCode, InterruptSignal, interruptedBy, writeLine } from "../common";
import { formatJson, oneLine, Progress } from "../output";

/** Which sessions to revoke. */
export type RevokeSelection =
  /** One session, by id. */
  | { kind: "one"; sessionId: string }
  /** Every session of the user, or only those created strictly before `createdBefore` (ISO 8601). */
  | { kind: "all"; createdBefore?: string };

/** What `revoke` was asked for, checked by the argument parser. */
export interface RevokeOptions {
  /** The user whose sessions are revoked (ids already checked to be UUIDs). */
  user: UserRef;
  /** One session or all (matching) sessions. */
  selection: RevokeSelection;
  /** Print one JSON object instead of lines. */
  json: boolean;
}

/** One session that could not be revoked, as `--json` prints it. Fields PingOne did not send are null. */
export interface FailedRevocation {
  /** The session. */
  sessionId: string;
  /** The HTTP status; null when nothing answered. */
  status: number | null;
  /** PingOne's error code (`ACCESS_FAILED`, ...). */
  code: string | null;
  /** PingOne's error id, to quote to Ping support. */
  id: string | null;
  /** Why, as the client's stable code (`HTTP_STATUS`, `NOT_PINGONE`, `NO_ANSWER`, ...); null for an error that is not the client's. */
  failure: FailureCode | null;
  /** The `X-Ping-External-Transaction-ID` sent, for Ping support; null for an error that is not the client's. */
  transactionId: string | null;
  /** The whole message: what failed, why, and what to do. One printable line. */
  message: string;
}

/** The outcome of a `revoke`, exactly the object `--json` prints. */
export interface RevocationReport {
  /** Sessions PingOne deleted now (it answered 204). */
  revoked: string[];
  /** Sessions that were already gone (PingOne's 404), which is success. */
  alreadyAbsent: string[];
  /** Sessions that could not be revoked. */
  failed: FailedRevocation[];
  /** Sessions for which no request was sent because the run was interrupted: still alive; run again to revoke them. */
  notAttempted: string[];
  /** The signal that interrupted the run, or null when it ran to the end. */
  interrupted: InterruptSignal | null;
}

/**
 * Revokes what `options` selects through `client` and prints one line per
 * session (failures on stderr) and a summary, or the JSON report. Every
 * deletion is attempted before the result is decided, so one failure does
 * not leave the other sessions alive; after an interrupt, the ones not yet
 * sent are reported as not attempted. Returns 0 when nothing failed or was
 * left, 1 otherwise (the caller turns an interrupt into 130 or 143). Throws
 * only when the sessions could not be listed (a `PingOneApiError`).
 */
export async function revokeCommand(client: PingOneClient, options: RevokeOptions, io: CliIo, progress: Progress): Promise<ExitCode> {
  const { user, selection } = options;
  const report: RevocationReport = { revoked: [], alreadyAbsent: [], failed: [], notAttempted: [], interrupted: null };
  let outcome: BulkRevocation;
  if (selection.kind === "one") {
    outcome = { revoked: [], alreadyAbsent: [], failed: [] };
    try {
      const result = await client.deleteSession({ ...user, sessionId: selection.sessionId });
      (result === "deleted" ? outcome.revoked : outcome.alreadyAbsent).push(selection.sessionId);
    } catch (error) {
      outcome.failed.push({ sessionId: selection.sessionId, error });
    }
  } else {
    try {
      outcome = await revokeUserSessions(client, user, selection.createdBefore, (done, total) => progress.update(done, total));
    } finally {
      progress.clear();
    }
  }
  report.revoked.push(...outcome.revoked);
  report.alreadyAbsent.push(...outcome.alreadyAbsent);
  for (const { sessionId, error } of outcome.failed) {
    if (neverSent(error)) report.notAttempted.push(sessionId);
    else report.failed.push(failureOf(sessionId, error));
  }
  report.interrupted = interruptedBy(io) ?? null;
  const ids = [...outcome.revoked, ...outcome.alreadyAbsent, ...outcome.failed.map((f) => f.sessionId)];
  return finish(report, ids, options, io);
}

/**
 * True when the client sent nothing at all for this session: it was
 * interrupted before its first attempt. A session whose DELETE was sent and
 * then retried into the interrupt is a failure, not "not attempted": what the
 * first attempt did is not known.
 */
function neverSent(error: unknown): boolean {
  return PingOneApiError.isInstance(error) && error.failure === "ABORTED" && error.attempts === 1;
}

/** Prints the report and decides the exit code. */
function finish(report: RevocationReport, ids: string[], options: RevokeOptions, io: CliIo): ExitCode {
  for (const failure of report.failed) writeLine(io.stderr, `failed ${failure.sessionId}: ${failure.message}`);
  if (report.interrupted !== null) {
    writeLine(
      io.stderr,
      `pingone-sessions: interrupted by ${report.interrupted}: no request was sent after it, and the requests in flight were let finish; ` +
        `${report.notAttempted.length} session${report.notAttempted.length === 1 ? " was" : "s were"} not attempted. Run the same command again to finish.`,
    );
  }
  if (options.json) {
    writeLine(io.stdout, formatJson(report));
  } else {
    const revoked = new Set(report.revoked);
    const absent = new Set(report.alreadyAbsent);
    const notAttempted = new Set(report.notAttempted);
    for (const id of ids) {
      if (revoked.has(id)) writeLine(io.stdout, `revoked ${id}`);
      else if (absent.has(id)) writeLine(io.stdout, `already absent ${id}`);
      else if (notAttempted.has(id)) writeLine(io.stdout, `not attempted ${id}`);
    }
    writeLine(io.stdout, summary(report, ids.length, options));
  }
  return report.failed.length > 0 || report.notAttempted.length > 0 ? EXIT_CODES.failed : EXIT_CODES.ok;
}

/** "Revoked 3, already absent 1, failed 0 (of 4 sessions of user U in environment E)."; "not attempted N" is added when the run was interrupted. */
function summary(report: RevocationReport, total: number, options: RevokeOptions): string {
  const { selection, user } = options;
  const what =
    selection.kind === "one"
      ? "1 session"
      : `${total} session${total === 1 ? "" : "s"}${selection.createdBefore !== undefined ? ` created before ${selection.createdBefore}` : ""}`;
  const counts = [`Revoked ${report.revoked.length}`, `already absent ${report.alreadyAbsent.length}`, `failed ${report.failed.length}`];
  if (report.interrupted !== null) counts.push(`not attempted ${report.notAttempted.length}`);
  return `${counts.join(", ")} (of ${what} of user ${user.userId} in environment ${user.environmentId}).`;
}

function failureOf(sessionId: string, error: unknown): FailedRevocation {
  if (PingOneApiError.isInstance(error)) {
    return {
      sessionId,
      status: error.status ?? null,
      code: error.code ?? null,
      id: error.id ?? null,
      failure: error.failure,
      transactionId: error.transactionId,
      message: printable(oneLine(error.message)),
    };
  }
  return { sessionId, status: null, code: null, id: null, failure: null, transactionId: null, message: printable(oneLine(error instanceof Error ? error.message : String(error))) };
}
