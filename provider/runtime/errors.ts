/**
 * Errors the runtime raises itself. Each has a stable `code` to branch on,
 * keeps what caused it as `cause`, and carries the package's brand, so
 * `isInstance` recognises it even when two copies of the package are
 * loaded (a program's and the provider host's), where `instanceof` fails.
 */
import { BulkRevocation } from "../client/bulk";
import type { PingOneApiError } from "../client/errors";
import { UserRef } from "../client/ids";
import { printable } from "../client/text";

/** The property every error of this package sets to `true`, as Pulumi's errors set `__pulumiRunError`. */
export const ERROR_BRAND = "__pingoneSessionsError";

/** True when `value` carries the package's brand and the given `code`, whichever copy of the package made it. */
export function hasBrand(value: unknown, code: string): boolean {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[ERROR_BRAND] === true && (value as { code?: unknown }).code === code;
}

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
export class BulkRevocationError extends Error {
  /** The code every `BulkRevocationError` carries. */
  static readonly CODE = "SESSIONS_NOT_REVOKED";

  /** Always `BulkRevocationError`. */
  override readonly name = "BulkRevocationError";
  /** Stable: `SESSIONS_NOT_REVOKED`. */
  readonly code = BulkRevocationError.CODE;
  /** The package's brand; see `isInstance`. */
  readonly [ERROR_BRAND] = true;
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
    const rest = others.length > 0 ? ` The other sessions not revoked: ${others.map((f) => f.sessionId).join(", ")}.` : "";
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
    return hasBrand(value, BulkRevocationError.CODE);
  }
}

/** "2 ACCESS_FAILED (HTTP 403), 1 no answer (ECONNRESET)": most frequent first, then in order of appearance. */
function countByKind(failed: readonly FailedSession[]): string {
  const counts = new Map<string, number>();
  for (const { error } of failed) {
    const kind = failureKind(error);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([, a], [, b]) => b - a)
    .map(([kind, count]) => `${count} ${kind}`)
    .join(", ");
}

/** A failure's kind in a few words: PingOne's code and the status, or the network code when nothing answered. */
function failureKind(error: unknown): string {
  const api = asApiError(error);
  if (api) {
    if (api.status !== undefined) return printable(api.code ? `${api.code} (HTTP ${api.status})` : `HTTP ${api.status}`);
    return printable(api.networkCode ? `no answer (${api.networkCode})` : "no answer");
  }
  return error instanceof Error ? printable(error.name) : "unknown failure";
}

/** A `PingOneApiError` made by any copy of the package, where `instanceof` sees only its own copy's class. */
function asApiError(error: unknown): Pick<PingOneApiError, "status" | "code" | "networkCode"> | undefined {
  return error instanceof Error && error.name === "PingOneApiError" ? (error as PingOneApiError) : undefined;
}
