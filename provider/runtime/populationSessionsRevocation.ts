/**
 * PopulationSessionsRevocation, the real implementation: ensure-absent for
 * every matching session of every selected user (a population, a SCIM user
 * filter, or every user), optionally one shard of them. PingOne has no call
 * that lists an environment's sessions, so every operation is a sweep
 * (`sweepSessions`): page through the users, list each one's sessions,
 * delete those that match. A definition of the one lifecycle (`ensureAbsent`); reads top to
 * bottom as the types, the definition (fields, id, parser, revoke, observe), the provider built
 * from it, then the sweep.
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
import {
  criteriaProblems,
  SessionCriteria,
  selectionProblems,
  Shard,
  shardProblems,
  UserSelection,
} from "../client/criteria";
import { sweepSessions, SweepResult } from "../client/sweep";
import { SweepIncompleteError, SweepScope } from "./errors";
import { canonicalForm, ensureAbsent, EnsureAbsentDefinition, RecordedState, RevocationInputs } from "./lifecycle";
import { isUnknown, Parsed, parseConnection, parseIds, presentValue, PropertyBag } from "./common";
import { quote } from "../client/text";

/** The properties that say which users the resource is about; changing any of them replaces it. */
const SWEEP_IDENTITY_KEYS = ["environmentId", "populationId", "userFilter", "allUsers", "shard"] as const;

/** The properties that say which of those users' sessions must be gone; changing them updates. */
const SWEEP_CRITERIA_KEYS = ["createdBefore", "lastSignOnBefore", "remoteIps"] as const;

/** The inputs of a PopulationSessionsRevocation, as `check` accepts them. */
export interface PopulationSessionsRevocationInputs extends SessionCriteria, RevocationInputs {
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
}

/** What create and update record of a sweep, beside its inputs and `RecordedState`: counts and a digest, never an id list. */
export interface PopulationSessionsRevocationRecord {
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
  /** The digest of the session ids the last create or update revoked (see `SweepResult.revokedDigest`). */
  revokedDigest: string;
}

/** The outputs stored in state: counts and a digest, never an id list, so they stay small at any size. */
export interface PopulationSessionsRevocationOutputs
  extends Omit<PopulationSessionsRevocationInputs, "connection">, PopulationSessionsRevocationRecord, RecordedState {}

/**
 * A PopulationSessionsRevocation: another environment, selection or shard is another set of
 * users, so another resource (replace); new criteria update, which sweeps again. Ids compare
 * without regard to case, `allUsers: false` as absent, a shard by its numbers, CIDR lists in any
 * order. Create, update and delete sweep; read sweeps without deleting (a full scan).
 */
export const populationSessionsRevocationDefinition: EnsureAbsentDefinition<
  PopulationSessionsRevocationInputs,
  PopulationSessionsRevocationRecord
> = {
  kind: "PopulationSessionsRevocation",
  inputs: [...SWEEP_IDENTITY_KEYS, ...SWEEP_CRITERIA_KEYS, "connection"],
  requiredInputs: ["environmentId"],
  outputs: [
    ...SWEEP_IDENTITY_KEYS,
    ...SWEEP_CRITERIA_KEYS,
    "usersScanned",
    "sessionsRevoked",
    "sessionsAlreadyAbsent",
    "sessionsFailed",
    "sessionsRemaining",
    "present",
    "checkedAt",
    "revokedDigest",
    "connection",
  ],
  ids: ["environmentId", "populationId"],
  replaces: SWEEP_IDENTITY_KEYS,
  updates: SWEEP_CRITERIA_KEYS,
  canonical: {
    allUsers: (present) => (present === false ? "" : JSON.stringify(present)),
    shard: (present) => JSON.stringify([(present as Partial<Shard>).index, (present as Partial<Shard>).count]),
    remoteIps: (present) => JSON.stringify(Array.isArray(present) ? [...present].map(String).sort() : present),
  },
  id: {
    text: "<environmentId>/sweep/<16 hex digits: a digest of the selection and the shard>",
    of: sweepId,
    parse(id) {
      throw new Error(
        `A PopulationSessionsRevocation cannot be imported by its id (${JSON.stringify(String(id).slice(0, 200))}): ` +
          "the id holds a digest of the selection and the shard, not the values themselves. Declare the resource in the program instead: " +
          "its first up sweeps, which is what an import would lead to anyway.",
      );
    },
  },
  parse: parsePopulationSessionsRevocation,
  async revoke(client, inputs) {
    const result = await sweep(client, inputs, false);
    return {
      usersScanned: result.usersScanned,
      sessionsRevoked: result.sessionsRevoked,
      sessionsAlreadyAbsent: result.sessionsAlreadyAbsent,
      sessionsFailed: result.sessionsFailed,
      sessionsRemaining: 0,
      revokedDigest: result.revokedDigest,
    };
  },
  async observe(client, inputs) {
    const counted = await sweep(client, inputs, true);
    return {
      usersScanned: counted.usersScanned,
      sessionsRemaining: counted.sessionsMatched,
      present: counted.sessionsMatched > 0,
    };
  },
};

/** The provider: Pulumi's typed contract, the one lifecycle over the definition above. */
export const populationSessionsRevocation: dynamic.ResourceProvider<
  PopulationSessionsRevocationInputs,
  PopulationSessionsRevocationOutputs
> = ensureAbsent(populationSessionsRevocationDefinition);

/**
 * The one reading of a PopulationSessionsRevocation's property bag, inputs or stored outputs
 * alike. Stored outputs may lack `environmentId` (then `id` gives it). A problem with a value not
 * known yet (preview) is left for the `check` that runs once it is known.
 */
function parsePopulationSessionsRevocation(
  given: PropertyBag,
  id?: string,
): Parsed<PopulationSessionsRevocationInputs> {
  const ids = parseIds(["environmentId"], given, id);
  const connection = parseConnection(given);
  const shard = presentValue(given.shard);
  const problems = [
    ...selectionProblems({
      populationId: presentValue(given.populationId),
      userFilter: presentValue(given.userFilter),
      allUsers: presentValue(given.allUsers),
    }),
    ...criteriaProblems({
      createdBefore: presentValue(given.createdBefore),
      lastSignOnBefore: presentValue(given.lastSignOnBefore),
      remoteIps: presentValue(given.remoteIps),
    } as SessionCriteria),
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
    ...(shard && typeof shard === "object"
      ? { shard: { index: Number((shard as Shard).index), count: Number((shard as Shard).count) } }
      : {}),
    connection: connection.value,
  };
  return { value, failures: [...ids.failures, ...problems, ...connection.failures] };
}

/**
 * `{environmentId}/sweep/{16 hex}`: the digest covers exactly what replaces
 * (the selection and the shard), so the id stays when criteria are updated
 * and two resources sweeping different users never share one.
 */
export function sweepId(inputs: PopulationSessionsRevocationInputs): string {
  const identity = SWEEP_IDENTITY_KEYS.filter((key) => key !== "environmentId").map((key) => [
    key,
    canonicalForm(populationSessionsRevocationDefinition, key, inputs[key]),
  ]);
  return `${inputs.environmentId}/sweep/${createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 16)}`;
}

/**
 * Runs the sweep (see `sweepSessions`): every user and every matching
 * session is attempted before any failure is reported; then a
 * `SweepIncompleteError` counts them by code, with the first as `cause`.
 * A failure of the users list itself ends the sweep with that error.
 */
async function sweep(
  client: PingOneClient,
  inputs: PopulationSessionsRevocationInputs,
  dryRun: boolean,
): Promise<SweepResult> {
  let firstFailure: unknown;
  const result = await sweepSessions(client, {
    environmentId: inputs.environmentId,
    users: selectionOf(inputs),
    sessions: {
      createdBefore: inputs.createdBefore,
      lastSignOnBefore: inputs.lastSignOnBefore,
      remoteIps: inputs.remoteIps,
    },
    shard: inputs.shard,
    dryRun,
    onSession: (event) => {
      if (event.outcome === "failed" && firstFailure === undefined) firstFailure = event.error;
    },
  });
  if (result.usersFailed + result.sessionsFailed > 0)
    throw new SweepIncompleteError(scopeOf(inputs), result, firstFailure, dryRun);
  return result;
}

function selectionOf(inputs: PopulationSessionsRevocationInputs): UserSelection {
  if (inputs.populationId !== undefined) return { populationId: inputs.populationId };
  if (inputs.userFilter !== undefined) return { userFilter: inputs.userFilter };
  return { allUsers: true };
}

function scopeOf(inputs: PopulationSessionsRevocationInputs): SweepScope {
  const users =
    inputs.populationId !== undefined
      ? `population ${inputs.populationId}`
      : inputs.userFilter !== undefined
        ? `the users matching ${quote(inputs.userFilter, 200)}`
        : "all users";
  return { environmentId: inputs.environmentId, users, ...(inputs.shard ? { shard: inputs.shard } : {}) };
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
