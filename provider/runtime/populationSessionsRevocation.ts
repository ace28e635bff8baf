/**
 * PopulationSessionsRevocation, the real implementation: ensure-absent for
 * every matching session of every selected user (a population, a SCIM user
 * filter, or every user), optionally one shard of them. PingOne has no call
 * that lists an environment's sessions, so every operation is a sweep
 * (`sweepSessions`): page through the users, list each one's sessions,
 * delete those that match. Reads top to bottom as the types, the one parser
 * of its property bags, then check, diff, create, read, update, delete.
 *
 * Replace or update: the environment, the selection (`populationId`,
 * `userFilter`, `allUsers`) and the shard say which users the resource is
 * about, so changing any of them makes another resource (replace; the id,
 * a digest of exactly these, changes with them). The criteria
 * (`createdBefore`, `lastSignOnBefore`, `remoteIps`) say which of their
 * sessions must be gone: changing them updates, which sweeps again.
 */
import { createHash } from "node:crypto";
import type { dynamic } from "@pulumi/pulumi";
import { PingOneClient } from "../client/client";
import { criteriaProblems, SessionCriteria, selectionProblems, Shard, shardProblems, UserSelection } from "../client/criteria";
import { quote } from "../client/ids";
import { ConnectionOptions } from "../client/settings";
import { sweepSessions, SweepResult } from "../client/sweep";
import { clientFor, clientForStored } from "./context";
import { SweepIncompleteError, SweepScope } from "./errors";
import {
  isUnknown,
  nowIso,
  Parsed,
  parseConnection,
  parseIds,
  PropertyBag,
  routingOf,
  observed,
  StoredRouting,
  storedConnectionDiffers,
  withStoredConnection,
  explainingStoredConfig,
} from "./common";

/** The properties that say which users the resource is about; changing any of them replaces it. */
export const SWEEP_IDENTITY_KEYS = ["environmentId", "populationId", "userFilter", "allUsers", "shard"] as const;

/** The properties that say which of those users' sessions must be gone; changing them updates. */
export const SWEEP_CRITERIA_KEYS = ["createdBefore", "lastSignOnBefore", "remoteIps"] as const;

/** The inputs of a PopulationSessionsRevocation, as `check` accepts them. */
export interface PopulationSessionsRevocationInputs extends SessionCriteria {
  /** The environment holding the users. */
  environmentId: string;
  /** The users of this population (exactly one of `populationId`, `userFilter`, `allUsers`). */
  populationId?: string;
  /** The users matching this PingOne SCIM filter. */
  userFilter?: string;
  /** Every user of the environment, asked for explicitly. */
  allUsers?: boolean;
  /** This runner's part of the selected users. */
  shard?: Shard;
  /** Settings over stack config and the environment; may hold credentials (a Pulumi secret). */
  connection?: ConnectionOptions;
}

/** The outputs stored in state: counts and a digest, never an id list, so they stay small at any size. */
export interface PopulationSessionsRevocationOutputs extends Omit<PopulationSessionsRevocationInputs, "connection"> {
  /** Users in this shard the last sweep (create, update or refresh) looked at. */
  usersScanned: number;
  /** Sessions the last create or update deleted. */
  sessionsRevoked: number;
  /** Matching sessions the last create or update found already gone (PingOne's 404). */
  sessionsAlreadyAbsent: number;
  /** Matching sessions the last create or update could not revoke: 0 in state, since such an operation fails. */
  sessionsFailed: number;
  /** Sessions that matched when the last refresh ran; 0 after create and update. */
  sessionsRemaining: number;
  /** True after a refresh found matching sessions (the next `up` sweeps again). */
  present: boolean;
  /** When PingOne was last asked (ISO 8601). */
  checkedAt: string;
  /** The digest of the session ids the last create or update revoked (see `SweepResult.revokedDigest`). */
  revokedDigest: string;
  /** The routing given in `connection`, never a credential: see `ROUTING_FIELDS`. */
  connection: StoredRouting;
}

/** The provider: Pulumi's typed contract, one method per lifecycle step below. */
export const populationSessionsRevocation: dynamic.ResourceProvider<PopulationSessionsRevocationInputs, PopulationSessionsRevocationOutputs> = explainingStoredConfig({
  check,
  diff,
  create,
  read,
  update,
  delete: remove,
});

/**
 * The one reading of a PopulationSessionsRevocation's property bag, inputs
 * or stored outputs alike. Stored outputs may lack `environmentId` (then
 * `id` gives it). A problem with a value not known yet (preview) is left
 * for the `check` that runs once it is known.
 */
export function parsePopulationSessionsRevocation(bag: object, id?: string): Parsed<PopulationSessionsRevocationInputs> {
  const given = bag as PropertyBag;
  const ids = parseIds(["environmentId"], given, id);
  const connection = parseConnection(given);
  const shard = presentValue(given.shard);
  const problems = [
    ...selectionProblems({ populationId: presentValue(given.populationId), userFilter: presentValue(given.userFilter), allUsers: presentValue(given.allUsers) }),
    ...criteriaProblems({ createdBefore: presentValue(given.createdBefore), lastSignOnBefore: presentValue(given.lastSignOnBefore), remoteIps: presentValue(given.remoteIps) } as SessionCriteria),
    ...shardProblems(shard as { index?: unknown; count?: unknown } | undefined),
  ].filter((p) => !unknownAlong(given, p.property));
  const text = (key: string) => (presentValue(given[key]) === undefined ? {} : { [key]: String(given[key]) });
  const value: PopulationSessionsRevocationInputs = {
    ...ids.value,
    ...text("populationId"),
    ...text("userFilter"),
    ...(given.allUsers === true ? { allUsers: true } : {}),
    ...text("createdBefore"),
    ...text("lastSignOnBefore"),
    ...(Array.isArray(given.remoteIps) ? { remoteIps: given.remoteIps.map(String) } : {}),
    ...(shard && typeof shard === "object" ? { shard: { index: Number((shard as Shard).index), count: Number((shard as Shard).count) } } : {}),
    connection: connection.value,
  };
  return { value, failures: [...ids.failures, ...problems, ...connection.failures] };
}

/** Validates the environment, the selection, the filter, the criteria, the shard and connection settings; no network call. */
async function check(_olds: PopulationSessionsRevocationInputs, news: PopulationSessionsRevocationInputs): Promise<dynamic.CheckResult<PopulationSessionsRevocationInputs>> {
  return { inputs: news, failures: parsePopulationSessionsRevocation(news).failures };
}

/**
 * Another environment, selection or shard replaces (another set of users is
 * another resource). New criteria, matching sessions found by refresh, or a
 * stored connection that is not what these inputs would store, update. No
 * network call.
 */
async function diff(_id: string, olds: PopulationSessionsRevocationOutputs, news: PopulationSessionsRevocationInputs): Promise<dynamic.DiffResult> {
  const replaces = SWEEP_IDENTITY_KEYS.filter((key) => canonical(key, olds[key]) !== canonical(key, news[key]));
  const changes =
    replaces.length > 0 ||
    olds.present === true ||
    SWEEP_CRITERIA_KEYS.some((key) => canonical(key, olds[key]) !== canonical(key, news[key])) ||
    storedConnectionDiffers(olds.connection, news.connection);
  return { changes, replaces, deleteBeforeReplace: false };
}

/** Sweeps: revokes every matching session of every selected user in this shard. */
async function create(inputs: PopulationSessionsRevocationInputs): Promise<dynamic.CreateResult<PopulationSessionsRevocationOutputs>> {
  const { value } = parsePopulationSessionsRevocation(inputs);
  return { id: sweepId(value), outs: await sweepAndRecord(value) };
}

/**
 * Sweeps without deleting (a full scan): `sessionsRemaining` and `present`
 * report the sessions that match now. Fails, leaving the state as it was,
 * when some users' sessions could not be listed. Keeps the id; rewrites the
 * stored connection to its routing alone. `checkedAt` moves only when what
 * it saw differs from state (see `observed`).
 */
async function read(id: string, props?: PopulationSessionsRevocationOutputs): Promise<dynamic.ReadResult<PopulationSessionsRevocationOutputs>> {
  const stored = props ?? ({} as PopulationSessionsRevocationOutputs);
  const { value } = parsePopulationSessionsRevocation(stored, id);
  const client = withStoredConnection(() => clientForStored(routingOf(value.connection)));
  const counted = await sweep(client, value, true);
  return {
    id,
    props: observed(stored, {
      ...stored,
      ...echoed(value),
      connection: routingOf(value.connection),
      usersScanned: counted.usersScanned,
      sessionsRemaining: counted.sessionsMatched,
      present: counted.sessionsMatched > 0,
    }),
  };
}

/** Sweeps again: after drift, with new criteria, or to rewrite the stored connection. */
async function update(
  _id: string,
  _olds: PopulationSessionsRevocationOutputs,
  news: PopulationSessionsRevocationInputs,
): Promise<dynamic.UpdateResult<PopulationSessionsRevocationOutputs>> {
  return { outs: await sweepAndRecord(parsePopulationSessionsRevocation(news).value) };
}

/** Destroy sweeps once more, revoking whatever matches then: the teardown. If it fails, the resource stays in state. */
async function remove(id: string, props: PopulationSessionsRevocationOutputs): Promise<void> {
  const { value } = parsePopulationSessionsRevocation(props, id);
  await sweep(withStoredConnection(() => clientForStored(routingOf(value.connection))), value, false);
}

/**
 * `{environmentId}/sweep/{16 hex}`: the digest covers exactly what replaces
 * (the selection and the shard), so the id stays when criteria are updated
 * and two resources sweeping different users never share one.
 */
export function sweepId(inputs: PopulationSessionsRevocationInputs): string {
  const identity = SWEEP_IDENTITY_KEYS.filter((key) => key !== "environmentId").map((key) => [key, canonical(key, inputs[key])]);
  return `${inputs.environmentId}/sweep/${createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 16)}`;
}

async function sweepAndRecord(inputs: PopulationSessionsRevocationInputs): Promise<PopulationSessionsRevocationOutputs> {
  const result = await sweep(clientFor(inputs.connection), inputs, false);
  return {
    ...echoed(inputs),
    usersScanned: result.usersScanned,
    sessionsRevoked: result.sessionsRevoked,
    sessionsAlreadyAbsent: result.sessionsAlreadyAbsent,
    sessionsFailed: result.sessionsFailed,
    sessionsRemaining: 0,
    present: false,
    checkedAt: nowIso(),
    revokedDigest: result.revokedDigest,
    connection: routingOf(inputs.connection),
  };
}

/**
 * Runs the sweep (see `sweepSessions`): every user and every matching
 * session is attempted before any failure is reported; then a
 * `SweepIncompleteError` counts them by code, with the first as `cause`.
 * A failure of the users list itself ends the sweep with that error.
 */
async function sweep(client: PingOneClient, inputs: PopulationSessionsRevocationInputs, dryRun: boolean): Promise<SweepResult> {
  let firstFailure: unknown;
  const result = await sweepSessions(client, {
    environmentId: inputs.environmentId,
    users: selectionOf(inputs),
    sessions: { createdBefore: inputs.createdBefore, lastSignOnBefore: inputs.lastSignOnBefore, remoteIps: inputs.remoteIps },
    shard: inputs.shard,
    dryRun,
    onSession: (event) => {
      if (event.outcome === "failed" && firstFailure === undefined) firstFailure = event.error;
    },
  });
  if (result.usersFailed + result.sessionsFailed > 0) throw new SweepIncompleteError(scopeOf(inputs), result, firstFailure, dryRun);
  return result;
}

function selectionOf(inputs: PopulationSessionsRevocationInputs): UserSelection {
  if (inputs.populationId !== undefined) return { populationId: inputs.populationId };
  if (inputs.userFilter !== undefined) return { userFilter: inputs.userFilter };
  return { allUsers: true };
}

function scopeOf(inputs: PopulationSessionsRevocationInputs): SweepScope {
  const users =
    inputs.populationId !== undefined ? `population ${inputs.populationId}` : inputs.userFilter !== undefined ? `the users matching ${quote(inputs.userFilter, 200)}` : "all users";
  return { environmentId: inputs.environmentId, users, ...(inputs.shard ? { shard: inputs.shard } : {}) };
}

/** The inputs as outputs: every field that is set, none that is not (outputs must not hold `undefined`). */
function echoed(inputs: PopulationSessionsRevocationInputs): Omit<PopulationSessionsRevocationInputs, "connection"> {
  const { connection: _connection, ...rest } = inputs;
  return Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)) as Omit<PopulationSessionsRevocationInputs, "connection">;
}

/**
 * A property as compared by `diff` and digested by `sweepId`: ids without
 * regard to case, `allUsers: false` as absent, a shard by its numbers, CIDR
 * lists in any order.
 */
function canonical(key: (typeof SWEEP_IDENTITY_KEYS)[number] | (typeof SWEEP_CRITERIA_KEYS)[number], value: unknown): string {
  const present = presentValue(value);
  if (present === undefined || (key === "allUsers" && present === false)) return "";
  // Stored outputs never hold a value not known yet, so one in the news always differs.
  if (isUnknown(present)) return "(not known yet)";
  switch (key) {
    case "environmentId":
    case "populationId":
      return String(present).toLowerCase();
    case "shard": {
      const shard = present as Partial<Shard>;
      return JSON.stringify([shard.index, shard.count]);
    }
    case "remoteIps":
      return JSON.stringify(Array.isArray(present) ? [...present].map(String).sort() : present);
    default:
      return JSON.stringify(present);
  }
}

/** `undefined` for what Pulumi and users write as "not set": absent, `null`, `""`. */
function presentValue(value: unknown): unknown {
  return value === null || value === "" ? undefined : value;
}

/** True when the value at `property` (`shard.index`, `remoteIps[2]`), or anything on the way to it, is not known yet. */
function unknownAlong(bag: PropertyBag, property: string): boolean {
  let value: unknown = bag;
  for (const step of property.split(/[.[\]]+/).filter(Boolean)) {
    if (isUnknown(value)) return true;
    value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[step] : undefined;
  }
  return isUnknown(value);
}
