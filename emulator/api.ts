// The management API under /v1: routing, the order of PingOne's checks, and the answer of each
// operation, computed from the tenant (state.ts). No sockets here: server.ts feeds requests in and
// writes the answers out, after its own latency, rate-limit and fault decisions.

import {
  accessFailed,
  currentSession,
  insufficientPermissions,
  invalidData,
  invalidFilter,
  methodNotAllowed,
  notFound,
  type P1Error,
} from "./errors";
import { FilterError, parseFilter, type FilterNode } from "./filter";
import { isUuid, type Actor, type EmulatorState, type SessionPosition } from "./state";

/** PingOne's cap on one page of users: more than this is never returned, whatever `limit` says. */
export const MAX_USER_PAGE_SIZE = 200;
/** Page size of the users list when the request gives no `limit` (PingOne's default is not documented). */
export const DEFAULT_USER_LIMIT = 100;

/** One API request as the server hands it over. */
export interface ApiRequest {
  method: string;
  /** Path without the query, e.g. "/v1/environments/…/users". */
  pathname: string;
  /** The query string without "?" ("" when none). */
  query: string;
  /** Path with query exactly as requested, for `_links.self`. */
  rawPath: string;
  /** The `Authorization` header, if any. */
  authorization: string | undefined;
}

/** What to answer. `body` undefined means no body (204). */
export interface ApiAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** The paging settings the API reads on every request, so changes take effect at once. */
export interface PagingSettings {
  /** Sessions per page, or undefined for one page. */
  listPageSize: number | undefined;
  /** Most users per page (at most `MAX_USER_PAGE_SIZE`). */
  userPageSize: number;
}

/** The path ids a route captures, named as the 400 answer's `target` names them. */
type IdName = "environmentId" | "userId" | "sessionId" | "populationId" | "applicationId" | "roleId";

type Ids = Partial<Record<IdName, string>>;

interface Route {
  pattern: RegExp;
  ids: IdName[];
  methods: string[];
  handle(this: void, api: ManagementApi, call: Call): ApiAnswer;
}

/** A request that passed authentication, routing, method and id checks. */
interface Call {
  request: ApiRequest;
  actor: Actor;
  ids: Required<Ids>;
  params: URLSearchParams;
}

const ROUTES: Route[] = [
  {
    pattern: /^\/v1\/environments\/([^/]+)\/users$/,
    ids: ["environmentId"],
    methods: ["GET"],
    handle: (api, c) => api.listUsers(c),
  },
  {
    pattern: /^\/v1\/environments\/([^/]+)\/users\/([^/]+)$/,
    ids: ["environmentId", "userId"],
    methods: ["GET"],
    handle: (api, c) => api.readUser(c),
  },
  {
    pattern: /^\/v1\/environments\/([^/]+)\/users\/([^/]+)\/sessions$/,
    ids: ["environmentId", "userId"],
    methods: ["GET"],
    handle: (api, c) => api.listSessions(c),
  },
  {
    pattern: /^\/v1\/environments\/([^/]+)\/users\/([^/]+)\/sessions\/([^/]+)$/,
    ids: ["environmentId", "userId", "sessionId"],
    methods: ["GET", "DELETE"],
    handle: (api, c) => (c.request.method === "GET" ? api.readSession(c) : api.deleteSession(c)),
  },
  {
    pattern: /^\/v1\/environments\/([^/]+)\/populations\/([^/]+)$/,
    ids: ["environmentId", "populationId"],
    methods: ["GET"],
    handle: (api, c) => api.readPopulation(c),
  },
  {
    pattern: /^\/v1\/environments\/([^/]+)\/applications\/([^/]+)\/roleAssignments$/,
    ids: ["environmentId", "applicationId"],
    methods: ["GET"],
    handle: (api, c) => api.listRoleAssignments(c),
  },
  { pattern: /^\/v1\/roles$/, ids: [], methods: ["GET"], handle: (api, c) => api.listRoles(c) },
  { pattern: /^\/v1\/roles\/([^/]+)$/, ids: ["roleId"], methods: ["GET"], handle: (api, c) => api.readRole(c) },
];

/**
 * The management API of one emulated tenant. Order of checks for every route: bearer token (401),
 * route (404), method (405 with `Allow`), UUID path ids (400, one detail per bad id), role (403),
 * query parameters (400), existence (404).
 */
export class ManagementApi {
  constructor(
    private readonly state: EmulatorState,
    /** "http://127.0.0.1:PORT", the base of `_links.self`. */
    private readonly origin: string,
    private readonly paging: () => PagingSettings,
  ) {}

  /** Answers one request under /v1. Throws only on an emulator bug (the server answers 500). */
  handle(request: ApiRequest): ApiAnswer {
    // The gateway authenticates before routing, so even an unknown path needs a valid token.
    const bearer = request.authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(request.authorization);
    const actor = bearer ? this.state.resolveToken(bearer[1]) : undefined;
    if (!actor) {
      // RFC 6750: no error code when no token was sent, invalid_token when one was refused.
      return p1(401, accessFailed(), { "WWW-Authenticate": bearer ? 'Bearer error="invalid_token"' : "Bearer" });
    }
    const route = ROUTES.find((r) => r.pattern.test(request.pathname));
    if (!route) return p1(404, notFound());
    if (!route.methods.includes(request.method)) {
      // 405 rather than 404, so a client using the wrong verb is not told "already gone".
      return p1(405, methodNotAllowed(request.method, route.methods), { Allow: route.methods.join(", ") });
    }
    const raw = route.pattern.exec(request.pathname)!.slice(1);
    const ids: Ids = {};
    const invalid: Array<{ target: string; message: string }> = [];
    route.ids.forEach((name, i) => {
      const value = safeDecode(raw[i]);
      if (value === undefined || !isUuid(value))
        invalid.push({ target: name, message: `${name} must be a UUID, got ${JSON.stringify(value ?? raw[i])}.` });
      else ids[name] = value;
    });
    if (invalid.length > 0) return p1(400, invalidData(invalid));
    return route.handle(this, {
      request,
      actor,
      ids: ids as Required<Ids>,
      params: new URLSearchParams(request.query),
    });
  }

  // ---- sessions ----

  /** GET …/users/{userID}/sessions: newest first, paged by `listPageSize` with a cursor that survives deletions. */
  listSessions(c: Call): ApiAnswer {
    const { environmentId, userId } = c.ids;
    const refused = this.userAccess(c, "authn:read:sessions");
    if (refused) return refused;
    const cursor = c.params.get("cursor");
    let after: SessionPosition | undefined;
    if (cursor !== null) {
      after = decodeSessionCursor(cursor);
      if (!after) return p1(400, invalidData([{ target: "cursor", message: "cursor is not one this server issued." }]));
    }
    const page = this.state.sessionsPage(environmentId, userId, { after, size: this.paging().listPageSize });
    const links: Record<string, { href: string }> = { self: { href: `${this.origin}${c.request.rawPath}` } };
    if (page.next)
      links.next = {
        href: `${this.state.apiUrl}/environments/${environmentId}/users/${userId}/sessions?cursor=${encodeSessionCursor(page.next)}`,
      };
    return json(200, {
      _links: links,
      _embedded: { sessions: page.sessions },
      count: page.count,
      size: page.sessions.length,
    });
  }

  /** GET …/sessions/{sessionID}. */
  readSession(c: Call): ApiAnswer {
    const refused = this.userAccess(c, "authn:read:sessions");
    if (refused) return refused;
    const session = this.state.findSession(c.ids.environmentId, c.ids.userId, c.ids.sessionId);
    return session ? json(200, session) : p1(404, notFound());
  }

  /** DELETE …/sessions/{sessionID}: 204, 404 when already gone, 400 for the caller's own current session. */
  deleteSession(c: Call): ApiAnswer {
    const { environmentId, userId, sessionId } = c.ids;
    const refused = this.userAccess(c, "authn:delete:sessions");
    if (refused) return refused;
    if (!this.state.findSession(environmentId, userId, sessionId)) return p1(404, notFound());
    if (c.actor.kind === "user" && c.actor.sessionId === sessionId) return p1(400, currentSession());
    this.state.deleteSession(environmentId, userId, sessionId);
    return { status: 204 };
  }

  // ---- users and populations ----

  /** GET …/users/{userID}: the user with `population.id`. */
  readUser(c: Call): ApiAnswer {
    const refused = this.userAccess(c, "identity:read:user");
    if (refused) return refused;
    return json(200, this.state.getUser(c.ids.environmentId, c.ids.userId));
  }

  /**
   * GET …/users?filter=…&limit=…&cursor=…: the users the caller may read that match the filter, in a
   * stable order, at most `min(limit, userPageSize)` a page, with an absolute `_links.next.href`
   * while more remain. A population-scoped caller sees only its populations' users.
   */
  listUsers(c: Call): ApiAnswer {
    const { environmentId } = c.ids;
    const reach = this.state.reach(c.actor, environmentId, "identity:read:user");
    if (reach.kind === "none") return p1(403, insufficientPermissions());
    const limitText = c.params.get("limit");
    const limit =
      limitText === null
        ? DEFAULT_USER_LIMIT
        : /^\d{1,9}$/.test(limitText)
          ? Math.min(Number(limitText), MAX_USER_PAGE_SIZE)
          : 0;
    if (limit < 1)
      return p1(
        400,
        invalidData([
          {
            target: "limit",
            message: `limit must be an integer 1..${MAX_USER_PAGE_SIZE}, got ${JSON.stringify(limitText)}.`,
          },
        ]),
      );
    const cursor = c.params.get("cursor");
    let from = 0;
    if (cursor !== null) {
      const position = decodeUserCursor(cursor);
      if (position === undefined || position > this.state.userPositions(environmentId)) {
        return p1(400, invalidData([{ target: "cursor", message: "cursor is not one this server issued." }]));
      }
      from = position;
    }
    const filterText = c.params.get("filter");
    let filter: FilterNode | undefined;
    if (filterText !== null) {
      try {
        filter = parseFilter(filterText);
      } catch (err) {
        if (err instanceof FilterError) return p1(400, invalidFilter(err.message));
        throw err;
      }
    }
    const pageSize = Math.min(limit, this.paging().userPageSize);
    const page = this.state.listUsers(environmentId, { filter, filterText: filterText ?? "", reach, from, pageSize });
    const links: Record<string, { href: string }> = { self: { href: `${this.origin}${c.request.rawPath}` } };
    if (page.next !== undefined) {
      const query = [
        ...(filterText === null ? [] : [`filter=${encodeURIComponent(filterText)}`]),
        `limit=${limit}`,
        `cursor=${encodeUserCursor(page.next)}`,
      ];
      links.next = { href: `${this.state.apiUrl}/environments/${environmentId}/users?${query.join("&")}` };
    }
    return json(200, { _links: links, _embedded: { users: page.users }, count: page.count, size: page.users.length });
  }

  /** GET …/populations/{populationID}: its `name`. */
  readPopulation(c: Call): ApiAnswer {
    const decision = this.state.checkPopulationAccess(c.actor, c.ids.environmentId, c.ids.populationId);
    if (decision === "forbidden") return p1(403, insufficientPermissions());
    if (decision === "not-found") return p1(404, notFound());
    return json(200, this.state.getPopulation(c.ids.environmentId, c.ids.populationId));
  }

  // ---- roles ----

  /** GET …/applications/{appID}/roleAssignments: `_embedded.roleAssignments`, one page. */
  listRoleAssignments(c: Call): ApiAnswer {
    const { environmentId, applicationId } = c.ids;
    const decision = this.state.checkRoleAssignmentsAccess(c.actor, environmentId, applicationId);
    if (decision === "forbidden") return p1(403, insufficientPermissions());
    if (decision === "not-found") return p1(404, notFound());
    const assignments = this.state.roleAssignmentsOf(applicationId);
    return json(200, {
      _links: { self: { href: `${this.origin}${c.request.rawPath}` } },
      _embedded: { roleAssignments: assignments },
      count: assignments.length,
      size: assignments.length,
    });
  }

  /** GET /roles: every role. Roles are the platform's, readable with any application token. */
  listRoles(c: Call): ApiAnswer {
    if (c.actor.kind !== "application") return p1(403, insufficientPermissions());
    const roles = this.state.listRoles();
    return json(200, {
      _links: { self: { href: `${this.origin}${c.request.rawPath}` } },
      _embedded: { roles },
      count: roles.length,
      size: roles.length,
    });
  }

  /** GET /roles/{roleID}. */
  readRole(c: Call): ApiAnswer {
    if (c.actor.kind !== "application") return p1(403, insufficientPermissions());
    const role = this.state.getRole(c.ids.roleId);
    return role ? json(200, role) : p1(404, notFound());
  }

  // ---- helpers ----

  /**
   * The role rule for one user: the 403 or 404 answer, or undefined when the call may go on.
   * Permission before existence, so nobody learns which users exist.
   */
  private userAccess(c: Call, permission: Parameters<EmulatorState["checkAccess"]>[3]): ApiAnswer | undefined {
    const access = this.state.checkAccess(c.actor, c.ids.environmentId, c.ids.userId, permission);
    if (access.outcome === "forbidden") return p1(403, insufficientPermissions());
    if (access.outcome === "user-not-found") return p1(404, notFound());
    return undefined;
  }
}

function json(status: number, body: unknown): ApiAnswer {
  return { status, body: JSON.stringify(body) };
}

function p1(status: number, error: P1Error, headers?: Record<string, string>): ApiAnswer {
  return { status, body: JSON.stringify(error), headers };
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

// Cursors are opaque to clients: base64url of a position only this server reads back.
function encodeSessionCursor(p: SessionPosition): string {
  return Buffer.from(`sessions:${p.createdMs}:${p.seq}`).toString("base64url");
}

function decodeSessionCursor(cursor: string): SessionPosition | undefined {
  const match = /^sessions:(-?\d{1,16}):(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  return match ? { createdMs: Number(match[1]), seq: Number(match[2]) } : undefined;
}

function encodeUserCursor(position: number): string {
  return Buffer.from(`users:${position}`).toString("base64url");
}

function decodeUserCursor(cursor: string): number | undefined {
  const match = /^users:(\d{1,9})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  return match ? Number(match[1]) : undefined;
}
