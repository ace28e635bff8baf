/**
 * Revoking every session of a user. PingOne has no call for it, so it is a
 * list followed by one DELETE per matching session. The provider's
 * `UserSessionsRevocation` and the CLI's `revoke --all` both use this, so
 * they select and report sessions the same way.
 */
import { PingOneClient } from "./client";
import { sessionMatcher } from "./criteria";
import { isNotFound } from "./errors";
import { UserRef } from "./ids";
import type { Session } from "./types";

/** What a bulk revocation did, session by session. */
export interface BulkRevocation {
  /** Sessions PingOne deleted now. */
  revoked: string[];
  /** Sessions that went away between the list and their DELETE (404): success. */
  alreadyAbsent: string[];
  /** Sessions that could not be revoked, with the error (usually a `PingOneApiError`). */
  failed: { sessionId: string; error: unknown }[];
}

/**
 * Sessions created strictly before `createdBefore` (ISO 8601), or all of
 * them. A session whose `createdAt` is missing or cannot be read as a time
 * (null, a number, "yesterday-ish") matches: when in doubt, revoke.
 */
export function matching(sessions: Session[], createdBefore: string | undefined): Session[] {
  // The sweep's matcher: one rule for what a cutoff selects, whichever resource applies it.
  return createdBefore === undefined ? sessions : sessions.filter(sessionMatcher({ createdBefore }));
}

/**
 * The user's sessions that match. Only PingOne's own 404 on the list's first
 * page (the user does not exist) means "none"; every other failure throws.
 */
export async function matchingSessions(
  client: PingOneClient,
  user: UserRef,
  createdBefore?: string,
): Promise<Session[]> {
  try {
    return matching(await client.listSessions(user), createdBefore);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/**
 * Lists the user's matching sessions and deletes them concurrently through
 * `client` (its pacer bounds the rate). Every deletion is attempted, whatever
 * the others do, so one failure never leaves the rest alive; failures are
 * returned, not thrown. Throws only when the list itself fails (other than
 * 404). `onProgress` is told after each deletion.
 */
export async function revokeUserSessions(
  client: PingOneClient,
  user: UserRef,
  createdBefore?: string,
  onProgress?: (done: number, total: number) => void,
): Promise<BulkRevocation> {
  // The list is already free of repeats; the Set keeps a session from ever being attempted twice in one run.
  const targets = [...new Set((await matchingSessions(client, user, createdBefore)).map((s) => s.id))];
  let done = 0;
  onProgress?.(done, targets.length);
  const results = await Promise.allSettled(
    targets.map(async (sessionId) => {
      try {
        return await client.deleteSession({ ...user, sessionId });
      } finally {
        onProgress?.(++done, targets.length);
      }
    }),
  );
  const outcome: BulkRevocation = { revoked: [], alreadyAbsent: [], failed: [] };
  results.forEach((result, i) => {
    if (result.status === "rejected") outcome.failed.push({ sessionId: targets[i], error: result.reason });
    else if (result.value === "deleted") outcome.revoked.push(targets[i]);
    else outcome.alreadyAbsent.push(targets[i]);
  });
  return outcome;
}
