/**
 * Errors the runtime raises itself. Each is a `PingOneSessionsError` with a
 * stable `code` to branch on and keeps what caused it as `cause`; its
 * `isInstance` recognises it even when two copies of the package are loaded
 * (a program's and the provider host's), where `instanceof` fails.
 */
import { BulkRevocation } from "../client/bulk";
import { hasErrorCode, PingOneSessionsError } from "../client/errors";
import { describeFailures, failureGroup, SweepCounts, SweepResult } from "../client/sweep";
import { UserRef } from "../client/ids";
import { printable } from "../client/text";

/** One session a bulk revocation could not revoke, and why. */
export interface FailedSession {
  /** The session that is still there, as far as is known. */
  sessionId: string;
  /** What its DELETE ended in (usually a `PingOneApiError`). */
  error: unknown;
}

/**
 * Some sessions of a user could not be revoked; every other matching session
 * was attempted and those revoked stay revoked. The message counts the
 * failures by kind ("2 ACCESS_FAILED (HTTP 403), 1 no answer
 * (ECONNRESET)"), then gives the first failure in full, with PingOne's
 * advice, error id and transaction id. `cause` is that first failure.
 */
export class BulkRevocationError extends PingOneSessionsError {
  /** The code every `BulkRevocationError` carries. */
  static readonly CODE = "SESSIONS_NOT_REVOKED" as const;

  /** Always `BulkRevocationError`. */
  override readonly name = "BulkRevocationError";
  /** Stable: `SESSIONS_NOT_REVOKED`. */
  readonly code = BulkRevocationError.CODE;
  /** The user whose sessions were revoked. */
  readonly user: UserRef;
  /** Matching sessions found by the list. */
  readonly total: number;
  /** Sessions PingOne deleted during this operation. */
  readonly revoked: readonly string[];
  /** Sessions that were already gone when their DELETE arrived. */
  readonly alreadyAbsent: readonly string[];
  /** Sessions that could not be revoked, each with its error; the first is `cause`. */
  readonly failed: readonly FailedSession[];

  /** Builds the error from what `revokeUserSessions` returned; `outcome.failed` must not be empty. */
  constructor(user: UserRef, outcome: BulkRevocation) {
    const total = outcome.revoked.length + outcome.alreadyAbsent.length + outcome.failed.length;
    const [first, ...others] = outcome.failed;
    const firstText = first.error instanceof Error ? first.error.message : String(first.error);
    const rest =
      others.length > 0 ? ` The other sessions not revoked: ${others.map((f) => f.sessionId).join(", ")}.` : "";
    super(
      `${outcome.failed.length} of ${total} sessions of user ${user.userId} in environment ${user.environmentId} could not be revoked: ${countByKind(outcome.failed)}; ` +
        `${outcome.revoked.length} revoked, ${outcome.alreadyAbsent.length} already absent. ` +
        `First failure: ${printable(firstText)}${rest} Once the cause is fixed, run the operation again: what was revoked stays revoked.`,
      { cause: first.error },
    );
    this.user = { environmentId: user.environmentId, userId: user.userId };
    this.total = total;
    this.revoked = outcome.revoked;
    this.alreadyAbsent = outcome.alreadyAbsent;
    this.failed = outcome.failed;
  }

  /** True when `value` is a `BulkRevocationError` made by any copy of this package. */
  static isInstance(value: unknown): value is BulkRevocationError {
    return hasErrorCode(value, { [BulkRevocationError.CODE]: true });
  }
}

/** "2 ACCESS_FAILED (HTTP 403), 1 NO_ANSWER (ECONNRESET)": grouped as a sweep groups them (`failureGroup`), most frequent first. */
function countByKind(failed: readonly FailedSession[]): string {
  const counts: Record<string, number> = {};
  for (const { error } of failed) {
    const group = failureGroup(error);
    counts[group] = (counts[group] ?? 0) + 1;
  }
  return printable(describeFailures(counts));
}

/** What a sweep covered, as its error names it. */
export interface SweepScope {
  /** The environment swept. */
  environmentId: string;
  /** The users, in words: `population 1b9d…`, `users matching "username sw \"c-\""`, `all users`. */
  users: string;
  /** This runner's part of the users, when the sweep is sharded. */
  shard?: { index: number; count: number };
}

/**
 * A sweep (`PopulationSessionsRevocation`) that could not finish its job on
 * every user: some users' sessions could not be listed, or some matching
 * sessions could not be revoked. Raised only after every user and every
 * matching session was attempted; what was revoked stays revoked. The
 * message counts the failures by code ("57 ACCESS_FAILED (HTTP 403), 1
 * NO_ANSWER (ECONNRESET)"), then gives the first failure in full, with
 * PingOne's advice, error id and transaction id; `cause` is that first
 * failure. A refresh (a dry run) raises it when it could not count what
 * matches now.
 */
export class SweepIncompleteError extends PingOneSessionsError {
  /** The code every `SweepIncompleteError` carries. */
  static readonly CODE = "SWEEP_INCOMPLETE" as const;

  /** Always `SweepIncompleteError`. */
  override readonly name = "SweepIncompleteError";
  /** Stable: `SWEEP_INCOMPLETE`. */
  readonly code = SweepIncompleteError.CODE;
  /** What was swept. */
  readonly scope: SweepScope;
  /** True when nothing was to be deleted (a refresh counting what matches). */
  readonly dryRun: boolean;
  /** The sweep's counts; `usersFailed` and `sessionsFailed` say what is left undone. */
  readonly counts: SweepCounts;
  /** Failures by code, users and sessions together. */
  readonly failuresByCode: Readonly<Record<string, number>>;

  /**
   * Builds the error from what `sweepSessions` returned and the first
   * failure it reported; `result.usersFailed + result.sessionsFailed` must
   * be above 0.
   */
  constructor(scope: SweepScope, result: SweepResult, firstFailure: unknown, dryRun: boolean) {
    const undone = [
      result.usersFailed > 0
        ? `could not list the sessions of ${result.usersFailed} of ${result.usersScanned} users`
        : "",
      result.sessionsFailed > 0
        ? `could not revoke ${result.sessionsFailed} of ${result.sessionsMatched} matching sessions`
        : "",
    ].filter(Boolean);
    const quoted = result.firstFailures[0];
    const firstText =
      firstFailure instanceof Error ? firstFailure.message : quoted ? quoted.message : String(firstFailure);
    const done = dryRun
      ? `Every user was attempted; ${result.sessionsMatched} matching sessions were counted on the others, and the state is left as it was.`
      : `Every user and session was attempted: ${result.sessionsRevoked} revoked, ${result.sessionsAlreadyAbsent} already absent.`;
    const failures = result.usersFailed + result.sessionsFailed;
    const others = result.firstFailures
      .slice(1)
      .map((f) => (f.sessionId ? `session ${f.sessionId} of user ${f.userId}` : `user ${f.userId}`));
    const unnamed = failures - 1 - others.length;
    const rest =
      others.length > 0 ? ` Also failed: ${others.join(", ")}${unnamed > 0 ? ` and ${unnamed} more` : ""}.` : "";
    super(
      `${dryRun ? "The refresh of the sweep of" : "The sweep of"} ${describeScope(scope)} ${undone.join(" and ")}: ${printable(describeFailures(result.failuresByCode))}. ${done} ` +
        `First failure: ${printable(firstText)}${printable(rest)} Once the cause is fixed, run the operation again${dryRun ? "" : ": what was revoked stays revoked"}.`,
      { cause: firstFailure },
    );
    this.scope = { ...scope, ...(scope.shard ? { shard: { ...scope.shard } } : {}) };
    this.dryRun = dryRun;
    this.counts = {
      usersScanned: result.usersScanned,
      usersInOtherShards: result.usersInOtherShards,
      usersFailed: result.usersFailed,
      sessionsMatched: result.sessionsMatched,
      sessionsRevoked: result.sessionsRevoked,
      sessionsAlreadyAbsent: result.sessionsAlreadyAbsent,
      sessionsFailed: result.sessionsFailed,
    };
    this.failuresByCode = { ...result.failuresByCode };
  }

  /** True when `value` is a `SweepIncompleteError` made by any copy of this package. */
  static isInstance(value: unknown): value is SweepIncompleteError {
    return hasErrorCode(value, { [SweepIncompleteError.CODE]: true });
  }
}

/** "population 1b9d… in environment 6f6e… (shard 2 of 3, index 1)". */
function describeScope(scope: SweepScope): string {
  const shard = scope.shard ? ` (shard index ${scope.shard.index} of ${scope.shard.count})` : "";
  return `${printable(scope.users)} in environment ${scope.environmentId}${shard}`;
}
