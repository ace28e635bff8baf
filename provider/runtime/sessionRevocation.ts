/**
 * SessionRevocation, the real implementation: ensure-absent for one session, as a definition of
 * the one lifecycle (`ensureAbsent`). Loaded by the serialized shim at call time, so every `up`,
 * `refresh` and `destroy` runs the installed code. Reads top to bottom as the types, the
 * definition (fields, id, parser, revoke, observe), then the provider built from it.
 */
import type { dynamic } from "@pulumi/pulumi";
import { SessionRef } from "../client/ids";
import { ensureAbsent, EnsureAbsentDefinition, joinedIds, RecordedState, RevocationInputs } from "./lifecycle";
import { Parsed, parseConnection, parseIds, PropertyBag } from "./common";

/** The properties that identify the session; changing any of them targets another session. */
const SESSION_KEYS = ["environmentId", "userId", "sessionId"] as const;

/** What a revocation found: PingOne deleted the session, or it was already gone. */
export type RevocationOutcome = "revoked" | "already-absent";

/** The inputs of a SessionRevocation, as `check` accepts them. */
export interface SessionRevocationInputs extends SessionRef, RevocationInputs {}

/** What create and update record of a SessionRevocation, beside its ids and `RecordedState`. */
export interface SessionRevocationRecord {
  /** What the last create or update found. */
  outcome: RevocationOutcome;
}

/** The outputs stored in state. */
export interface SessionRevocationOutputs extends SessionRef, SessionRevocationRecord, RecordedState {}

/**
 * A SessionRevocation: every input but `connection` is an id, and another id is another session
 * (replace); nothing updates but a session found again or a new routing. Create, update and
 * delete send `DELETE .../sessions/{sessionId}` (PingOne's 404 counts as done: `already-absent`);
 * read looks the session up.
 */
export const sessionRevocationDefinition: EnsureAbsentDefinition<SessionRevocationInputs, SessionRevocationRecord> = {
  kind: "SessionRevocation",
  inputs: [...SESSION_KEYS, "connection"],
  requiredInputs: SESSION_KEYS,
  outputs: [...SESSION_KEYS, "outcome", "present", "checkedAt", "connection"],
  ids: SESSION_KEYS,
  replaces: SESSION_KEYS,
  updates: [],
  id: joinedIds(SESSION_KEYS),
  parse: parseSessionRevocation,
  async revoke(client, inputs) {
    return { outcome: (await client.deleteSession(refOf(inputs))) === "deleted" ? "revoked" : "already-absent" };
  },
  async observe(client, inputs) {
    return { present: (await client.getSession(refOf(inputs))) !== undefined };
  },
};

/** The provider: Pulumi's typed contract, the one lifecycle over the definition above. */
export const sessionRevocation: dynamic.ResourceProvider<SessionRevocationInputs, SessionRevocationOutputs> =
  ensureAbsent(sessionRevocationDefinition);

/**
 * The one reading of a SessionRevocation's property bag, inputs or stored outputs alike. Stored
 * outputs may lack the ids (then `id` gives them) and may hold credentials an older version
 * stored (ignored: see `routingOf`).
 */
function parseSessionRevocation(bag: PropertyBag, id?: string): Parsed<SessionRevocationInputs> {
  const ids = parseIds(SESSION_KEYS, bag, id);
  const connection = parseConnection(bag);
  return { value: { ...ids.value, connection: connection.value }, failures: [...ids.failures, ...connection.failures] };
}

function refOf(value: SessionRef): SessionRef {
  return { environmentId: value.environmentId, userId: value.userId, sessionId: value.sessionId };
}
