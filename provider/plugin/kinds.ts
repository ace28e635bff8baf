/**
 * What the plugin must know about each resource kind beyond its lifecycle: which properties are
 * inputs and outputs, which inputs replace, which are secret, and how a resource id names its
 * inputs (for `pulumi import`). The lifecycle itself is the runtime's (`providers`); this file
 * only describes it, from the runtime's own key lists where it has them, so the schema test can
 * hold schema.json to the runtime.
 *
 * Kept in this one file, behind `KindMetadata`, so a runtime-wide `lifecycleMetadata` of the same
 * shape can replace it.
 */
import { invalidIdReason, quote } from "../client/ids";
import { SETTING_SOURCES } from "../client/settings";
import {
  PopulationSessionsRevocationInputs,
  PopulationSessionsRevocationOutputs,
  ProviderKind,
  SessionRevocationInputs,
  SessionRevocationOutputs,
  UserSessionsRevocationInputs,
  UserSessionsRevocationOutputs,
} from "../runtime";
import { SESSION_KEYS } from "../runtime/sessionRevocation";
import { USER_KEYS } from "../runtime/userSessionsRevocation";
import { SWEEP_CRITERIA_KEYS, SWEEP_IDENTITY_KEYS } from "../runtime/populationSessionsRevocation";

/** What the plugin knows about one resource kind, besides its lifecycle. */
export interface KindMetadata {
  /** Every input property, top level. */
  inputs: readonly string[];
  /** The inputs a program must give. */
  requiredInputs: readonly string[];
  /** Inputs whose change makes another resource (replace). */
  replaces: readonly string[];
  /** Inputs whose change updates the resource in place. */
  updates: readonly string[];
  /** Secret inputs, as dotted paths (`connection.clientSecret`). */
  secretInputs: readonly string[];
  /** Every output property, top level. */
  outputs: readonly string[];
  /** The shape of the resource id, for messages and docs. */
  idFormat: string;
  /**
   * The inputs a resource id names, for `pulumi import`; throws an Error saying why when the id
   * is malformed or this kind's ids cannot name its inputs.
   */
  parseId(id: string): Record<string, unknown>;
}

/** Every field of `T`, checked at compile time: a key the runtime adds and this list lacks fails the build. */
type Exhaustive<T, L extends readonly (keyof T)[]> = Exclude<keyof T, L[number]> extends never ? L : { missing: Exclude<keyof T, L[number]> };

function allKeys<T>() {
  return <const L extends readonly (keyof T)[]>(list: L & Exhaustive<T, L>): L => list;
}

/** The secret settings of a resource's `connection` input, from the settings table. */
const CONNECTION_SECRETS = SETTING_SOURCES.filter((source) => source.secret).map((source) => `connection.${source.field}`);

/** The ids `id` joins with `/`, each a PingOne id, named as `keys`; throws saying what is wrong. */
function idsFrom<K extends string>(kind: ProviderKind, keys: readonly K[], id: string): Record<K, string> {
  const parts = id.split("/");
  const format = keys.map((key) => `<${key}>`).join("/");
  if (parts.length !== keys.length) throw new Error(`A ${kind} id is ${format}; got ${quote(id, 120)}.`);
  const value = {} as Record<K, string>;
  keys.forEach((key, index) => {
    const reason = invalidIdReason(key, parts[index]);
    if (reason) throw new Error(`A ${kind} id is ${format}: ${reason}`);
    value[key] = parts[index];
  });
  return value;
}

const sessionRevocation: KindMetadata = {
  inputs: allKeys<SessionRevocationInputs>()(["environmentId", "userId", "sessionId", "connection"]),
  requiredInputs: SESSION_KEYS,
  replaces: SESSION_KEYS,
  updates: ["connection"],
  secretInputs: CONNECTION_SECRETS,
  outputs: allKeys<SessionRevocationOutputs>()(["environmentId", "userId", "sessionId", "outcome", "present", "checkedAt", "connection"]),
  idFormat: SESSION_KEYS.map((key) => `<${key}>`).join("/"),
  parseId: (id) => idsFrom("SessionRevocation", SESSION_KEYS, id),
};

const userSessionsRevocation: KindMetadata = {
  inputs: allKeys<UserSessionsRevocationInputs>()(["environmentId", "userId", "createdBefore", "connection"]),
  requiredInputs: USER_KEYS,
  replaces: USER_KEYS,
  updates: ["createdBefore", "connection"],
  secretInputs: CONNECTION_SECRETS,
  outputs: allKeys<UserSessionsRevocationOutputs>()([
    "environmentId",
    "userId",
    "createdBefore",
    "revokedSessionIds",
    "remainingSessionIds",
    "present",
    "checkedAt",
    "connection",
  ]),
  idFormat: USER_KEYS.map((key) => `<${key}>`).join("/"),
  parseId: (id) => idsFrom("UserSessionsRevocation", USER_KEYS, id),
};

const populationSessionsRevocation: KindMetadata = {
  inputs: allKeys<PopulationSessionsRevocationInputs>()([
    "environmentId",
    "populationId",
    "userFilter",
    "allUsers",
    "shard",
    "createdBefore",
    "lastSignOnBefore",
    "remoteIps",
    "connection",
  ]),
  requiredInputs: ["environmentId"],
  replaces: SWEEP_IDENTITY_KEYS,
  updates: [...SWEEP_CRITERIA_KEYS, "connection"],
  secretInputs: CONNECTION_SECRETS,
  outputs: allKeys<PopulationSessionsRevocationOutputs>()([
    "environmentId",
    "populationId",
    "userFilter",
    "allUsers",
    "shard",
    "createdBefore",
    "lastSignOnBefore",
    "remoteIps",
    "usersScanned",
    "sessionsRevoked",
    "sessionsAlreadyAbsent",
    "sessionsFailed",
    "sessionsRemaining",
    "present",
    "checkedAt",
    "revokedDigest",
    "connection",
  ]),
  idFormat: "<environmentId>/sweep/<digest of the selection and shard>",
  parseId: (id) => {
    // The id digests the selection: it cannot be turned back into a population, a filter or a shard.
    throw new Error(
      `A PopulationSessionsRevocation cannot be imported: its id (${quote(id)}) is its environment and a digest of its selection ` +
        "(population, user filter or all users, and shard), from which the selection cannot be recovered. Declare it in the program instead; " +
        "its first pulumi up sweeps, revoking what matches.",
    );
  },
};

/** The metadata of each kind the plugin serves. */
export const kindMetadata: Record<ProviderKind, KindMetadata> = {
  SessionRevocation: sessionRevocation,
  UserSessionsRevocation: userSessionsRevocation,
  PopulationSessionsRevocation: populationSessionsRevocation,
};
