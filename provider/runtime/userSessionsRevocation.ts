/**
 * UserSessionsRevocation, the real implementation: ensure-absent for every
 * session of a user (optionally only those created before a time). PingOne
 * has no "delete all sessions" call, so each operation lists the user's
 * sessions and deletes the matching ones. Reads top to bottom as the types,
 * the one parser of its property bags, then check, diff, create, read,
 * update, delete.
 */
import type { dynamic } from "@pulumi/pulumi";
import { PingOneClient } from "../client/client";
import { matchingSessions, revokeUserSessions } from "../client/bulk";
import { UserRef } from "../client/ids";
import { ConnectionOptions } from "../client/settings";
import { clientFor, clientForStored } from "./context";
import { BulkRevocationError } from "./errors";
import {
  nowIso,
  Parsed,
  parseConnection,
  parseCreatedBefore,
  parseIds,
  PropertyBag,
  routingOf,
  observed,
  StoredRouting,
  storedConnectionDiffers,
  withStoredConnection,
  explainingStoredConfig,
} from "./common";

/** The properties that identify the user; changing either targets another user. */
export const USER_KEYS = ["environmentId", "userId"] as const;

/** The inputs of a UserSessionsRevocation, as `check` accepts them. */
export interface UserSessionsRevocationInputs extends UserRef {
  /** Only sessions created strictly before this ISO 8601 date-time; absent: every session. */
  createdBefore?: string;
  /** Settings over stack config and the environment; may hold credentials (a Pulumi secret). */
  connection?: ConnectionOptions;
}

/** The outputs stored in state. */
export interface UserSessionsRevocationOutputs extends UserRef {
  /** The cutoff, when one was given. */
  createdBefore?: string;
  /** Sessions the last create or update deleted. */
  revokedSessionIds: string[];
  /** Matching sessions the last refresh found; empty after create and update. */
  remainingSessionIds: string[];
  /** True after a refresh found matching sessions. */
  present: boolean;
  /** When PingOne was last asked (ISO 8601). */
  checkedAt: string;
  /** The routing given in `connection`, never a credential: see `ROUTING_FIELDS`. */
  connection: StoredRouting;
}

/** The provider: Pulumi's typed contract, one method per lifecycle step below. */
export const userSessionsRevocation: dynamic.ResourceProvider<UserSessionsRevocationInputs, UserSessionsRevocationOutputs> = explainingStoredConfig({
  check,
  diff,
  create,
  read,
  update,
  delete: remove,
});

/**
 * The one reading of a UserSessionsRevocation's property bag, inputs or
 * stored outputs alike. Stored outputs may lack the ids (then `id` gives
 * them) and may hold credentials an older version stored (ignored).
 */
export function parseUserSessionsRevocation(bag: object, id?: string): Parsed<UserSessionsRevocationInputs> {
  const ids = parseIds(USER_KEYS, bag as PropertyBag, id);
  const createdBefore = parseCreatedBefore(bag as PropertyBag);
  const connection = parseConnection(bag as PropertyBag);
  return {
    value: { ...ids.value, createdBefore: createdBefore.value, connection: connection.value },
    failures: [...ids.failures, ...createdBefore.failures, ...connection.failures],
  };
}

/** Validates ids, `createdBefore` and connection settings; no network call. */
async function check(_olds: UserSessionsRevocationInputs, news: UserSessionsRevocationInputs): Promise<dynamic.CheckResult<UserSessionsRevocationInputs>> {
  return { inputs: news, failures: parseUserSessionsRevocation(news).failures };
}

/**
 * Another user or environment replaces. A new `createdBefore`, sessions found
 * by refresh, or a stored connection that is not what these inputs would
 * store, update. No network call.
 */
async function diff(_id: string, olds: UserSessionsRevocationOutputs, news: UserSessionsRevocationInputs): Promise<dynamic.DiffResult> {
  const replaces = USER_KEYS.filter((key) => olds[key] !== news[key]);
  const changes =
    replaces.length > 0 ||
    olds.present === true ||
    (olds.createdBefore ?? null) !== (news.createdBefore ?? null) ||
    storedConnectionDiffers(olds.connection, news.connection);
  return { changes, replaces, deleteBeforeReplace: false };
}

/** Lists the user's sessions and revokes every matching one. */
async function create(inputs: UserSessionsRevocationInputs): Promise<dynamic.CreateResult<UserSessionsRevocationOutputs>> {
  const { value } = parseUserSessionsRevocation(inputs);
  return { id: USER_KEYS.map((key) => value[key]).join("/"), outs: await revokeAll(value) };
}

/**
 * Lists again: `present` and `remainingSessionIds` report sessions that
 * match now (a sign-on since). Keeps the id; rewrites the stored connection
 * to its routing alone. `checkedAt` moves only when what it saw differs from
 * state (see `observed`).
 */
async function read(id: string, props?: UserSessionsRevocationOutputs): Promise<dynamic.ReadResult<UserSessionsRevocationOutputs>> {
  const stored = props ?? ({} as UserSessionsRevocationOutputs);
  const { value } = parseUserSessionsRevocation(stored, id);
  const user = userOf(value);
  const client = withStoredConnection(() => clientForStored(routingOf(value.connection)));
  const remaining = (await matchingSessions(client, user, value.createdBefore)).map((s) => s.id);
  return {
    id,
    props: observed(stored, { ...stored, ...user, connection: routingOf(value.connection), remainingSessionIds: remaining, present: remaining.length > 0 }),
  };
}

/** Revokes what matches now: after drift, with a new `createdBefore`, or to rewrite the stored connection. */
async function update(_id: string, _olds: UserSessionsRevocationOutputs, news: UserSessionsRevocationInputs): Promise<dynamic.UpdateResult<UserSessionsRevocationOutputs>> {
  return { outs: await revokeAll(parseUserSessionsRevocation(news).value) };
}

/** Destroy revokes whatever matches at that moment: the environment-teardown job. If it fails, the resource stays in state. */
async function remove(id: string, props: UserSessionsRevocationOutputs): Promise<void> {
  const { value } = parseUserSessionsRevocation(props, id);
  await revokeMatching(withStoredConnection(() => clientForStored(routingOf(value.connection))), userOf(value), value.createdBefore);
}

async function revokeAll(inputs: UserSessionsRevocationInputs): Promise<UserSessionsRevocationOutputs> {
  const user = userOf(inputs);
  const revoked = await revokeMatching(clientFor(inputs.connection), user, inputs.createdBefore);
  return {
    ...user,
    ...(inputs.createdBefore !== undefined ? { createdBefore: inputs.createdBefore } : {}),
    revokedSessionIds: revoked,
    remainingSessionIds: [],
    present: false,
    checkedAt: nowIso(),
    connection: routingOf(inputs.connection),
  };
}

/**
 * Lists, filters and deletes every match (see `revokeUserSessions`). Every
 * deletion is attempted before any failure is reported, so one bad session
 * does not leave the others alive; then a `BulkRevocationError` reports
 * them. Returns the ids PingOne actually deleted.
 */
async function revokeMatching(client: PingOneClient, user: UserRef, createdBefore: string | undefined): Promise<string[]> {
  const outcome = await revokeUserSessions(client, user, createdBefore);
  if (outcome.failed.length > 0) throw new BulkRevocationError(user, outcome);
  return outcome.revoked;
}

function userOf(value: UserRef): UserRef {
  return { environmentId: value.environmentId, userId: value.userId };
}
