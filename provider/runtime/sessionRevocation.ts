/**
 * SessionRevocation, the real implementation: ensure-absent for one session.
 * Loaded by the serialized shim at call time, so every `up`, `refresh` and
 * `destroy` runs the installed code. Reads top to bottom as check, diff,
 * create, read, update, delete.
 */
import type * as pulumi from "@pulumi/pulumi";
import { SessionRef } from "../client/ids";
import { clientFor } from "./context";
import { CheckFailure, connectionFailures, connectionOf, idFailures, nowIso, Props, publicConnection, withStoredConnection } from "./common";

/** The properties that identify the session; changing any of them targets another session. */
export const SESSION_KEYS = ["environmentId", "userId", "sessionId"] as const;

/** What a revocation found: PingOne deleted the session, or it was already gone. */
export type RevocationOutcome = "revoked" | "already-absent";

/** Validates ids and connection settings; no network call (it runs in preview). */
export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const failures: CheckFailure[] = [...idFailures(news, [...SESSION_KEYS]), ...connectionFailures(news)];
  return { inputs: news, failures };
}

/**
 * Another session replaces; `present: true` in the stored state (refresh
 * found the session again) is a change `update` repairs; a connection
 * change alone changes nothing. No network call.
 */
export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const replaces = SESSION_KEYS.filter((key) => olds[key] !== news[key]);
  return { changes: replaces.length > 0 || olds.present === true, replaces, deleteBeforeReplace: false };
}

/** Revokes the session; 404 counts as done (`already-absent`). */
export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const ref = sessionRef(inputs);
  return { id: idOf(ref), outs: await revoke(ref, inputs) };
}

/**
 * Looks the session up. Absent keeps `present: false`; present sets
 * `present: true` so the next `up` revokes it again. The id is always kept:
 * dropping it would make Pulumi forget the revocation.
 */
export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const ref = sessionRef(props, id);
  const session = await withStoredConnection(() => clientFor(connectionOf(props))).getSession(ref);
  return { id, props: { ...props, ...ref, present: session !== undefined, checkedAt: nowIso() } };
}

/** Revokes again: reached after refresh found the session present. */
export async function update(_id: string, _olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: await revoke(sessionRef(news), news) };
}

/** Revokes on destroy too: removing the resource must not leave the session alive. */
export async function remove(id: string, props: Props): Promise<void> {
  await withStoredConnection(() => clientFor(connectionOf(props))).deleteSession(sessionRef(props, id));
}

async function revoke(ref: SessionRef, inputs: Props): Promise<Props> {
  const result = await clientFor(connectionOf(inputs)).deleteSession(ref);
  const outcome: RevocationOutcome = result === "deleted" ? "revoked" : "already-absent";
  return { ...ref, outcome, present: false, checkedAt: nowIso(), connection: publicConnection(inputs) };
}

function idOf(ref: SessionRef): string {
  return `${ref.environmentId}/${ref.userId}/${ref.sessionId}`;
}

/** The session named by the properties, or by the resource id when stored outputs lack them. */
function sessionRef(props: Props, id?: string): SessionRef {
  const [environmentId, userId, sessionId] = (id ?? "").split("/");
  return {
    environmentId: String(props.environmentId ?? environmentId ?? ""),
    userId: String(props.userId ?? userId ?? ""),
    sessionId: String(props.sessionId ?? sessionId ?? ""),
  };
}
