// The emulated PingOne tenant: an organization with environments, populations, groups, users and
// their sessions, roles, worker applications with role assignments, and the tokens issued to them;
// with the rules PingOne applies to them. Who may do what follows from the role assignments of the
// application behind a token and the permissions of its roles (roles.ts). No HTTP here.

import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";

import { compileFilter, type FilterAccess, type FilterNode } from "./filter";
import {
  BROWSERS,
  PLACES,
  SYSTEMS,
  type ApplicationRecord,
  type AssignmentRecord,
  type EnvironmentRecord,
  type StoredLocation,
  type StoredSession,
  type UserExtras,
  type UserRecord,
} from "./model";
import { BUILT_IN_ROLES, IDENTITY_DATA_ADMIN, SCOPE_TYPES, type Permission, type Role, type ScopeType } from "./roles";
import {
  LIFECYCLE_STATUS,
  populationView,
  roleAssignmentView,
  roleView,
  sessionView,
  userView,
  type PopulationView,
  type RoleAssignmentView,
  type RoleView,
  type Session,
  type UserView,
} from "./views";

export type { Session, SessionLocation, UserView, PopulationView, RoleAssignmentView, RoleView } from "./views";

/** How a worker application authenticates at the token endpoint. */
export type TokenAuthMethod = "client_secret_basic" | "client_secret_post";

/**
 * The first emulator's shorthand for the Identity Data Admin role: no `populationId` means at
 * environment level, else at population level. Translated into a role assignment when seeded.
 */
export interface IdentityDataAdminGrant {
  role: "Identity Data Administrator" | "Identity Data Admin";
  environmentId: string;
  populationId?: string;
}

/** @deprecated The first emulator's name for `IdentityDataAdminGrant`; kept so existing seeds compile. */
export type RoleAssignment = IdentityDataAdminGrant;

/** A role assignment to give an application, in the API's own shape. */
export interface RoleAssignmentSpec {
  /** Assignment id. Default: a random UUID. */
  id?: string;
  /** The role: its id, `{ id }`, or its name (e.g. "Identity Data Admin"). */
  role: string | { id: string };
  /** Where it applies. ORGANIZATION takes the state's `organizationId`. */
  scope: { type: ScopeType; id: string };
}

/** A worker application to register. */
export interface ApplicationSpec {
  /** The environment that issues its tokens (where it lives). */
  environmentId: string;
  /** Client id, which is also its application id. Default: a random UUID. */
  clientId?: string;
  /** Default: a random secret. */
  clientSecret?: string;
  /** Default client_secret_basic. */
  tokenAuthMethod?: TokenAuthMethod;
  /** Display name. Default "Worker <first 8 of the id>". */
  name?: string;
  /** Identity Data Admin in the first emulator's shorthand. */
  roles?: IdentityDataAdminGrant[];
  /** Role assignments in the API's shape, after those from `roles`. */
  roleAssignments?: RoleAssignmentSpec[];
  /**
   * Overrides what the application's roles say about reading role assignments: false makes
   * `GET …/applications/{id}/roleAssignments` answer 403 whatever it holds (a tenant whose roles
   * leave that permission out), true lets it read them. Default: from its roles.
   */
  roleAssignmentsReadable?: boolean;
}

/** A user to add. Attributes left out are absent from the user (and match no filter on them). */
export interface UserSpec {
  id?: string;
  /** Default: the environment's default population. */
  populationId?: string;
  /** Default "user-<first 8 of the id>". */
  username?: string;
  /** Default "<username>@example.com". */
  email?: string;
  /** Default true. */
  enabled?: boolean;
  /** Groups of the same environment the user is a member of. */
  groupIds?: string[];
  name?: { given?: string; family?: string };
  accountId?: string;
  externalId?: string;
  nickname?: string;
  title?: string;
  type?: string;
  /** Default: now. */
  createdAt?: Date;
}

/** One sign-on location to seed; the place fields default to a built-in place. */
export interface LocationSpec {
  at: Date;
  remoteIp: string;
  city?: string;
  state?: string;
  region?: string;
  country?: string;
}

/** A session to add. Every field is optional; the defaults make a plausible, single-sign-on session. */
export interface SessionSpec {
  id?: string;
  /** Default: now. */
  createdAt?: Date;
  /** Default: `createdAt`, or the last location's time. */
  lastSignOnAt?: Date;
  /** Default: `lastSignOnAt`. */
  activeAt?: Date;
  /** `lastSignOn.remoteIp`. Default: the last location's address, else one of 198.51.100.0/24. */
  remoteIp?: string;
  /** Oldest first; PingOne keeps the last 5. Default: one location at the last sign-on. */
  locations?: LocationSpec[];
  browser?: { name: string; version: string };
}

/** Who a bearer token speaks for: a worker application (client credentials) or a user's own sign-on session. */
export type Actor =
  | { kind: "application"; clientId: string }
  | { kind: "user"; environmentId: string; userId: string; sessionId: string };

/**
 * Whether an actor may act on a user. "user-not-found" is only returned when the actor could
 * see the user if it existed. `reason` is for in-process callers; the API never sends it.
 */
export type AccessDecision =
  { outcome: "allowed" } | { outcome: "forbidden"; reason: string } | { outcome: "user-not-found" };

/** Whether an actor may read a record that is not a user: allowed, forbidden, or (when it could see it) not found. */
export type ReadDecision = "allowed" | "forbidden" | "not-found";

/**
 * How far a permission reaches for an actor in one environment: nowhere, every user of the
 * environment (an ENVIRONMENT or ORGANIZATION scope), or the users of some populations.
 */
export type Reach =
  { kind: "none" } | { kind: "environment" } | { kind: "populations"; populationIds: ReadonlySet<string> };

/** The outcome of client authentication at the token endpoint. */
export type ClientAuthentication = { ok: true; clientId: string } | { ok: false; description: string };

/** Why a seeding call was refused: bad input, a missing parent, or an id already taken. */
export type EmulatorStateErrorKind = "invalid" | "not_found" | "conflict";

/** Thrown by every seeding method on bad input; `kind` lets the admin API choose 400, 404 or 409. */
export class EmulatorStateError extends Error {
  constructor(
    readonly kind: EmulatorStateErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "EmulatorStateError";
  }
}

/** Settings for a standalone state; `startEmulator` fills them in. */
export interface EmulatorStateOptions {
  /** Base for the absolute `_links` hrefs. Default "http://127.0.0.1/v1". */
  apiUrl?: string;
  /** Lifetime of issued tokens. Default 3600. */
  tokenLifetimeSeconds?: number;
  /** Milliseconds since the epoch; injected so token expiry can be tested without waiting. Default `Date.now`. */
  clock?: () => number;
  /** The organization every environment belongs to (the id of ORGANIZATION scopes). Default: a random UUID. */
  organizationId?: string;
}

/** Where a newest-first session listing stopped: the last session returned. Survives that session's deletion. */
export interface SessionPosition {
  createdMs: number;
  seq: number;
}

/** One page of a user's sessions, newest first. */
export interface SessionPage {
  sessions: Session[];
  /** Sessions the user has now. */
  count: number;
  /** Where the next page starts, or undefined on the last page. */
  next: SessionPosition | undefined;
}

/** What a users listing selects: the users `reach` covers that match `filter`, from position `from`. */
export interface UserQuery {
  /** Parsed filter, or undefined for every user. */
  filter: FilterNode | undefined;
  /** The filter's text, which keys the count cache. */
  filterText: string;
  /** Who is asking, as `reach(actor, env, "identity:read:user")` said; "none" selects nobody. */
  reach: Reach;
  /** Position in the environment's insertion order to start scanning at (0 for the first page). */
  from: number;
  /** The most users to return. */
  pageSize: number;
}

/** One page of users. */
export interface UserPage {
  users: UserView[];
  /** Position to continue from, or undefined on the last page. */
  next: number | undefined;
  /** How many users the query selects in all. */
  count: number;
}

/**
 * The key of `EmulatorState`'s trusted import, which skips per-record validation. Only the
 * emulator's own seeders (bulk.ts) hold it: it is not exported from the package entry.
 */
export const TRUSTED_IMPORT = Symbol("EmulatorState trusted import");

/** A user for the trusted import: ids already UUIDs, population and groups already in the environment. */
export interface ImportedUser {
  id: string;
  populationId: string;
  username: string;
  email: string;
  given: string;
  family: string;
  /** Lower-case group ids, or undefined for none. */
  groupIds: string[] | undefined;
  createdMs: number;
  /** Oldest first, at most `MAX_SESSIONS_PER_USER`; each with 1..5 locations, oldest first. */
  sessions: Array<{ id: string; createdMs: number; lastSignOnMs: number; locations: StoredLocation[] }>;
}

/** PingOne keeps at most this many sessions per user, dropping the oldest. */
export const MAX_SESSIONS_PER_USER = 10;
/** PingOne keeps the last this many locations of a session. */
export const MAX_LOCATIONS = 5;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** All PingOne resource ids are UUIDs; anything else is rejected with 400 by the API. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Sweep expired tokens once the store grows past this, so long benchmarks stay bounded. */
const TOKEN_SWEEP_THRESHOLD = 10_000;
/** Distinct users-list counts remembered; a sweep asks the same query once per page. */
const COUNT_CACHE_LIMIT = 256;
/** The role names the first emulator accepted for Identity Data Admin. */
const LEGACY_IDA_NAMES = new Set(["Identity Data Administrator", IDENTITY_DATA_ADMIN]);
/** Start of a refusal's reason; reasons are for in-process callers only, the API never sends them. */
const FORBIDDEN_ROLE = "the actor holds no role with this permission in this environment";

interface IssuedToken {
  actor: Actor;
  expiresAtMs: number;
}

const USER_FILTER_ACCESS: FilterAccess<UserRecord> = {
  attribute(u, attribute) {
    switch (attribute) {
      case "id":
        return u.id;
      case "population.id":
        return u.populationId;
      case "username":
        return u.username;
      case "email":
        return u.email;
      case "enabled":
        return u.enabled;
      case "lifecycle.status":
        return LIFECYCLE_STATUS;
      case "name.given":
        return u.extras?.given;
      case "name.family":
        return u.extras?.family;
      default:
        return u.extras?.[attribute];
    }
  },
  memberOf: (u, groupId) => u.groupIds?.includes(groupId) === true,
};

/**
 * The in-memory tenant. Seeding methods return the ids they create (a random UUID unless one is
 * passed) and throw `EmulatorStateError` on bad input. Inspection methods return fresh copies, so
 * a caller cannot change the tenant behind the API's back.
 */
export class EmulatorState {
  /** Base of every absolute href the tenant writes, e.g. "http://127.0.0.1:4010/v1". */
  readonly apiUrl: string;
  /** `expires_in` of every token issued. */
  readonly tokenLifetimeSeconds: number;
  /** The organization every environment belongs to. */
  readonly organizationId: string;
  private readonly clock: () => number;
  private readonly environments = new Map<string, EnvironmentRecord>();
  private readonly applications = new Map<string, ApplicationRecord>();
  private readonly roles = new Map<string, Role>(Object.values(BUILT_IN_ROLES).map((r) => [r.id, r]));
  private tokens = new Map<string, IssuedToken>();
  private readonly countCache = new Map<string, number>();
  private totalSessions = 0;
  private sequence = 0;

  /** Throws RangeError if `tokenLifetimeSeconds` is negative or not finite, or `organizationId` is not a UUID. */
  constructor(options: EmulatorStateOptions = {}) {
    this.apiUrl = (options.apiUrl ?? "http://127.0.0.1/v1").replace(/\/+$/, "");
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
    if (!(this.tokenLifetimeSeconds >= 0 && Number.isFinite(this.tokenLifetimeSeconds))) {
      throw new RangeError(`tokenLifetimeSeconds must be a non-negative number, got ${options.tokenLifetimeSeconds}`);
    }
    this.organizationId = options.organizationId ?? randomUUID();
    if (!isUuid(this.organizationId))
      throw new RangeError(`organizationId must be a UUID, got ${JSON.stringify(options.organizationId)}`);
    this.clock = options.clock ?? Date.now;
  }

  // ---- seeding ----

  /**
   * Creates an environment with a population named "Default", which new users join unless told
   * otherwise. Throws "invalid" on a non-UUID id, "conflict" if the id exists.
   */
  addEnvironment(opts: { id?: string } = {}): string {
    const id = this.newId(opts.id, "environment id");
    if (this.environments.has(id)) throw new EmulatorStateError("conflict", `environment ${id} already exists`);
    const defaultPopulationId = randomUUID();
    const now = this.clock();
    this.environments.set(id, {
      id,
      defaultPopulationId,
      populations: new Map([
        [defaultPopulationId, { id: defaultPopulationId, name: "Default", description: undefined, createdMs: now }],
      ]),
      groups: new Map(),
      users: new Map(),
      userOrder: [],
      version: 0,
    });
    return id;
  }

  /** The population new users of `environmentId` join by default. Throws "not_found" for an unknown environment. */
  defaultPopulationId(environmentId: string): string {
    return this.environment(environmentId).defaultPopulationId;
  }

  /** Adds a population. Throws "not_found" for an unknown environment, "invalid"/"conflict" for a bad or taken id. */
  addPopulation(environmentId: string, opts: { id?: string; name?: string; description?: string } = {}): string {
    const env = this.environment(environmentId);
    const id = this.newId(opts.id, "population id");
    if (env.populations.has(id))
      throw new EmulatorStateError("conflict", `population ${id} already exists in environment ${environmentId}`);
    const name = opts.name ?? `Population ${env.populations.size + 1}`;
    if (typeof name !== "string" || name === "")
      throw new EmulatorStateError("invalid", "population name must be a non-empty string");
    env.populations.set(id, { id, name, description: opts.description, createdMs: this.clock() });
    return id;
  }

  /** Adds a group users can be members of. Throws "not_found" for an unknown environment, "invalid"/"conflict" for a bad or taken id. */
  addGroup(environmentId: string, opts: { id?: string; name?: string } = {}): string {
    const env = this.environment(environmentId);
    const id = this.newId(opts.id, "group id").toLowerCase();
    if (env.groups.has(id))
      throw new EmulatorStateError("conflict", `group ${id} already exists in environment ${environmentId}`);
    env.groups.set(id, { id, name: opts.name ?? `Group ${env.groups.size + 1}` });
    return id;
  }

  /**
   * Adds a user to `populationId` (default: the environment's default population), a member of
   * `groupIds`. Throws "not_found" for an unknown environment, population or group, "invalid" for a
   * bad id or attribute, "conflict" for a taken id.
   */
  addUser(environmentId: string, opts: UserSpec = {}): string {
    const env = this.environment(environmentId);
    const id = this.newId(opts.id, "user id");
    if (env.users.has(id))
      throw new EmulatorStateError("conflict", `user ${id} already exists in environment ${environmentId}`);
    const populationId = opts.populationId ?? env.defaultPopulationId;
    if (!env.populations.has(populationId)) {
      throw new EmulatorStateError(
        "not_found",
        `population ${populationId} does not exist in environment ${environmentId}`,
      );
    }
    let groupIds: string[] | undefined;
    for (const groupId of opts.groupIds ?? []) {
      const key = String(groupId).toLowerCase();
      if (!env.groups.has(key))
        throw new EmulatorStateError("not_found", `group ${groupId} does not exist in environment ${environmentId}`);
      if (!groupIds?.includes(key)) (groupIds ??= []).push(key);
    }
    const username = opts.username ?? `user-${id.slice(0, 8)}`;
    const texts: Array<[string, unknown]> = [
      ["username", username],
      ["email", opts.email],
      ["accountId", opts.accountId],
      ["externalId", opts.externalId],
      ["nickname", opts.nickname],
      ["title", opts.title],
      ["type", opts.type],
      ["name.given", opts.name?.given],
      ["name.family", opts.name?.family],
    ];
    for (const [field, value] of texts) {
      if (value !== undefined && typeof value !== "string")
        throw new EmulatorStateError("invalid", `${field} must be a string`);
    }
    if (opts.enabled !== undefined && typeof opts.enabled !== "boolean")
      throw new EmulatorStateError("invalid", "enabled must be a boolean");
    const createdMs = this.validDate(opts.createdAt, "createdAt") ?? this.clock();
    const extras = pickExtras(opts);
    const user: UserRecord = {
      id,
      index: env.userOrder.length,
      username,
      email: opts.email ?? `${username}@example.com`,
      populationId,
      enabled: opts.enabled ?? true,
      createdMs,
      groupIds,
      extras,
      sessions: [],
    };
    env.users.set(id, user);
    env.userOrder.push(user);
    env.version++;
    return id;
  }

  /** Makes a user a member of a group. Throws "not_found" for an unknown environment, user or group. */
  addGroupMember(environmentId: string, groupId: string, userId: string): void {
    const env = this.environment(environmentId);
    const key = groupId.toLowerCase();
    if (!env.groups.has(key))
      throw new EmulatorStateError("not_found", `group ${groupId} does not exist in environment ${environmentId}`);
    const user = this.user(environmentId, userId);
    if (!user.groupIds?.includes(key)) (user.groupIds ??= []).push(key);
    env.version++;
  }

  /**
   * Adds a sign-on session and returns a copy of it. Like PingOne, keeps at most 10 sessions per user:
   * the oldest by `createdAt` (ties: first added) is dropped, which can be the new one if it is older
   * than all ten. Throws "not_found" for an unknown environment or user, "invalid" for a bad id, date,
   * address or browser, "conflict" if the user already has a session with that id.
   */
  addSession(environmentId: string, userId: string, opts: SessionSpec = {}): Session {
    const { user, stored } = this.insertSession(environmentId, userId, opts);
    return sessionView(this.apiUrl, environmentId, user.id, stored);
  }

  /** `addSession` without building the copy it returns: the session's id only. For seeding many sessions quickly; throws the same. */
  seedSession(environmentId: string, userId: string, opts: SessionSpec = {}): string {
    return this.insertSession(environmentId, userId, opts).stored.id;
  }

  private insertSession(
    environmentId: string,
    userId: string,
    opts: SessionSpec,
  ): { user: UserRecord; stored: StoredSession } {
    const user = this.user(environmentId, userId);
    const id = this.newId(opts.id, "session id");
    if (user.sessions.some((s) => s.id === id))
      throw new EmulatorStateError("conflict", `session ${id} already exists for user ${userId}`);
    const seq = this.sequence++;
    const createdMs = this.validDate(opts.createdAt, "createdAt") ?? this.clock();
    const locations = (opts.locations ?? []).map((l, i) => this.location(l, i, seq));
    const lastLocation = locations[locations.length - 1];
    const lastSignOnMs = this.validDate(opts.lastSignOnAt, "lastSignOnAt") ?? lastLocation?.atMs ?? createdMs;
    const activeMs = this.validDate(opts.activeAt, "activeAt") ?? lastSignOnMs;
    const remoteIp = opts.remoteIp ?? lastLocation?.remoteIp ?? `198.51.100.${(seq % 254) + 1}`;
    if (!isIP(remoteIp))
      throw new EmulatorStateError("invalid", `remoteIp must be an IP address, got ${JSON.stringify(opts.remoteIp)}`);
    if (
      opts.browser !== undefined &&
      !(typeof opts.browser?.name === "string" && typeof opts.browser.version === "string")
    ) {
      throw new EmulatorStateError("invalid", "browser must be { name, version } with string values");
    }
    const stored: StoredSession = {
      id,
      seq,
      createdMs,
      activeMs,
      lastSignOnMs,
      remoteIp,
      browser: opts.browser
        ? { name: opts.browser.name, version: opts.browser.version }
        : BROWSERS[seq % BROWSERS.length],
      system: SYSTEMS[seq % SYSTEMS.length],
      locations:
        locations.length > 0
          ? locations.slice(-MAX_LOCATIONS)
          : [{ atMs: lastSignOnMs, remoteIp, place: PLACES[seq % PLACES.length] }],
    };
    this.storeSession(user, stored);
    return { user, stored };
  }

  /**
   * Registers a worker application issued by `environmentId` with the given role assignments, and
   * returns its credentials (a random UUID client id and a random secret unless given). Throws
   * "not_found" if the issuer environment, a role, or a scope's environment or population does not
   * exist; "invalid" on a bad id, a scope the role cannot have, or an unknown auth method; "conflict"
   * if the client id is taken.
   */
  addApplication(opts: ApplicationSpec): { clientId: string; clientSecret: string } {
    this.environment(opts.environmentId);
    const clientId = this.newId(opts.clientId, "clientId");
    if (this.applications.has(clientId))
      throw new EmulatorStateError("conflict", `application ${clientId} already exists`);
    const tokenAuthMethod = opts.tokenAuthMethod ?? "client_secret_basic";
    if (tokenAuthMethod !== "client_secret_basic" && tokenAuthMethod !== "client_secret_post") {
      throw new EmulatorStateError(
        "invalid",
        `tokenAuthMethod must be client_secret_basic or client_secret_post, got ${String(tokenAuthMethod)}`,
      );
    }
    if (opts.roles !== undefined && !Array.isArray(opts.roles))
      throw new EmulatorStateError("invalid", "roles must be an array");
    if (opts.roleAssignments !== undefined && !Array.isArray(opts.roleAssignments))
      throw new EmulatorStateError("invalid", "roleAssignments must be an array");
    if (opts.roleAssignmentsReadable !== undefined && typeof opts.roleAssignmentsReadable !== "boolean") {
      throw new EmulatorStateError("invalid", "roleAssignmentsReadable must be a boolean");
    }
    const specs: RoleAssignmentSpec[] = [
      ...(opts.roles ?? []).map((grant, i) => this.fromGrant(grant, i)),
      ...(opts.roleAssignments ?? []),
    ];
    const assignments = specs.map((spec, i) => this.assignment(spec, `roleAssignments[${i}]`));
    const clientSecret = opts.clientSecret ?? randomBytes(48).toString("base64url");
    if (typeof clientSecret !== "string" || clientSecret.length === 0)
      throw new EmulatorStateError("invalid", "clientSecret must be a non-empty string");
    this.applications.set(clientId, {
      clientId,
      clientSecret,
      name: opts.name ?? `Worker ${clientId.slice(0, 8)}`,
      environmentId: opts.environmentId,
      tokenAuthMethod,
      assignments,
      roleAssignmentsReadable: opts.roleAssignmentsReadable,
    });
    return { clientId, clientSecret };
  }

  /**
   * Deletes a worker application, as an operator does after rotating to a new one: its secret no
   * longer gets a token, and every token it was issued stops working (401). Throws "not_found" for
   * an unknown client id.
   */
  removeApplication(clientId: string): void {
    this.application(clientId);
    this.applications.delete(clientId);
    for (const [token, issued] of this.tokens) {
      if (issued.actor.kind === "application" && issued.actor.clientId === clientId) this.tokens.delete(token);
    }
  }

  /** Gives an existing application one more role assignment and returns its id. Throws like `addApplication`, and "not_found" for an unknown application. */
  assignRole(clientId: string, spec: RoleAssignmentSpec): string {
    const app = this.application(clientId);
    const assignment = this.assignment(spec, "roleAssignment");
    if (app.assignments.some((a) => a.id === assignment.id))
      throw new EmulatorStateError("conflict", `role assignment ${assignment.id} already exists`);
    app.assignments.push(assignment);
    return assignment.id;
  }

  /**
   * Adds a custom role (e.g. one without a permission a built-in role has). Throws "invalid" on an
   * unknown permission or scope type, "conflict" on a taken id or name.
   */
  addRole(opts: {
    id?: string;
    name: string;
    description?: string;
    applicableTo?: ScopeType[];
    permissions: Permission[];
  }): string {
    const id = this.newId(opts.id, "role id");
    if (this.roles.has(id)) throw new EmulatorStateError("conflict", `role ${id} already exists`);
    if (typeof opts.name !== "string" || opts.name === "")
      throw new EmulatorStateError("invalid", "role name must be a non-empty string");
    if ([...this.roles.values()].some((r) => r.name === opts.name))
      throw new EmulatorStateError("conflict", `a role named ${JSON.stringify(opts.name)} already exists`);
    const applicableTo = opts.applicableTo ?? [...SCOPE_TYPES];
    for (const type of applicableTo)
      if (!SCOPE_TYPES.includes(type))
        throw new EmulatorStateError("invalid", `unknown scope type ${JSON.stringify(type)}`);
    const known = new Set(Object.values(BUILT_IN_ROLES).flatMap((r) => r.permissions.map((p) => p.id)));
    for (const permission of opts.permissions)
      if (!known.has(permission))
        throw new EmulatorStateError("invalid", `unknown permission ${JSON.stringify(permission)}`);
    const descriptions = new Map(
      Object.values(BUILT_IN_ROLES).flatMap((r) => r.permissions.map((p) => [p.id, p.description] as const)),
    );
    this.roles.set(id, {
      id,
      name: opts.name,
      description: opts.description ?? opts.name,
      applicableTo: [...applicableTo],
      permissions: opts.permissions.map((p) => ({ id: p, description: descriptions.get(p) ?? p })),
    });
    return id;
  }

  /**
   * Issues a bearer token bound to the user's own sign-on session: it may list, read and delete that
   * user's sessions and read the user, nothing else; deleting `sessionId` itself is refused with 400.
   * Throws "not_found" if the environment, user or session does not exist.
   */
  issueUserSessionToken(environmentId: string, userId: string, sessionId: string): string {
    const user = this.user(environmentId, userId);
    if (!user.sessions.some((s) => s.id === sessionId)) {
      throw new EmulatorStateError("not_found", `session ${sessionId} does not exist for user ${userId}`);
    }
    return this.issue({ kind: "user", environmentId, userId, sessionId });
  }

  /** Invalidates every token issued so far, as if they had all expired; later tokens are unaffected. */
  expireAllTokens(): void {
    this.tokens = new Map();
  }

  // ---- inspection ----

  /** Copies of the user's sessions, newest first. Throws "not_found" for an unknown environment or user. */
  listSessions(environmentId: string, userId: string): Session[] {
    return this.sessionsNewestFirst(environmentId, userId);
  }

  /** A copy of one session, or undefined if the environment, user or session does not exist. */
  getSession(environmentId: string, userId: string, sessionId: string): Session | undefined {
    return this.findSession(environmentId, userId, sessionId);
  }

  /** Sessions across every environment and user. */
  sessionCount(): number {
    return this.totalSessions;
  }

  /** Users in the environment. Throws "not_found" for an unknown environment. */
  userCount(environmentId: string): number {
    return this.environment(environmentId).userOrder.length;
  }

  /** Whether the environment exists. */
  hasEnvironment(environmentId: string): boolean {
    return this.environments.has(environmentId);
  }

  /** The user as the API shows it, or undefined if the environment or user does not exist. */
  getUser(environmentId: string, userId: string): UserView | undefined {
    const user = this.environments.get(environmentId)?.users.get(userId);
    return user ? userView(this.apiUrl, environmentId, user) : undefined;
  }

  /** The population as the API shows it, or undefined if the environment or population does not exist. */
  getPopulation(environmentId: string, populationId: string): PopulationView | undefined {
    const env = this.environments.get(environmentId);
    const population = env?.populations.get(populationId);
    return env && population
      ? populationView(this.apiUrl, environmentId, population, population.id === env.defaultPopulationId)
      : undefined;
  }

  /** The application's role assignments as the API shows them. Throws "not_found" for an unknown application. */
  roleAssignmentsOf(clientId: string): RoleAssignmentView[] {
    const app = this.application(clientId);
    return app.assignments.map((a) => roleAssignmentView(this.apiUrl, app, a));
  }

  /** The environment an application was issued by, or undefined for an unknown application. */
  applicationEnvironment(clientId: string): string | undefined {
    return this.applications.get(clientId)?.environmentId;
  }

  /** The role as the API shows it, or undefined. */
  getRole(roleId: string): RoleView | undefined {
    const role = this.roles.get(roleId);
    return role ? roleView(this.apiUrl, role) : undefined;
  }

  /** Every role, built-in first. */
  listRoles(): RoleView[] {
    return [...this.roles.values()].map((r) => roleView(this.apiUrl, r));
  }

  // ---- used by the HTTP layer ----

  /** The user's sessions, newest first, as fresh API objects. Throws "not_found" like `listSessions`. */
  sessionsNewestFirst(environmentId: string, userId: string): Session[] {
    const sessions = this.user(environmentId, userId).sessions;
    const out: Session[] = new Array(sessions.length);
    for (let i = 0; i < sessions.length; i++)
      out[i] = sessionView(this.apiUrl, environmentId, userId, sessions[sessions.length - 1 - i]);
    return out;
  }

  /**
   * One page of the user's sessions, newest first, starting after `after` (the last session of the
   * previous page, which may since have been deleted: the page still starts where it left off).
   * Throws "not_found" for an unknown environment or user.
   */
  sessionsPage(
    environmentId: string,
    userId: string,
    opts: { after?: SessionPosition; size?: number } = {},
  ): SessionPage {
    const sessions = this.user(environmentId, userId).sessions;
    const size = opts.size ?? sessions.length;
    let i = sessions.length - 1;
    if (opts.after) {
      const { createdMs, seq } = opts.after;
      while (
        i >= 0 &&
        (sessions[i].createdMs > createdMs || (sessions[i].createdMs === createdMs && sessions[i].seq >= seq))
      )
        i--;
    }
    const page: Session[] = [];
    let last: StoredSession | undefined;
    for (; i >= 0 && page.length < size; i--) {
      last = sessions[i];
      page.push(sessionView(this.apiUrl, environmentId, userId, last));
    }
    const next = i >= 0 && last ? { createdMs: last.createdMs, seq: last.seq } : undefined;
    return { sessions: page, count: sessions.length, next };
  }

  /** One session as a fresh API object, or undefined if it (or its user or environment) does not exist. */
  findSession(environmentId: string, userId: string, sessionId: string): Session | undefined {
    const found = this.environments
      .get(environmentId)
      ?.users.get(userId)
      ?.sessions.find((s) => s.id === sessionId);
    return found ? sessionView(this.apiUrl, environmentId, userId, found) : undefined;
  }

  /** Deletes a session; false if it (or its user or environment) does not exist. */
  deleteSession(environmentId: string, userId: string, sessionId: string): boolean {
    const user = this.environments.get(environmentId)?.users.get(userId);
    if (!user) return false;
    const index = user.sessions.findIndex((s) => s.id === sessionId);
    if (index < 0) return false;
    user.sessions.splice(index, 1);
    this.totalSessions--;
    return true;
  }

  /**
   * One page of users: those `query.reach` covers and `query.filter` matches, in insertion order,
   * from position `query.from`. `count` is the number the query selects in all (cached per query
   * until the environment's users change). Throws "not_found" for an unknown environment.
   */
  listUsers(environmentId: string, query: UserQuery): UserPage {
    const env = this.environment(environmentId);
    const selects = this.userSelector(query);
    const users: UserView[] = [];
    const order = env.userOrder;
    let i = query.from;
    for (; i < order.length && users.length < query.pageSize; i++)
      if (selects(order[i])) users.push(userView(this.apiUrl, environmentId, order[i]));
    while (i < order.length && !selects(order[i])) i++;
    return { users, next: i < order.length ? i : undefined, count: this.countUsers(env, query, selects) };
  }

  /** How many users the environment has in insertion order: the bound of a users cursor. Throws "not_found" for an unknown environment. */
  userPositions(environmentId: string): number {
    return this.environment(environmentId).userOrder.length;
  }

  /**
   * Token-endpoint client authentication in environment `environmentId`. Fails (never throws) when
   * the client is unknown or issued by another environment, uses another auth method, or the secret
   * is wrong; the description says which.
   */
  authenticateClient(
    environmentId: string,
    presented: { clientId: string; clientSecret: string; method: TokenAuthMethod },
  ): ClientAuthentication {
    const app = this.applications.get(presented.clientId);
    if (!app || app.environmentId !== environmentId) {
      return {
        ok: false,
        description: `Client authentication failed: no application with this client_id in environment ${environmentId}.`,
      };
    }
    if (app.tokenAuthMethod !== presented.method) {
      return {
        ok: false,
        description: `Client authentication failed: the application requires ${app.tokenAuthMethod}, not ${presented.method}.`,
      };
    }
    const expected = Buffer.from(app.clientSecret);
    const given = Buffer.from(presented.clientSecret);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { ok: false, description: "Client authentication failed: invalid client_secret." };
    }
    return { ok: true, clientId: app.clientId };
  }

  /**
   * Issues a client-credentials token for an application. `accessToken` fixes its value: a static
   * token (as `PINGONE_API_ACCESS_TOKEN` carries) that speaks for this application like any other.
   * Throws "not_found" for an unknown client id, "invalid" for an empty or spaced token, "conflict"
   * if that token value already speaks for another actor.
   */
  issueApplicationToken(
    clientId: string,
    opts: { accessToken?: string } = {},
  ): { accessToken: string; expiresIn: number } {
    this.application(clientId);
    const actor: Actor = { kind: "application", clientId };
    if (opts.accessToken === undefined) return { accessToken: this.issue(actor), expiresIn: this.tokenLifetimeSeconds };
    if (typeof opts.accessToken !== "string" || !/^[\x21-\x7e]+$/.test(opts.accessToken)) {
      throw new EmulatorStateError("invalid", "accessToken must be a non-empty string of visible ASCII characters");
    }
    const existing = this.tokens.get(opts.accessToken);
    if (existing && !(existing.actor.kind === "application" && existing.actor.clientId === clientId)) {
      throw new EmulatorStateError("conflict", "this accessToken already speaks for another actor");
    }
    this.tokens.set(opts.accessToken, { actor, expiresAtMs: this.clock() + this.tokenLifetimeSeconds * 1000 });
    return { accessToken: opts.accessToken, expiresIn: this.tokenLifetimeSeconds };
  }

  /** The actor behind a bearer token, or undefined if the token is unknown, expired or revoked. */
  resolveToken(token: string): Actor | undefined {
    const issued = this.tokens.get(token);
    if (!issued) return undefined;
    if (this.clock() >= issued.expiresAtMs) {
      this.tokens.delete(token);
      return undefined;
    }
    return issued.actor;
  }

  /**
   * How far `permission` reaches for `actor` in `environmentId`, from the role assignments of the
   * application behind it: an ORGANIZATION or ENVIRONMENT scope (of this environment) reaches every
   * user, POPULATION scopes reach the users of those populations. A user's own sign-on token and
   * an unknown environment reach nothing (see `checkAccess` for the user's own reach).
   */
  reach(actor: Actor, environmentId: string, permission: Permission): Reach {
    const env = this.environments.get(environmentId);
    const app = actor.kind === "application" ? this.applications.get(actor.clientId) : undefined;
    if (!env || !app) return { kind: "none" };
    let populations: Set<string> | undefined;
    for (const a of app.assignments) {
      if (!this.roles.get(a.roleId)?.permissions.some((p) => p.id === permission)) continue;
      if (a.scope.type === "ORGANIZATION" || (a.scope.type === "ENVIRONMENT" && a.scope.id === environmentId))
        return { kind: "environment" };
      if (a.scope.type === "POPULATION" && env.populations.has(a.scope.id)) (populations ??= new Set()).add(a.scope.id);
    }
    return populations ? { kind: "populations", populationIds: populations } : { kind: "none" };
  }

  /**
   * PingOne's role rule for acting on a user (`permission`: the session permission by default). An
   * application whose reach (see `reach`) is the environment may act on every user and learns that a
   * user does not exist; one whose reach is some populations only on their users, and an unknown
   * user is "forbidden" too, so a narrowly scoped application cannot probe which users exist. A
   * user-session token reaches only its own user.
   */
  checkAccess(
    actor: Actor,
    environmentId: string,
    userId: string,
    permission: Permission = "authn:delete:sessions",
  ): AccessDecision {
    const env = this.environments.get(environmentId);
    if (actor.kind === "user") {
      if (actor.environmentId !== environmentId || actor.userId !== userId) {
        return { outcome: "forbidden", reason: "a user's sign-on token may only act on that user" };
      }
      return env?.users.has(userId) ? { outcome: "allowed" } : { outcome: "user-not-found" };
    }
    const reach = this.reach(actor, environmentId, permission);
    if (reach.kind === "none") return { outcome: "forbidden", reason: `${FORBIDDEN_ROLE} (${permission})` };
    const user = env?.users.get(userId);
    if (reach.kind === "environment") return user ? { outcome: "allowed" } : { outcome: "user-not-found" };
    if (user && reach.populationIds.has(user.populationId)) return { outcome: "allowed" };
    return {
      outcome: "forbidden",
      reason: `the actor's ${permission} covers only population(s) ${[...reach.populationIds].join(", ")}`,
    };
  }

  /** Whether `actor` may read a population: like users, a population-scoped reach sees only its own populations. */
  checkPopulationAccess(actor: Actor, environmentId: string, populationId: string): ReadDecision {
    const reach = this.reach(actor, environmentId, "identity:read:population");
    if (reach.kind === "none") return "forbidden";
    if (reach.kind === "populations") return reach.populationIds.has(populationId) ? "allowed" : "forbidden";
    return this.environments.get(environmentId)?.populations.has(populationId) ? "allowed" : "not-found";
  }

  /**
   * Whether `actor` may read the role assignments of application `clientId` in `environmentId` (its
   * own environment): it needs a role with `orgmgt:read:roleAssignment` at any scope in that
   * environment, unless its `roleAssignmentsReadable` setting says otherwise. "not-found" when it may
   * read them but no such application lives in that environment.
   */
  checkRoleAssignmentsAccess(actor: Actor, environmentId: string, clientId: string): ReadDecision {
    if (actor.kind !== "application" || !this.environments.has(environmentId)) return "forbidden";
    const reader = this.applications.get(actor.clientId);
    const allowed =
      reader?.roleAssignmentsReadable ?? this.reach(actor, environmentId, "orgmgt:read:roleAssignment").kind !== "none";
    if (!allowed) return "forbidden";
    return this.applications.get(clientId)?.environmentId === environmentId ? "allowed" : "not-found";
  }

  /**
   * Adds users and their sessions without validating them, for seeders that build them valid (a
   * large tenant in seconds rather than minutes). Throws "not_found" for an unknown environment only.
   */
  [TRUSTED_IMPORT](environmentId: string, users: ImportedUser[]): void {
    const env = this.environment(environmentId);
    for (const u of users) {
      const sessions: StoredSession[] = u.sessions.map((s) => {
        const seq = this.sequence++;
        const remoteIp = s.locations[s.locations.length - 1].remoteIp;
        return {
          id: s.id,
          seq,
          createdMs: s.createdMs,
          activeMs: s.lastSignOnMs,
          lastSignOnMs: s.lastSignOnMs,
          remoteIp,
          browser: BROWSERS[seq % BROWSERS.length],
          system: SYSTEMS[seq % SYSTEMS.length],
          locations: s.locations,
        };
      });
      const record: UserRecord = {
        id: u.id,
        index: env.userOrder.length,
        username: u.username,
        email: u.email,
        populationId: u.populationId,
        enabled: true,
        createdMs: u.createdMs,
        groupIds: u.groupIds,
        extras: { given: u.given, family: u.family },
        sessions,
      };
      env.users.set(u.id, record);
      env.userOrder.push(record);
      this.totalSessions += sessions.length;
    }
    env.version++;
  }

  // ---- internals ----

  private storeSession(user: UserRecord, stored: StoredSession): void {
    let at = user.sessions.length;
    while (at > 0 && user.sessions[at - 1].createdMs > stored.createdMs) at--;
    user.sessions.splice(at, 0, stored);
    this.totalSessions++;
    while (user.sessions.length > MAX_SESSIONS_PER_USER) {
      user.sessions.shift();
      this.totalSessions--;
    }
  }

  private location(spec: LocationSpec, i: number, seq: number): StoredLocation {
    const atMs = this.validDate(spec?.at, `locations[${i}].at`);
    if (atMs === undefined) throw new EmulatorStateError("invalid", `locations[${i}].at is required`);
    if (typeof spec.remoteIp !== "string" || !isIP(spec.remoteIp))
      throw new EmulatorStateError(
        "invalid",
        `locations[${i}].remoteIp must be an IP address, got ${JSON.stringify(spec.remoteIp)}`,
      );
    const base = PLACES[(seq + i) % PLACES.length];
    const custom =
      spec.city !== undefined || spec.state !== undefined || spec.region !== undefined || spec.country !== undefined;
    const place = custom
      ? {
          city: spec.city ?? base.city,
          state: spec.state ?? base.state,
          region: spec.region ?? base.region,
          country: spec.country ?? base.country,
        }
      : base;
    return { atMs, remoteIp: spec.remoteIp, place };
  }

  private fromGrant(grant: IdentityDataAdminGrant, i: number): RoleAssignmentSpec {
    if (!LEGACY_IDA_NAMES.has(grant?.role)) {
      throw new EmulatorStateError(
        "invalid",
        `roles[${i}].role must be "Identity Data Administrator", got ${JSON.stringify(grant?.role)}`,
      );
    }
    const env = this.environment(grant.environmentId);
    if (grant.populationId === undefined)
      return { role: { id: BUILT_IN_ROLES.identityDataAdmin.id }, scope: { type: "ENVIRONMENT", id: env.id } };
    if (!env.populations.has(grant.populationId)) {
      throw new EmulatorStateError(
        "not_found",
        `roles[${i}].populationId ${grant.populationId} does not exist in environment ${grant.environmentId}`,
      );
    }
    return { role: { id: BUILT_IN_ROLES.identityDataAdmin.id }, scope: { type: "POPULATION", id: grant.populationId } };
  }

  private assignment(spec: RoleAssignmentSpec, where: string): AssignmentRecord {
    if (typeof spec !== "object" || spec === null)
      throw new EmulatorStateError("invalid", `${where} must be an object`);
    const role = typeof spec.role === "string" ? this.roleByIdOrName(spec.role) : this.roles.get(spec.role?.id);
    if (!role) throw new EmulatorStateError("not_found", `${where}.role ${JSON.stringify(spec.role)} does not exist`);
    const type = spec.scope?.type;
    const scopeId = spec.scope?.id;
    if (!SCOPE_TYPES.includes(type))
      throw new EmulatorStateError(
        "invalid",
        `${where}.scope.type must be one of ${SCOPE_TYPES.join(", ")}, got ${JSON.stringify(type)}`,
      );
    if (!role.applicableTo.includes(type))
      throw new EmulatorStateError("invalid", `${where}: the role ${role.name} cannot be assigned at ${type} scope`);
    if (typeof scopeId !== "string") throw new EmulatorStateError("invalid", `${where}.scope.id must be a string`);
    if (type === "ORGANIZATION" && scopeId !== this.organizationId)
      throw new EmulatorStateError("not_found", `${where}.scope.id: organization ${scopeId} does not exist`);
    if (type === "ENVIRONMENT" && !this.environments.has(scopeId))
      throw new EmulatorStateError("not_found", `${where}.scope.id: environment ${scopeId} does not exist`);
    if (type === "POPULATION" && ![...this.environments.values()].some((e) => e.populations.has(scopeId))) {
      throw new EmulatorStateError("not_found", `${where}.scope.id: population ${scopeId} does not exist`);
    }
    return { id: this.newId(spec.id, `${where}.id`), roleId: role.id, scope: { type, id: scopeId } };
  }

  private roleByIdOrName(value: string): Role | undefined {
    return this.roles.get(value) ?? [...this.roles.values()].find((r) => r.name === value);
  }

  private userSelector(query: UserQuery): (u: UserRecord) => boolean {
    const matches = query.filter ? compileFilter(query.filter, USER_FILTER_ACCESS) : () => true;
    const reach = query.reach;
    if (reach.kind === "none") return () => false;
    if (reach.kind === "environment") return matches;
    return (u) => reach.populationIds.has(u.populationId) && matches(u);
  }

  private countUsers(env: EnvironmentRecord, query: UserQuery, selects: (u: UserRecord) => boolean): number {
    const reachKey =
      query.reach.kind === "populations" ? [...query.reach.populationIds].sort().join(",") : query.reach.kind;
    const key = `${env.id}\u0000${env.version}\u0000${reachKey}\u0000${query.filterText}`;
    const cached = this.countCache.get(key);
    if (cached !== undefined) return cached;
    let count = 0;
    for (const u of env.userOrder) if (selects(u)) count++;
    if (this.countCache.size >= COUNT_CACHE_LIMIT) this.countCache.clear();
    this.countCache.set(key, count);
    return count;
  }

  private issue(actor: Actor): string {
    const now = this.clock();
    if (this.tokens.size >= TOKEN_SWEEP_THRESHOLD) {
      for (const [token, issued] of this.tokens) if (now >= issued.expiresAtMs) this.tokens.delete(token);
    }
    const token = randomBytes(32).toString("base64url");
    this.tokens.set(token, { actor, expiresAtMs: now + this.tokenLifetimeSeconds * 1000 });
    return token;
  }

  private newId(given: string | undefined, what: string): string {
    if (given === undefined) return randomUUID();
    if (typeof given !== "string" || !isUuid(given))
      throw new EmulatorStateError("invalid", `${what} must be a UUID, got ${JSON.stringify(given)}`);
    return given;
  }

  private validDate(value: Date | undefined, what: string): number | undefined {
    if (value === undefined) return undefined;
    if (!(value instanceof Date) || Number.isNaN(value.getTime()))
      throw new EmulatorStateError("invalid", `${what} must be a valid Date`);
    return value.getTime();
  }

  private environment(environmentId: string): EnvironmentRecord {
    const env = this.environments.get(environmentId);
    if (!env) throw new EmulatorStateError("not_found", `environment ${environmentId} does not exist`);
    return env;
  }

  private user(environmentId: string, userId: string): UserRecord {
    const user = this.environment(environmentId).users.get(userId);
    if (!user)
      throw new EmulatorStateError("not_found", `user ${userId} does not exist in environment ${environmentId}`);
    return user;
  }

  private application(clientId: string): ApplicationRecord {
    const app = this.applications.get(clientId);
    if (!app) throw new EmulatorStateError("not_found", `application ${clientId} does not exist`);
    return app;
  }
}

function pickExtras(opts: UserSpec): UserExtras | undefined {
  const extras: UserExtras = {};
  let any = false;
  for (const key of ["accountId", "externalId", "nickname", "title", "type"] as const) {
    if (opts[key] !== undefined) {
      extras[key] = opts[key];
      any = true;
    }
  }
  if (opts.name?.given !== undefined) {
    extras.given = opts.name.given;
    any = true;
  }
  if (opts.name?.family !== undefined) {
    extras.family = opts.name.family;
    any = true;
  }
  return any ? extras : undefined;
}
