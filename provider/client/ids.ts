/**
 * PingOne resource identifiers. Every PingOne id (environment, user, session,
 * population) is a UUID; checking that before any request keeps path tricks such
 * as `../`, `%2e%2e`, `?` or `#` from ever reaching a URL.
 */
import { InvalidInputError } from "./errors";
import { quote } from "./text";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` is a string in PingOne's id form (a UUID, any case). */
export function isPingOneId(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

/**
 * Why `value` is not a valid PingOne id, or `undefined` when it is one.
 * The reason quotes at most 60 characters of the value, so a hostile
 * 10,000-character input cannot flood a log or an error.
 */
export function invalidIdReason(name: string, value: unknown): string | undefined {
  if (isPingOneId(value)) return undefined;
  if (value === undefined || value === null || value === "") {
    return `${name} is required: a PingOne id (a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e)`;
  }
  if (typeof value !== "string") {
    return `${name} must be a string holding a PingOne id (a UUID), not ${typeof value}`;
  }
  return `${name} must be a PingOne id (a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e); got ${quote(value)}`;
}

/** Identifies one session: the triple every session operation works on. */
export interface SessionRef {
  /** The environment holding the user. */
  environmentId: string;
  /** The user who owns the session. */
  userId: string;
  /** The session itself. */
  sessionId: string;
}

/** Identifies one user, whose sessions a bulk operation lists. */
export type UserRef = Omit<SessionRef, "sessionId">;

/** Throws an `InvalidInputError` (code `INVALID_ID`) naming the first field of `ref` that is not a PingOne id. */
export function assertIds(ref: Partial<SessionRef>, fields: (keyof SessionRef)[]): void {
  for (const field of fields) {
    const reason = invalidIdReason(field, ref[field]);
    if (reason) throw new InvalidInputError("INVALID_ID", reason);
  }
}
