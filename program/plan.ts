/**
 * Reads the root program's stack config (`pingone-sessions:revoke`) into a
 * checked list of revocations. Kept apart from the program so the rules are
 * tested without a Pulumi engine.
 */
import { invalidDateTimeReason, invalidIdReason } from "../provider/client/inputs";

/** One session to revoke. */
export interface SessionTarget {
  kind: "session";
  environmentId: string;
  userId: string;
  sessionId: string;
}

/** Every session of a user (optionally only those created before a time). */
export interface UserTarget {
  kind: "user";
  environmentId: string;
  userId: string;
  createdBefore?: string;
}

/** One entry of the plan. */
export type RevocationTarget = SessionTarget | UserTarget;

/**
 * Checks `raw` (the parsed config value) and returns one target per entry.
 * Throws an Error naming the offending path (`revoke[2].userId`) and what
 * it should hold; a duplicate entry is an error too, since two resources
 * would fight over one session.
 */
export function planRevocations(raw: unknown, key = "revoke"): RevocationTarget[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw))
    throw new Error(`${key} must be a list of {environmentId, userId, sessionId?, createdBefore?} entries`);
  const seen = new Set<string>();
  return raw.map((entry, index) => {
    const at = `${key}[${index}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new Error(`${at} must be an object with environmentId, userId and optionally sessionId or createdBefore`);
    }
    const e = entry as Record<string, unknown>;
    const unknownKeys = Object.keys(e).filter(
      (k) => !["environmentId", "userId", "sessionId", "createdBefore"].includes(k),
    );
    if (unknownKeys.length > 0) throw new Error(`${at} has unknown keys: ${unknownKeys.join(", ")}`);
    for (const field of ["environmentId", "userId", ...(e.sessionId !== undefined ? ["sessionId"] : [])]) {
      const reason = invalidIdReason(field, e[field]);
      if (reason) throw new Error(`${at}.${reason}`);
    }
    if (e.sessionId !== undefined && e.createdBefore !== undefined) {
      throw new Error(
        `${at} names a sessionId and createdBefore: createdBefore applies only to a whole user's sessions`,
      );
    }
    const target: RevocationTarget =
      e.sessionId !== undefined
        ? {
            kind: "session",
            environmentId: String(e.environmentId),
            userId: String(e.userId),
            sessionId: String(e.sessionId),
          }
        : {
            kind: "user",
            environmentId: String(e.environmentId),
            userId: String(e.userId),
            ...createdBefore(e.createdBefore, at),
          };
    const identity = resourceName(target);
    if (seen.has(identity)) throw new Error(`${at} repeats an earlier entry (${identity})`);
    seen.add(identity);
    return target;
  });
}

/** A stable resource name: the same target keeps its URN whatever its position in the list. */
export function resourceName(target: RevocationTarget): string {
  return target.kind === "session" ? `session-${target.sessionId}` : `user-${target.environmentId}-${target.userId}`;
}

/** The provider's own rule for `createdBefore`, so an entry this accepts is never refused by `check`. */
function createdBefore(value: unknown, at: string): { createdBefore?: string } {
  if (value === undefined) return {};
  const reason = invalidDateTimeReason("createdBefore", value);
  if (reason) throw new Error(`${at}.${reason}`);
  return { createdBefore: value as string };
}
