/**
 * `pingone-sessions revoke`: one session, or every session of one or more
 * users (optionally only those created before a time), through the same
 * `revokeUserSessions` the provider uses: one client for the whole run (one
 * token, one warm pacer bounding the rate), a few users at a time, each
 * user's deletions in one wave. A session already gone counts as success.
 * When the run is interrupted, the client sends nothing new, and the report
 * says which sessions were revoked and which were never attempted.
 */
import { PingOneClient } from "../../provider/client/client";
import { BulkRevocation, revokeUserSessions } from "../../provider/client/bulk";
import { UserRef } from "../../provider/client/ids";
import { CliIo, EXIT_CODES, ExitCode, InterruptSignal, interruptedBy, neverSent, writeLine } from "../common";
import { FailureFields, failureFields, formatCount, formatJson, Progress } from "../output";

/** Which sessions to revoke. */
export type RevokeSelection =
  /** One session, by id (of exactly one user). */
  | { kind: "one"; sessionId: string }
  /** Every session of each user, or only those created strictly before `createdBefore` (ISO 8601). */
  | { kind: "all"; createdBefore?: string };

/** What `revoke` was asked for, checked by the argument parser. */
export interface RevokeOptions {
  /** The environment holding the users (already checked to be a UUID). */
  environmentId: string;
  /** The users whose sessions are revoked, in the order given, without repeats (UUIDs); exactly one for `kind: "one"`. */
  userIds: string[];
  /** One session or all (matching) sessions. */
  selection: RevokeSelection;
  /** Print one JSON object instead of lines. */
  json: boolean;
}

/** One session that could not be revoked, as `--json` prints it. */
export interface FailedRevocation extends FailureFields {
  /** The session. */
  sessionId: string;
}

/** What happened to one user's sessions. */
export interface UserRevocationReport {
  /** The user. */
  userId: string;
  /** Sessions PingOne deleted now (it answered 204). */
  revoked: string[];
  /** Sessions that were already gone (PingOne's 404), which is success. */
  alreadyAbsent: string[];
  /** Sessions that could not be revoked. */
  failed: FailedRevocation[];
  /** Sessions for which no request was sent because the run was interrupted: still alive; run again to revoke them. */
  notAttempted: string[];
  /**
   * Why the user's sessions could not be listed (nothing of theirs was
   * revoked), or null. With failure `ABORTED`, the run was interrupted before
   * the list was asked for.
   */
  error: FailureFields | null;
}

/**
 * The outcome of a `revoke`, exactly the object `--json` prints: every
 * user's sessions together at the top (as for one user), and `users`, the
 * same grouped by user in the order given.
 */
export interface RevocationReport {
  /** Sessions PingOne deleted now (it answered 204). */
  revoked: string[];
  /** Sessions that were already gone (PingOne's 404), which is success. */
  alreadyAbsent: string[];
  /** Sessions that could not be revoked. */
  failed: (FailedRevocation & { userId: string })[];
  /** Sessions for which no request was sent because the run was interrupted: still alive; run again to revoke them. */
  notAttempted: string[];
  /** The signal that interrupted the run, or null when it ran to the end. */
  interrupted: InterruptSignal | null;
  /** Per user, in the order given. */
  users: UserRevocationReport[];
}

/** Users worked on at once; the client's pacer bounds the request rate whatever this is. */
export const USER_CONCURRENCY = 16;

/**
 * Revokes what `options` selects through `client` and prints one line per
 * session (failures on stderr) and a summary per user (and a total for
 * several), or the JSON report. Every deletion is attempted before the result
 * is decided, so one failure does not leave the other sessions alive; after
 * an interrupt, the ones not yet sent are reported as not attempted. Returns
 * 0 when nothing failed or was left, 1 otherwise (the caller turns an
 * interrupt into 130 or 143). With one user, throws when that user's sessions
 * could not be listed (a `PingOneApiError`); with several, such a user is
 * reported and the others are still revoked.
 */
export async function revokeCommand(
  client: PingOneClient,
  options: RevokeOptions,
  io: CliIo,
  progress: Progress,
): Promise<ExitCode> {
  const { environmentId, userIds, selection } = options;
  let reports: UserRevocationReport[];
  if (selection.kind === "one") {
    reports = [
      userReport(
        userIds[0],
        await revokeOne(client, { environmentId, userId: userIds[0], sessionId: selection.sessionId }),
      ),
    ];
  } else if (userIds.length === 1) {
    try {
      const outcome = await revokeUserSessions(
        client,
        { environmentId, userId: userIds[0] },
        selection.createdBefore,
        (done, total) => progress.update(done, total),
      );
      reports = [userReport(userIds[0], outcome)];
    } finally {
      progress.clear();
    }
  } else {
    try {
      reports = await revokeEach(client, options, progress);
    } finally {
      progress.clear();
    }
  }
  const report: RevocationReport = {
    revoked: reports.flatMap((u) => u.revoked),
    alreadyAbsent: reports.flatMap((u) => u.alreadyAbsent),
    failed: reports.flatMap((u) => u.failed.map((f) => ({ userId: u.userId, ...f }))),
    notAttempted: reports.flatMap((u) => u.notAttempted),
    interrupted: interruptedBy(io) ?? null,
    users: reports,
  };
  return finish(report, options, io);
}

/** One DELETE; its failure is reported, not thrown. */
async function revokeOne(client: PingOneClient, ref: UserRef & { sessionId: string }): Promise<BulkRevocation> {
  const outcome: BulkRevocation = { revoked: [], alreadyAbsent: [], failed: [] };
  try {
    const result = await client.deleteSession(ref);
    (result === "deleted" ? outcome.revoked : outcome.alreadyAbsent).push(ref.sessionId);
  } catch (error) {
    outcome.failed.push({ sessionId: ref.sessionId, error });
  }
  return outcome;
}

/**
 * Every user's sessions, `USER_CONCURRENCY` users at a time through the one
 * client; a user whose list fails is reported with its error and the others
 * go on. The bar counts users done.
 */
async function revokeEach(
  client: PingOneClient,
  options: RevokeOptions,
  progress: Progress,
): Promise<UserRevocationReport[]> {
  const { environmentId, userIds, selection } = options;
  const createdBefore = selection.kind === "all" ? selection.createdBefore : undefined;
  const reports: UserRevocationReport[] = new Array(userIds.length);
  let next = 0;
  let done = 0;
  progress.update(0, userIds.length);
  const worker = async () => {
    for (let i = next++; i < userIds.length; i = next++) {
      const userId = userIds[i];
      try {
        reports[i] = userReport(userId, await revokeUserSessions(client, { environmentId, userId }, createdBefore));
      } catch (error) {
        reports[i] = {
          userId,
          revoked: [],
          alreadyAbsent: [],
          failed: [],
          notAttempted: [],
          error: failureFields(error),
        };
      }
      progress.update(++done, userIds.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(USER_CONCURRENCY, userIds.length) }, worker));
  return reports;
}

/** One user's outcome, the sessions never sent set apart as not attempted. */
function userReport(userId: string, outcome: BulkRevocation): UserRevocationReport {
  const report: UserRevocationReport = {
    userId,
    revoked: outcome.revoked,
    alreadyAbsent: outcome.alreadyAbsent,
    failed: [],
    notAttempted: [],
    error: null,
  };
  for (const { sessionId, error } of outcome.failed) {
    if (neverSent(error)) report.notAttempted.push(sessionId);
    else report.failed.push({ sessionId, ...failureFields(error) });
  }
  return report;
}

/** Prints the report and decides the exit code. */
function finish(report: RevocationReport, options: RevokeOptions, io: CliIo): ExitCode {
  const several = report.users.length > 1;
  for (const user of report.users) {
    if (user.error !== null && user.error.failure !== "ABORTED")
      writeLine(io.stderr, `failed user ${user.userId}: ${user.error.message}`);
    for (const failure of user.failed)
      writeLine(io.stderr, `failed ${failure.sessionId}${several ? ` (user ${user.userId})` : ""}: ${failure.message}`);
  }
  const usersNotListed = report.users.filter((u) => u.error !== null);
  const usersNotAttempted = usersNotListed.filter((u) => u.error?.failure === "ABORTED").length;
  if (report.interrupted !== null) {
    const users =
      usersNotAttempted > 0
        ? `, and ${formatCount(usersNotAttempted)} user${usersNotAttempted === 1 ? "'s sessions were" : "s' sessions were"} never listed`
        : "";
    writeLine(
      io.stderr,
      `pingone-sessions: interrupted by ${report.interrupted}: no request was sent after it, and the requests in flight were let finish; ` +
        `${report.notAttempted.length} session${report.notAttempted.length === 1 ? " was" : "s were"} not attempted${users}. Run the same command again to finish.`,
    );
  }
  if (options.json) {
    writeLine(io.stdout, formatJson(report));
  } else {
    for (const user of report.users) {
      if (several) writeLine(io.stdout, `user ${user.userId}`);
      for (const id of user.revoked) writeLine(io.stdout, `revoked ${id}`);
      for (const id of user.alreadyAbsent) writeLine(io.stdout, `already absent ${id}`);
      for (const id of user.notAttempted) writeLine(io.stdout, `not attempted ${id}`);
      writeLine(
        io.stdout,
        user.error === null
          ? userSummary(user, report.interrupted, options)
          : `Not listed: ${user.error.failure === "ABORTED" ? "not attempted (interrupted)" : "its sessions could not be listed"} (user ${user.userId} in environment ${options.environmentId}).`,
      );
    }
    if (several) writeLine(io.stdout, total(report, usersNotListed.length, options));
  }
  const failed = report.failed.length > 0 || report.notAttempted.length > 0 || usersNotListed.length > 0;
  return failed ? EXIT_CODES.failed : EXIT_CODES.ok;
}

/** "Revoked 3, already absent 1, failed 0 (of 4 sessions of user U in environment E)."; "not attempted N" is added when the run was interrupted. */
function userSummary(user: UserRevocationReport, interrupted: InterruptSignal | null, options: RevokeOptions): string {
  const { selection, environmentId } = options;
  const n = user.revoked.length + user.alreadyAbsent.length + user.failed.length + user.notAttempted.length;
  const what =
    selection.kind === "one" ? "1 session" : `${n} session${n === 1 ? "" : "s"}${createdBeforeText(options)}`;
  const text = counts(user, interrupted).join(", ");
  return `${text[0].toUpperCase()}${text.slice(1)} (of ${what} of user ${user.userId} in environment ${environmentId}).`;
}

/** "Total: revoked 5, already absent 0, failed 0 (of 6 sessions of 3 users in environment E; 1 user not listed)." */
function total(report: RevocationReport, notListed: number, options: RevokeOptions): string {
  const n = report.revoked.length + report.alreadyAbsent.length + report.failed.length + report.notAttempted.length;
  const users = report.users.length;
  const listed = notListed > 0 ? `; ${formatCount(notListed)} user${notListed === 1 ? "" : "s"} not listed` : "";
  return `Total: ${counts(report, report.interrupted).join(", ")} (of ${formatCount(n)} session${n === 1 ? "" : "s"}${createdBeforeText(options)} of ${formatCount(users)} users in environment ${options.environmentId}${listed}).`;
}

/** "revoked 3", "already absent 1", "failed 0", and "not attempted N" when the run was interrupted. */
function counts(
  of: Pick<UserRevocationReport, "revoked" | "alreadyAbsent" | "failed" | "notAttempted">,
  interrupted: InterruptSignal | null,
): string[] {
  const parts = [
    `revoked ${of.revoked.length}`,
    `already absent ${of.alreadyAbsent.length}`,
    `failed ${of.failed.length}`,
  ];
  if (interrupted !== null) parts.push(`not attempted ${of.notAttempted.length}`);
  return parts;
}

function createdBeforeText(options: RevokeOptions): string {
  return options.selection.kind === "all" && options.selection.createdBefore !== undefined
    ? ` created before ${options.selection.createdBefore}`
    : "";
}
