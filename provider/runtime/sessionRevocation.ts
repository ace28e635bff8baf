/**
 * SessionRevocation, the real implementation: ensure-absent for one session.
 * Loaded by the serialized shim at call time, so every `up`, `refresh` and
 * `destroy` runs the installed code. Reads top to bottom as the types, the
 * one parser of its property bags, then check, diff, create, read, update,
 * delete.
 */
import type { dynamic } from "@pulumi/pulumi";
import { SessionRef } from "../client/ids";
import { ConnectionOptions } from "../client/settings";
import { clientFor, clientForStored } from "./context";
import { explainingStoredConfig, nowIso, observed, Parsed, parseConnection, parseIds, PropertyBag, routingOf, StoredRouting, storedConnectionDiffers, withStoredConnection } from "./common";

/** The properties that identify the session; changing any of them targets another session. */
export const SESSION_KEYS = ["environmentId", "userId", "sessionId"] as const;

/** What a revocation found: PingOne deleted the session, or it was already gone. */
export type RevocationOutcome = "revoked" | "already-absent";

/** The inputs of a SessionRevocation, as `check` accepts them. */
export interface SessionRevocationInputs extends SessionRef {
  /** Settings over stack config and the environment; may hold credentials (a Pulumi secret). */
  connection?: ConnectionOptions;
}

/** The outputs stored in state. */
export interface SessionRevocationOutputs extends SessionRef {
  /** What the last create or update found. */
  outcome: RevocationOutcome;
  /** True after a refresh found the session again. */
  present: boolean;
  /** When PingOne was last asked (ISO 8601). */
  checkedAt: string;
  /** The routing given in `connection`, never a credential: see `ROUTING_FIELDS`. */
  connection: StoredRouting;
}

/** The provider: Pulumi's typed contract, one method per lifecycle step below. */
export const sessionRevocation: dynamic.ResourceProvider<SessionRevocationInputs, SessionRevocationOutputs> = explainingStoredConfig({
  check,
  diff,
  create,
  read,
  update,
  delete: remove,
});

/**
 * The one reading of a SessionRevocation's property bag, inputs or stored
 * outputs alike. Stored outputs may lack the ids (then `id` gives them) and
 * may hold credentials an older version stored (ignored: see `routingOf`).
 */
export function parseSessionRevocation(bag: object, id?: string): Parsed<SessionRevocationInputs> {
  const ids = parseIds(SESSION_KEYS, bag as PropertyBag, id);
  const connection = parseConnection(bag as PropertyBag);
  return { value: { ...ids.value, connection: connection.value }, failures: [...ids.failures, ...connection.failures] };
}

/** Validates ids and connection settings; no network call (it runs in preview). */
async function check(_olds: SessionRevocationInputs, news: SessionRevocationInputs): Promise<dynamic.CheckResult<SessionRevocationInputs>> {
  return { inputs: news, failures: parseSessionRevocation(news).failures };
}

/**
 * Another session replaces. An update is due when the stored state says the
 * session was found again (`present: true`), or when the stored connection
 * is not what these inputs would store, so a new route, or credentials an
 * older version stored, are rewritten. No network call.
 */
async function diff(_id: string, olds: SessionRevocationOutputs, news: SessionRevocationInputs): Promise<dynamic.DiffResult> {
  const replaces = SESSION_KEYS.filter((key) => olds[key] !== news[key]);
  const changes = replaces.length > 0 || olds.present === true || storedConnectionDiffers(olds.connection, news.connection);
  return { changes, replaces, deleteBeforeReplace: false };
}

/** Revokes the session; 404 counts as done (`already-absent`). */
async function create(inputs: SessionRevocationInputs): Promise<dynamic.CreateResult<SessionRevocationOutputs>> {
  const { value } = parseSessionRevocation(inputs);
  return { id: SESSION_KEYS.map((key) => value[key]).join("/"), outs: await revoke(value) };
}

/**
 * Looks the session up. Absent keeps `present: false`; present sets
 * `present: true` so the next `up` revokes it again. `checkedAt` moves only
 * when what it saw differs from state (see `observed`). The id is always kept:
 * dropping it would make Pulumi forget the revocation. The stored connection
 * is rewritten to its routing alone.
 */
async function read(id: string, props?: SessionRevocationOutputs): Promise<dynamic.ReadResult<SessionRevocationOutputs>> {
  const stored = props ?? ({} as SessionRevocationOutputs);
  const { value } = parseSessionRevocation(stored, id);
  const ref = refOf(value);
  const session = await withStoredConnection(() => clientForStored(routingOf(value.connection))).getSession(ref);
  return { id, props: observed(stored, { ...stored, ...ref, connection: routingOf(value.connection), present: session !== undefined }) };
}

/** Revokes again: reached after refresh found the session present, or to rewrite the stored connection. */
async function update(_id: string, _olds: SessionRevocationOutputs, news: SessionRevocationInputs): Promise<dynamic.UpdateResult<SessionRevocationOutputs>> {
  return { outs: await revoke(parseSessionRevocation(news).value) };
}

/** Revokes on destroy too: removing the resource must not leave the session alive. If it fails, the resource stays in state. */
async function remove(id: string, props: SessionRevocationOutputs): Promise<void> {
  const { value } = parseSessionRevocation(props, id);
  await withStoredConnection(() => clientForStored(routingOf(value.connection))).deleteSession(refOf(value));
}

async function revoke(inputs: SessionRevocationInputs): Promise<SessionRevocationOutputs> {
  const ref = refOf(inputs);
  const result = await clientFor(inputs.connection).deleteSession(ref);
  return { ...ref, outcome: result === "deleted" ? "revoked" : "already-absent", present: false, checkedAt: nowIso(), connection: routingOf(inputs.connection) };
}

function refOf(value: SessionRef): SessionRef {
  return { environmentId: value.environmentId, userId: value.userId, sessionId: value.sessionId };
}
