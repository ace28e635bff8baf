/**
 * Reading PingOne's answers. Every body is untrusted: it is parsed once here
 * and checked against the shape PingOne documents before any field is used,
 * so a broken or hostile server yields a named problem, never a `TypeError`
 * and never a silent "nothing there".
 */
import { isPingOneId, quote } from "./ids";
import { PingOneErrorBody, PingOneSession } from "./types";

/** Parses JSON, or `undefined` for anything that is not a JSON object or array. */
export function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * PingOne's error body (`P1Error`: a JSON object whose `code` is a string),
 * or `undefined` when `text` is anything else: HTML, a proxy's page, another
 * service's JSON. Only fields of the documented types are kept.
 */
export function pingOneErrorBody(text: string): PingOneErrorBody | undefined {
  const body = parseJson(text);
  if (!isRecord(body) || typeof body.code !== "string" || body.code === "") return undefined;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const details = Array.isArray(body.details)
    ? body.details.filter(isRecord).map((d) => ({
        code: str(d.code),
        target: str(d.target),
        message: str(d.message),
        innerError: isRecord(d.innerError) ? d.innerError : undefined,
      }))
    : undefined;
  return { id: str(body.id), code: body.code, message: str(body.message), details };
}

/**
 * An OAuth error answer of the token endpoint (`{"error", "error_description"}`)
 * read as PingOne's error shape; PingOne's auth service also answers some
 * failures with a P1Error body, accepted too.
 */
export function tokenErrorBody(text: string): PingOneErrorBody | undefined {
  const body = parseJson(text);
  if (isRecord(body) && typeof body.error === "string" && body.error !== "") {
    return {
      code: body.error,
      message: typeof body.error_description === "string" ? body.error_description : undefined,
      id: typeof body.id === "string" ? body.id : undefined,
    };
  }
  return pingOneErrorBody(text);
}

/** A token answer's usable parts, or why it is unusable. Never quotes the body: it may hold a token. */
export function readTokenAnswer(text: string, contentType: string | undefined): { accessToken: string; expiresInSeconds: number } | { problem: string } {
  const body = parseJson(text);
  if (!isRecord(body)) return { problem: `the token endpoint answered with a body that is not a JSON object (${contentType ?? "no content type"}, ${text.length} bytes)` };
  if (typeof body.access_token !== "string" || body.access_token === "") return { problem: "the token endpoint answered without an access_token" };
  if (typeof body.token_type !== "string" || body.token_type.toLowerCase() !== "bearer") {
    const kind = typeof body.token_type === "string" ? quote(body.token_type) : "untyped";
    return { problem: `the token endpoint issued a ${kind} token, not a Bearer token` };
  }
  if (typeof body.expires_in !== "number" || !(body.expires_in > 0) || !Number.isFinite(body.expires_in)) {
    const shown = typeof body.expires_in === "number" ? String(body.expires_in) : quote(JSON.stringify(body.expires_in ?? null));
    return { problem: `the token endpoint issued a token with expires_in ${shown}, so it is already expired or unusable` };
  }
  return { accessToken: body.access_token, expiresInSeconds: body.expires_in };
}

/** One page of a session list, checked. */
export interface SessionPage {
  /** The sessions of this page, each with a PingOne id. */
  sessions: PingOneSession[];
  /** The raw `_links.next.href`, when there is a next page. */
  next?: string;
}

/**
 * One page of a session list, or the reason it cannot be used. Every entry
 * must be an object with a PingOne id (an id is put into a URL path, so
 * anything else is refused, not skipped: skipping could hide a live session).
 */
export function readSessionPage(text: string): SessionPage | { problem: string } {
  const body = parseJson(text);
  if (!isRecord(body)) return { problem: "the session list is not a JSON object" };
  const embedded = body._embedded;
  if (embedded !== undefined && !isRecord(embedded)) return { problem: "the session list's _embedded is not an object" };
  const list = embedded?.sessions;
  if (list !== undefined && !Array.isArray(list)) return { problem: `the session list's _embedded.sessions is ${describeType(list)}, not an array` };
  const sessions: PingOneSession[] = [];
  for (const [index, entry] of (list ?? []).entries()) {
    if (!isRecord(entry)) return { problem: `entry ${index} of the session list is ${describeType(entry)}, not a session object` };
    if (!isPingOneId(entry.id)) {
      return { problem: `entry ${index} of the session list has no valid session id (${typeof entry.id === "string" ? quote(entry.id) : describeType(entry.id)})` };
    }
    sessions.push(entry as unknown as PingOneSession);
  }
  const links = body._links;
  const next = isRecord(links) && isRecord(links.next) ? links.next.href : undefined;
  if (next !== undefined && (typeof next !== "string" || next === "")) return { problem: `the session list's _links.next.href is ${describeType(next)}, not a link` };
  return { sessions, next };
}

/** A session object as read by `GET .../sessions/{id}`, or the reason it cannot be used. */
export function readSession(text: string, expectedId: string): PingOneSession | { problem: string } {
  const body = parseJson(text);
  if (!isRecord(body)) return { problem: "the session is not a JSON object" };
  if (typeof body.id !== "string" || body.id.toLowerCase() !== expectedId.toLowerCase()) {
    return { problem: `the answer describes ${typeof body.id === "string" ? `session ${quote(body.id)}` : "no session id"}, not session ${expectedId}` };
  }
  return body as unknown as PingOneSession;
}

/**
 * The time a session was created, in epoch milliseconds, or `undefined` when
 * PingOne's value cannot be read as an ISO 8601 time. Callers revoke a
 * session whose time is unreadable when a cutoff applies: when in doubt, revoke.
 */
export function sessionCreatedAt(session: PingOneSession): number | undefined {
  const value: unknown = session.createdAt;
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
