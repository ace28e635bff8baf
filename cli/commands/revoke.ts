/**
 * `pingone-sessions revoke`: one session, or every session of a user
 * (optionally only those created before a time, chosen by the provider's own
 * `matching`). Each deletion goes through the one client, concurrently; its
 * pacer bounds the rate. A session already gone counts as success.
 */
import { PingOneClient } from "../../provider/client/client";
import { isNotFound, PingOneApiError } from "../../provider/client/errors";
import { UserRef } from "../../provider/client/ids";
import { matching } from "../../provider/runtime/userSessionsRevocation";
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
  const progress = new Progress(io.stderr, io.isTTY && !options.json && selection.kind === "all");
  const report: RevocationReport = { revoked: [], alreadyAbsent: [], failed: [] };

  const targets = await selectTargets(client, user, selection);
  if ("failure" in targets) {
    report.failed.push(targets.failure);
    return finish(report, undefined, options, io);
  }
  const ids = targets.ids;
  let done = 0;
  progress.update(done, ids.length);
  const results = await Promise.allSettled(
    ids.map(async (sessionId) => {
      try {
        return await client.deleteSession({ ...user, sessionId });
      } finally {
        progress.update(++done, ids.length);
      }
    }),
  );
  progress.clear();
  results.forEach((result, i) => {
    if (result.status === "rejected") report.failed.push(failureOf(ids[i], result.reason));
    else if (result.value === "deleted") report.revoked.push(ids[i]);
    else report.alreadyAbsent.push(ids[i]);
  });
  return finish(report, ids, options, io);
}

/**
 * The session ids to delete. For `all`, lists the user's sessions and keeps
 * those `matching` keeps; a user that does not exist (404) has none, as in
 * the provider. A list that fails otherwise is returned as the failure.
 */
async function selectTargets(client: PingOneClient, user: UserRef, selection: RevokeSelection): Promise<{ ids: string[] } | { failure: FailedRevocation }> {
  if (selection.kind === "one") return { ids: [selection.sessionId] };
  try {
    return { ids: matching(await client.listSessions(user), selection.createdBefore).map((s) => s.id) };
  } catch (error) {
    if (isNotFound(error)) return { ids: [] };
    return { failure: failureOf(null, error) };
  }
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
