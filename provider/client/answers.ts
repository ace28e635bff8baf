/**
 * Reading PingOne's answers. Every body is untrusted: it is parsed once here
 * and checked against the shape PingOne documents before any field is used,
 * so a broken or hostile server yields a named problem, never a `TypeError`
 * and never a silent "nothing there".
 */
import { isPingOneId } from "./ids";
import { parseInstant } from "./inputs";
import { printable, quote } from "./text";
import { PingOneErrorBody, PingOneRoleAssignment, PingOneSession, PingOneUser, Session } from "./types";

/**
 * An answer's body, parsed once for every reader (the classifier, the error
 * body, the page or object reader): `json` holds its value when the text is
 * JSON at all (any JSON value); `isJson` is false when it is empty or not JSON.
 */
export type ParsedBody = { isJson: true; json: unknown } | { isJson: false; json?: undefined };

/** Parses an answer's text once; see `ParsedBody`. */
export function parseBody(text: string): ParsedBody {
  if (!text) return { isJson: false };
  try {
    return { isJson: true, json: JSON.parse(text) as unknown };
  } catch {
    return { isJson: false };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * PingOne's error body (`P1Error`: a JSON object whose `code` is a string),
 * or `undefined` when the parsed `body` is anything else: no JSON at all (HTML,
 * a proxy's page), another service's JSON. Only fields of the documented types are kept.
 */
export function pingOneErrorBody(body: unknown): PingOneErrorBody | undefined {
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
export function tokenErrorBody(body: unknown): PingOneErrorBody | undefined {
  if (isRecord(body) && typeof body.error === "string" && body.error !== "") {
    return {
      code: body.error,
      message: typeof body.error_description === "string" ? body.error_description : undefined,
      id: typeof body.id === "string" ? body.id : undefined,
    };
  }
  return pingOneErrorBody(body);
}

/** A token answer's usable parts, or why it is unusable. Never quotes the body: it may hold a token. */
export function readTokenAnswer(
  body: unknown,
  size: { contentType: string | undefined; bytes: number },
): { accessToken: string; expiresInSeconds: number } | { problem: string } {
  if (!isRecord(body))
    return {
      problem: `the token endpoint answered with a body that is not a JSON object (${size.contentType ?? "no content type"}, ${size.bytes} bytes)`,
    };
  if (typeof body.access_token !== "string" || body.access_token === "")
    return { problem: "the token endpoint answered without an access_token" };
  if (typeof body.token_type !== "string" || body.token_type.toLowerCase() !== "bearer") {
    const kind = typeof body.token_type === "string" ? quote(body.token_type) : "untyped";
    return { problem: `the token endpoint issued a ${kind} token, not a Bearer token` };
  }
  if (typeof body.expires_in !== "number" || !(body.expires_in > 0) || !Number.isFinite(body.expires_in)) {
    const shown =
      typeof body.expires_in === "number" ? String(body.expires_in) : quote(JSON.stringify(body.expires_in ?? null));
    return {
      problem: `the token endpoint issued a token with expires_in ${shown}, so it is already expired or unusable`,
    };
  }
  return { accessToken: body.access_token, expiresInSeconds: body.expires_in };
}

/** One page of a HAL list, checked: its items, and the raw `_links.next.href` when there is a next page. */
interface ListPage<T> {
  items: T[];
  next?: string;
}

/**
 * One page of a HAL list (`_embedded[key]`), or the reason it cannot be
 * used. Every entry must be an object with a PingOne id (an id is put into a
 * URL path, so anything else is refused, not skipped: skipping could hide a
 * live session), and `decode` turns it into this package's type or names its problem.
 */
function readPage<T>(
  body: unknown,
  key: string,
  noun: string,
  decode: (entry: IdentifiedEntry) => T | { problem: string },
): ListPage<T> | { problem: string } {
  if (!isRecord(body)) return { problem: `the ${noun} list is not a JSON object` };
  // PingOne's lists always carry `_embedded.<key>` (our contract marks both required): a 200 JSON object without
  // them (a health check's {"status":"UP"}, another service's answer) is not an empty list, and is refused.
  const embedded = body._embedded;
  if (embedded === undefined)
    return {
      problem: `the answer is a JSON object without _embedded (keys seen: ${keysSeen(body)}), not a ${noun} list`,
    };
  if (!isRecord(embedded))
    return { problem: `the ${noun} list's _embedded is ${describeType(embedded)}, not an object` };
  const list = embedded[key];
  if (list === undefined)
    return { problem: `the ${noun} list's _embedded has no ${key} (keys seen: ${keysSeen(embedded)})` };
  if (!Array.isArray(list))
    return { problem: `the ${noun} list's _embedded.${key} is ${describeType(list)}, not an array` };
  const items: T[] = [];
  for (const [index, entry] of list.entries()) {
    if (!isRecord(entry))
      return { problem: `entry ${index} of the ${noun} list is ${describeType(entry)}, not a ${noun} object` };
    if (!isPingOneId(entry.id)) {
      return {
        problem: `entry ${index} of the ${noun} list has no valid ${noun} id (${typeof entry.id === "string" ? quote(entry.id) : describeType(entry.id)})`,
      };
    }
    const item = decode(entry as IdentifiedEntry);
    if (isProblem(item)) return { problem: `entry ${index} of the ${noun} list ${item.problem}` };
    items.push(item);
  }
  const links = body._links;
  const next = isRecord(links) && isRecord(links.next) ? links.next.href : undefined;
  if (next !== undefined && (typeof next !== "string" || next === ""))
    return { problem: `the ${noun} list's _links.next.href is ${describeType(next)}, not a link` };
  return { items, next };
}

/** A server's object whose `id` was checked. */
type IdentifiedEntry = Record<string, unknown> & { id: string };

function isProblem(value: unknown): value is { problem: string } {
  return isRecord(value) && typeof value.problem === "string" && Object.keys(value).length === 1;
}

/** One page of a user's session list (`_embedded.sessions`), or why it cannot be used. */
export function readSessionPage(body: unknown): ListPage<Session> | { problem: string } {
  return readPage(body, "sessions", "session", decodeSession);
}

/** One page of a users list (`_embedded.users`), or why it cannot be used. A `population` that is present must carry an id. */
export function readUserPage(body: unknown): ListPage<PingOneUser> | { problem: string } {
  return readPage(body, "users", "user", decodeUser);
}

/** One page of an application's role assignments, or why it cannot be used: each names a role id and a scope. */
export function readRoleAssignmentPage(body: unknown): ListPage<PingOneRoleAssignment> | { problem: string } {
  return readPage(body, "roleAssignments", "role assignment", (entry): PingOneRoleAssignment | { problem: string } => {
    if (!isRecord(entry.role) || !isPingOneId(entry.role.id)) return { problem: "has no role id" };
    if (!isRecord(entry.scope) || typeof entry.scope.type !== "string" || !isPingOneId(entry.scope.id))
      return { problem: "has no scope type and id" };
    const environment =
      isRecord(entry.environment) && isPingOneId(entry.environment.id) ? { id: entry.environment.id } : undefined;
    return {
      id: entry.id,
      role: { id: entry.role.id },
      scope: { id: entry.scope.id, type: entry.scope.type },
      ...(environment && { environment }),
    };
  });
}

/** One user, as read by `GET .../users/{id}`, or why it cannot be used. */
export function readUser(body: unknown, expectedId: string): PingOneUser | { problem: string } {
  if (!isRecord(body) || typeof body.id !== "string" || body.id.toLowerCase() !== expectedId.toLowerCase())
    return { problem: `the answer does not describe user ${expectedId}` };
  const user = decodeUser(body as IdentifiedEntry);
  return isProblem(user) ? { problem: `user ${expectedId} ${user.problem}` } : user;
}

/** A named object (population, role) read by its id, or why it cannot be used. */
export function readNamed(
  body: unknown,
  expectedId: string,
  noun: string,
): { id: string; name?: string } | { problem: string } {
  if (!isRecord(body) || typeof body.id !== "string" || body.id.toLowerCase() !== expectedId.toLowerCase())
    return { problem: `the answer does not describe ${noun} ${expectedId}` };
  return { id: body.id, name: typeof body.name === "string" ? body.name : undefined };
}

/** A user with only the fields this package reads, each of its documented type; a `population` must carry an id. */
function decodeUser(entry: IdentifiedEntry): PingOneUser | { problem: string } {
  const user: PingOneUser = { id: entry.id };
  if (entry.population !== undefined) {
    if (!isRecord(entry.population) || !isPingOneId(entry.population.id))
      return { problem: "has a population without a valid id" };
    user.population = { id: entry.population.id };
  }
  if (typeof entry.username === "string") user.username = entry.username;
  if (typeof entry.email === "string") user.email = entry.email;
  return user;
}

/**
 * A session decoded from PingOne's object (see `Session`). Nothing but the
 * id is required and nothing is refused: a time that cannot be read is
 * absent and an address that is not a string is left out, so a sweep's
 * criteria revoke when in doubt. The object itself is kept as sent, for display.
 */
export function decodeSession(entry: Record<string, unknown> & { id: string }): Session {
  const lastSignOn = isRecord(entry.lastSignOn) ? entry.lastSignOn : undefined;
  const locations = Array.isArray(entry.locations)
    ? entry.locations.map((l: unknown) => (isRecord(l) ? l.remoteIp : undefined))
    : [];
  const session: Session = {
    id: entry.id,
    addresses: [lastSignOn?.remoteIp, ...locations].filter((ip): ip is string => typeof ip === "string" && ip !== ""),
    wire: entry as PingOneSession,
  };
  const createdAt = parseInstant(entry.createdAt);
  const lastSignOnAt = parseInstant(lastSignOn?.at);
  if (createdAt !== undefined) session.createdAt = createdAt;
  if (lastSignOnAt !== undefined) session.lastSignOnAt = lastSignOnAt;
  return session;
}

/** A session object as read by `GET .../sessions/{id}`, or the reason it cannot be used. */
export function readSession(body: unknown, expectedId: string): Session | { problem: string } {
  if (!isRecord(body)) return { problem: "the session is not a JSON object" };
  if (typeof body.id !== "string" || body.id.toLowerCase() !== expectedId.toLowerCase()) {
    return {
      problem: `the answer describes ${typeof body.id === "string" ? `session ${quote(body.id)}` : "no session id"}, not session ${expectedId}`,
    };
  }
  return decodeSession(body as IdentifiedEntry);
}

/** The first few keys of a server's object, escaped and cut, for a message saying what was seen. */
function keysSeen(value: Record<string, unknown>): string {
  const keys = Object.keys(value);
  if (keys.length === 0) return "none";
  const shown = keys
    .slice(0, 5)
    .map((k) => quote(printable(k)))
    .join(", ");
  return keys.length > 5 ? `${shown} and ${keys.length - 5} more` : shown;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
