/**
 * UserSessionsRevocation, the real implementation: ensure-absent for every session of a user
 * (optionally only those created before a time), as a definition of the one lifecycle
 * (`ensureAbsent`). PingOne has no "delete all sessions" call, so each operation lists the
 * user's sessions and deletes the matching ones. Reads top to bottom as the types, the
 * definition (fields, id, parser, revoke, observe), then the provider built from it.
 */
import type { dynamic } from "@pulumi/pulumi";
import { PingOneClient } from "../client/client";
import { matchingSessions, revokeUserSessions } from "../client/bulk";
import { UserRef } from "../client/ids";
import { BulkRevocationError } from "./errors";
import { ensureAbsent, EnsureAbsentDefinition, joinedIds, RecordedState, RevocationInputs } from "./lifecycle";
import { Parsed, parseConnection, parseCreatedBefore, parseIds, PropertyBag } from "./common";

/** The properties that identify the user; changing either targets another user. */
const USER_KEYS = ["environmentId", "userId"] as const;

/** The inputs of a UserSessionsRevocation, as `check` accepts them. */
export interface UserSessionsRevocationInputs extends UserRef, RevocationInputs {
  /** Only sessions created strictly before this ISO 8601 date-time; absent: every session. */
  createdBefore?: string;
}

/** What create and update record of a UserSessionsRevocation, beside its inputs and `RecordedState`. */
export interface UserSessionsRevocationRecord {
  /** Sessions the last create or update deleted. */
  revokedSessionIds: string[];
  /** Matching sessions the last refresh found; empty after create and update. */
  remainingSessionIds: string[];
}

/** The outputs stored in state. */
export interface UserSessionsRevocationOutputs extends UserRef, UserSessionsRevocationRecord, RecordedState {
  /** The cutoff, when one was given. */
  createdBefore?: string;
}

/**
 * A UserSessionsRevocation: another user or environment replaces; a new `createdBefore` updates.
 * Create, update and delete list the user's sessions and delete the matching ones; read lists
 * again to find sessions that appeared since (a sign-on since).
 */
export const userSessionsRevocationDefinition: EnsureAbsentDefinition<
  UserSessionsRevocationInputs,
  UserSessionsRevocationRecord
> = {
  kind: "UserSessionsRevocation",
  inputs: [...USER_KEYS, "createdBefore", "connection"],
  requiredInputs: USER_KEYS,
  outputs: [
    ...USER_KEYS,
    "createdBefore",
    "revokedSessionIds",
    "remainingSessionIds",
    "present",
    "checkedAt",
    "connection",
  ],
  ids: USER_KEYS,
  replaces: USER_KEYS,
  updates: ["createdBefore"],
  id: joinedIds(USER_KEYS),
  parse: parseUserSessionsRevocation,
  async revoke(client, inputs) {
    return {
      revokedSessionIds: await revokeMatching(client, userOf(inputs), inputs.createdBefore),
      remainingSessionIds: [],
    };
  },
  async observe(client, inputs) {
    const remaining = (await matchingSessions(client, userOf(inputs), inputs.createdBefore)).map((s) => s.id);
    return { remainingSessionIds: remaining, present: remaining.length > 0 };
  },
};

/** The provider: Pulumi's typed contract, the one lifecycle over the definition above. */
export const userSessionsRevocation: dynamic.ResourceProvider<
  UserSessionsRevocationInputs,
  UserSessionsRevocationOutputs
> = ensureAbsent(userSessionsRevocationDefinition);

/**
 * The one reading of a UserSessionsRevocation's property bag, inputs or stored outputs alike.
 * Stored outputs may lack the ids (then `id` gives them) and may hold credentials an older
 * version stored (ignored).
 */
function parseUserSessionsRevocation(bag: PropertyBag, id?: string): Parsed<UserSessionsRevocationInputs> {
  const ids = parseIds(USER_KEYS, bag, id);
  const createdBefore = parseCreatedBefore(bag);
  const connection = parseConnection(bag);
  return {
    value: { ...ids.value, createdBefore: createdBefore.value, connection: connection.value },
    failures: [...ids.failures, ...createdBefore.failures, ...connection.failures],
  };
}

/**
 * Lists, filters and deletes every match (see `revokeUserSessions`). Every deletion is attempted
 * before any failure is reported, so one bad session does not leave the others alive; then a
 * `BulkRevocationError` reports them. Returns the ids PingOne actually deleted.
 */
async function revokeMatching(
  client: PingOneClient,
  user: UserRef,
  createdBefore: string | undefined,
): Promise<string[]> {
  const outcome = await revokeUserSessions(client, user, createdBefore);
  if (outcome.failed.length > 0) throw new BulkRevocationError(user, outcome);
  return outcome.revoked;
}

function userOf(value: UserRef): UserRef {
  return { environmentId: value.environmentId, userId: value.userId };
}
