/**
 * `pingone-sessions revoke`: one session, or every session of a user
 * (optionally only those created before a time), through the same
 * `revokeUserSessions` the provider uses: one client, deletions concurrent,
 * its pacer bounding the rate. A session already gone counts as success.
 */
import { PingOneClient } from "../../provider/client/client";
import { BulkRevocation, revokeUserSessions } from "../../provider/client/bulk";
import { PingOneApiError } from "../../provider/client/errors";
import { UserRef } from "../../provider/client/ids";
import { CliIo, EXIT_CODES, ExitCode, writeLine } from "../common";
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
  /** The session; null when the user's sessions could not even be listed. */
  sessionId: string | null;
  /** The HTTP status; null when nothing answered. */
  status: number | null;
  /** PingOne's error code (`ACCESS_FAILED`, ...). */
  code: string | null;
  /** PingOne's error id, to quote to Ping support. */
  id: string | null;
  /** The whole message: what failed, why, and what to do. One line. */
  message: string;
}

/** The outcome of a `revoke`, exactly the object `--json` prints. */
export interface RevocationReport {
  /** Sessions PingOne deleted now. */
  revoked: string[];
  /** Sessions that were already gone (404), which is success. */
  alreadyAbsent: string[];
  /** Sessions that could not be revoked. */
  failed: FailedRevocation[];
}

/**
 * Revokes what `options` selects through `client` and prints one line per
 * session (failures on stderr) and a summary, or the JSON report. Every
 * deletion is attempted before the result is decided, so one failure does
 * not leave the other sessions alive. Returns 0 when nothing failed, 1
 * otherwise; never throws for a PingOne failure.
 */
export async function revokeCommand(client: PingOneClient, options: RevokeOptions, io: CliIo): Promise<ExitCode> {
  const { user, selection } = options;
  const report: RevocationReport = { revoked: [], alreadyAbsent: [], failed: [] };
  if (selection.kind === "one") {
    try {
      const result = await client.deleteSession({ ...user, sessionId: selection.sessionId });
      (result === "deleted" ? report.revoked : report.alreadyAbsent).push(selection.sessionId);
    } catch (error) {
      report.failed.push(failureOf(selection.sessionId, error));
    }
    return finish(report, [selection.sessionId], options, io);
  }

  const progress = new Progress(io.stderr, io.isTTY && !options.json);
  let outcome: BulkRevocation;
  try {
    outcome = await revokeUserSessions(client, user, selection.createdBefore, (done, total) => progress.update(done, total));
  } catch (error) {
    // The sessions could not even be listed.
    progress.clear();
    report.failed.push(failureOf(null, error));
    return finish(report, undefined, options, io);
  }
  progress.clear();
  report.revoked.push(...outcome.revoked);
  report.alreadyAbsent.push(...outcome.alreadyAbsent);
  report.failed.push(...outcome.failed.map((f) => failureOf(f.sessionId, f.error)));
  const ids = [...outcome.revoked, ...outcome.alreadyAbsent, ...outcome.failed.map((f) => f.sessionId)];
  return finish(report, ids, options, io);
}

/** Prints the report and decides the exit code; `ids` is undefined when the sessions could not be listed. */
function finish(report: RevocationReport, ids: string[] | undefined, options: RevokeOptions, io: CliIo): ExitCode {
  for (const failure of report.failed) {
    writeLine(io.stderr, failure.sessionId === null ? `pingone-sessions: ${failure.message}` : `failed ${failure.sessionId}: ${failure.message}`);
  }
  if (options.json) {
    writeLine(io.stdout, formatJson(report));
  } else if (ids !== undefined) {
    const revoked = new Set(report.revoked);
    const absent = new Set(report.alreadyAbsent);
    for (const id of ids) {
      if (revoked.has(id)) writeLine(io.stdout, `revoked ${id}`);
      else if (absent.has(id)) writeLine(io.stdout, `already absent ${id}`);
    }
    writeLine(io.stdout, summary(report, ids.length, options));
  }
  return report.failed.length > 0 ? EXIT_CODES.failed : EXIT_CODES.ok;
}

/** "Revoked 3, already absent 1, failed 0 (of 4 sessions of user U in environment E)." */
function summary(report: RevocationReport, total: number, options: RevokeOptions): string {
  const { selection, user } = options;
  const what =
    selection.kind === "one"
      ? "1 session"
      : `${total} session${total === 1 ? "" : "s"}${selection.createdBefore !== undefined ? ` created before ${selection.createdBefore}` : ""}`;
  return (
    `Revoked ${report.revoked.length}, already absent ${report.alreadyAbsent.length}, failed ${report.failed.length} ` +
    `(of ${what} of user ${user.userId} in environment ${user.environmentId}).`
  );
}

function failureOf(sessionId: string | null, error: unknown): FailedRevocation {
  if (error instanceof PingOneApiError) {
    return { sessionId, status: error.status ?? null, code: error.code ?? null, id: error.id ?? null, message: oneLine(error.message) };
  }
  return { sessionId, status: null, code: null, id: null, message: oneLine(error instanceof Error ? error.message : String(error)) };
}
