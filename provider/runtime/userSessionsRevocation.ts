/**
 * UserSessionsRevocation, the real implementation: ensure-absent for every
 * session of a user (optionally only those created before a time). PingOne
 * has no "delete all sessions" call, so each operation lists the user's
 * sessions and deletes the matching ones. Reads top to bottom as check,
 * diff, create, read, update, delete.
 */
import type * as pulumi from "@pulumi/pulumi";
import { PingOneClient } from "../client/client";
import { matchingSessions, revokeUserSessions } from "../client/bulk";
import { UserRef } from "../client/ids";
import { clientFor } from "./context";
import { CheckFailure, connectionFailures, connectionOf, idFailures, nowIso, Props, publicConnection, UNKNOWN_VALUE, withStoredConnection } from "./common";

/** The properties that identify the user; changing either targets another user. */
export const USER_KEYS = ["environmentId", "userId"] as const;

/** Validates ids, `createdBefore` and connection settings; no network call. */
export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const failures: CheckFailure[] = [...idFailures(news, [...USER_KEYS])];
  const createdBefore = news.createdBefore;
  if (createdBefore !== undefined && createdBefore !== null && createdBefore !== UNKNOWN_VALUE && (typeof createdBefore !== "string" || !isIsoTime(createdBefore))) {
    failures.push({ property: "createdBefore", reason: `createdBefore must be an ISO 8601 time such as 2026-11-28T12:00:00Z; got ${JSON.stringify(createdBefore)}` });
  }
  failures.push(...connectionFailures(news));
  return { inputs: news, failures };
}

/** Another user or environment replaces; a new `createdBefore`, or sessions found by refresh, update. No network call. */
export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const replaces = USER_KEYS.filter((key) => olds[key] !== news[key]);
  const changes = replaces.length > 0 || olds.present === true || (olds.createdBefore ?? null) !== (news.createdBefore ?? null);
  return { changes, replaces, deleteBeforeReplace: false };
}

/** Lists the user's sessions and revokes every matching one. */
export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const user = userRef(inputs);
  return { id: `${user.environmentId}/${user.userId}`, outs: await revokeAll(user, inputs) };
}

/** Lists again: `present` and `remainingSessionIds` report sessions that match now (a sign-on since). Keeps the id. */
export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const user = userRef(props, id);
  const client = withStoredConnection(() => clientFor(connectionOf(props)));
  const remaining = (await matchingSessions(client, user, createdBeforeOf(props))).map((s) => s.id);
  return { id, props: { ...props, ...user, remainingSessionIds: remaining, present: remaining.length > 0, checkedAt: nowIso() } };
}

/** Revokes what matches now: after drift, or with a new `createdBefore`. */
export async function update(_id: string, _olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: await revokeAll(userRef(news), news) };
}

/** Destroy revokes whatever matches at that moment: the environment-teardown job. */
export async function remove(id: string, props: Props): Promise<void> {
  const user = userRef(props, id);
  await revokeMatching(withStoredConnection(() => clientFor(connectionOf(props))), user, createdBeforeOf(props));
}

async function revokeAll(user: UserRef, inputs: Props): Promise<Props> {
  const revoked = await revokeMatching(clientFor(connectionOf(inputs)), user, createdBeforeOf(inputs));
  const createdBefore = createdBeforeOf(inputs);
  return {
    ...user,
    ...(createdBefore !== undefined ? { createdBefore } : {}),
    revokedSessionIds: revoked,
    remainingSessionIds: [],
    present: false,
    checkedAt: nowIso(),
    connection: publicConnection(inputs),
  };
}

/**
 * Lists, filters and deletes every match (see `revokeUserSessions`). Every
 * deletion is attempted before any failure is reported, so one bad session
 * does not leave the others alive. Returns the ids PingOne actually deleted.
 */
async function revokeMatching(client: PingOneClient, user: UserRef, createdBefore: string | undefined): Promise<string[]> {
  const outcome = await revokeUserSessions(client, user, createdBefore);
  if (outcome.failed.length > 0) {
    const total = outcome.revoked.length + outcome.alreadyAbsent.length + outcome.failed.length;
    const [first, ...others] = outcome.failed;
    const rest = others.length > 0 ? ` The other sessions that failed: ${others.map((f) => f.sessionId).join(", ")}.` : "";
    const text = first.error instanceof Error ? first.error.message : String(first.error);
    throw new Error(`${outcome.failed.length} of ${total} sessions of user ${user.userId} in environment ${user.environmentId} could not be revoked. First failure: ${text}${rest}`);
  }
  return outcome.revoked;
}

function createdBeforeOf(props: Props): string | undefined {
  const value = props.createdBefore;
  return typeof value === "string" && value !== "" ? value : undefined;
}

function userRef(props: Props, id?: string): UserRef {
  const [environmentId, userId] = (id ?? "").split("/");
  return { environmentId: String(props.environmentId ?? environmentId ?? ""), userId: String(props.userId ?? userId ?? "") };
}

/** A full ISO 8601 date-time with a zone, as `Date.parse` reads it. */
function isIsoTime(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value));
}
