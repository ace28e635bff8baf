// The emulated PingOne tenant: environments, populations, users, sessions, worker applications and
// the tokens issued to them, with the rules PingOne applies to them. No HTTP here.

import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";

/** How a worker application authenticates at the token endpoint. */
export type TokenAuthMethod = "client_secret_basic" | "client_secret_post";

/** A role held by a worker application. No `populationId` means the role covers the whole environment. */
export interface RoleAssignment {
  role: "Identity Data Administrator";
  environmentId: string;
  populationId?: string;
}

/** One entry of `Session.locations` (PingOne keeps the last 5). */
export interface SessionLocation {
  at: string;
  remoteIp: string;
  city: string;
  state: string;
  region: string;
  country: string;
}

/** A user's sign-on session, with the fields PingOne documents. Dates are ISO 8601 strings. */
export interface Session {
  id: string;
  environment: { id: string };
  user: { id: string };
  createdAt: string;
  activeAt: string;
  lastSignOn: { at: string; remoteIp: string; authenticators: string[] };
  browser: { name: string; version: string };
  device: { type: string };
  operatingSystem: { name: string };
  locations: SessionLocation[];
  idleTimeoutInMinutes: number;
  /** PingOne probably sends this (unconfirmed); the emulator does, as `activeAt` + idle timeout. */
  expiresAt: string;
  _links: { self: { href: string }; environment: { href: string }; user: { href: string } };
}

/** Who a bearer token speaks for: a worker application (client credentials) or a user's own sign-on session. */
export type Actor =
  | { kind: "application"; clientId: string }
  | { kind: "user"; environmentId: string; userId: string; sessionId: string };

/** Whether an actor may act on a user's sessions. "user-not-found" is only returned when the actor could see the user if it existed. */
export type AccessDecision = { outcome: "allowed" } | { outcome: "forbidden"; reason: string } | { outcome: "user-not-found" };

/** The outcome of client authentication at the token endpoint. */
export type ClientAuthentication = { ok: true; clientId: string } | { ok: false; description: string };

/** Why a seeding call was refused: bad input, a missing parent, or an id already taken. */
export type EmulatorStateErrorKind = "invalid" | "not_found" | "conflict";

/** Thrown by every seeding method on bad input; `kind` lets the admin API choose 400, 404 or 409. */
export class EmulatorStateError extends Error {
  constructor(readonly kind: EmulatorStateErrorKind, message: string) {
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

interface StoredSession {
  session: Session;
  createdMs: number;
  seq: number;
}

interface User {
  id: string;
  username: string;
  populationId: string;
  /** Oldest first, by creation time then insertion order. */
  sessions: StoredSession[];
}

interface Environment {
  id: string;
  defaultPopulationId: string;
  populations: Map<string, { id: string; name: string }>;
  users: Map<string, User>;
}

interface Application {
  clientId: string;
  clientSecret: string;
  environmentId: string;
  tokenAuthMethod: TokenAuthMethod;
  roles: RoleAssignment[];
}

interface IssuedToken {
  actor: Actor;
  expiresAtMs: number;
}

// Invented but plausible sign-on details, cycled so sessions differ from one another.
const BROWSERS = [
  { name: "Chrome", version: "124.0.6367.91" },
  { name: "Firefox", version: "125.0" },
  { name: "Safari", version: "17.4.1" },
  { name: "Edge", version: "124.0.2478.67" },
];
const SYSTEMS = [
  { os: "Windows", device: "Desktop" },
  { os: "macOS", device: "Desktop" },
  { os: "iOS", device: "Mobile" },
  { os: "Android", device: "Mobile" },
];
const PLACES = [
  { city: "Denver", state: "CO", region: "Colorado", country: "United States" },
  { city: "London", state: "ENG", region: "England", country: "United Kingdom" },
  { city: "Toronto", state: "ON", region: "Ontario", country: "Canada" },
  { city: "Sydney", state: "NSW", region: "New South Wales", country: "Australia" },
];
const IDLE_TIMEOUT_MINUTES = 480;
/** Sweep expired tokens once the store grows past this, so long benchmarks stay bounded. */
const TOKEN_SWEEP_THRESHOLD = 10_000;

/**
 * The in-memory tenant. Seeding methods return the ids they create (a random UUID unless one is
 * passed) and throw `EmulatorStateError` on bad input. Inspection methods return copies, so a
 * caller cannot change the tenant behind the API's back.
 */
export class EmulatorState {
  /** Base of every absolute href the tenant writes, e.g. "http://127.0.0.1:4010/v1". */
  readonly apiUrl: string;
  /** `expires_in` of every token issued. */
  readonly tokenLifetimeSeconds: number;
  private readonly clock: () => number;
  private readonly environments = new Map<string, Environment>();
  private readonly applications = new Map<string, Application>();
  private tokens = new Map<string, IssuedToken>();
  private totalSessions = 0;
  private sequence = 0;

  /** Throws RangeError if `tokenLifetimeSeconds` is negative or not finite. */
  constructor(options: EmulatorStateOptions = {}) {
    this.apiUrl = (options.apiUrl ?? "http://127.0.0.1/v1").replace(/\/+$/, "");
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
    if (!(this.tokenLifetimeSeconds >= 0 && Number.isFinite(this.tokenLifetimeSeconds))) {
      throw new RangeError(`tokenLifetimeSeconds must be a non-negative number, got ${options.tokenLifetimeSeconds}`);
    }
    this.clock = options.clock ?? Date.now;
  }

  // ---- seeding ----

  /** Creates an environment with a population named "Default", which new users join unless told otherwise. Throws "invalid" on a non-UUID id, "conflict" if the id exists. */
  addEnvironment(opts: { id?: string } = {}): string {
    const id = this.newId(opts.id, "environment id");
    if (this.environments.has(id)) throw new EmulatorStateError("conflict", `environment ${id} already exists`);
    const defaultPopulationId = randomUUID();
    this.environments.set(id, {
      id,
      defaultPopulationId,
      populations: new Map([[defaultPopulationId, { id: defaultPopulationId, name: "Default" }]]),
      users: new Map(),
    });
    return id;
  }

  /** The population new users of `environmentId` join by default. Throws "not_found" for an unknown environment. */
  defaultPopulationId(environmentId: string): string {
    return this.environment(environmentId).defaultPopulationId;
  }

  /** Adds a population. Throws "not_found" for an unknown environment, "invalid"/"conflict" for a bad or taken id. */
  addPopulation(environmentId: string, opts: { id?: string; name?: string } = {}): string {
    const env = this.environment(environmentId);
    const id = this.newId(opts.id, "population id");
    if (env.populations.has(id)) throw new EmulatorStateError("conflict", `population ${id} already exists in environment ${environmentId}`);
    env.populations.set(id, { id, name: opts.name ?? `Population ${env.populations.size + 1}` });
    return id;
  }

  /** Adds a user to `populationId` (default: the environment's default population). Throws "not_found" for an unknown environment or population, "invalid"/"conflict" for a bad or taken id. */
  addUser(environmentId: string, opts: { id?: string; populationId?: string; username?: string } = {}): string {
    const env = this.environment(environmentId);
    const id = this.newId(opts.id, "user id");
    if (env.users.has(id)) throw new EmulatorStateError("conflict", `user ${id} already exists in environment ${environmentId}`);
    const populationId = opts.populationId ?? env.defaultPopulationId;
    if (!env.populations.has(populationId)) {
      throw new EmulatorStateError("not_found", `population ${populationId} does not exist in environment ${environmentId}`);
    }
    env.users.set(id, { id, username: opts.username ?? `user-${id.slice(0, 8)}`, populationId, sessions: [] });
    return id;
  }

  /**
   * Adds a sign-on session and returns a copy of it. Like PingOne, keeps at most 10 sessions per user:
   * the oldest by `createdAt` (ties: first added) is dropped, which can be the new one if it is older
   * than all ten. Throws "not_found" for an unknown environment or user, "invalid" for a bad id or date,
   * "conflict" if the user already has a session with that id.
   */
  addSession(environmentId: string, userId: string, opts: { id?: string; createdAt?: Date } = {}): Session {
    const user = this.user(environmentId, userId);
    const id = this.newId(opts.id, "session id");
    if (user.sessions.some((s) => s.session.id === id)) throw new EmulatorStateError("conflict", `session ${id} already exists for user ${userId}`);
    const created = opts.createdAt ?? new Date(this.clock());
    if (!(created instanceof Date) || Number.isNaN(created.getTime())) throw new EmulatorStateError("invalid", "createdAt must be a valid Date");
    const seq = this.sequence++;
    const stored: StoredSession = { session: this.makeSession(environmentId, userId, id, created, seq), createdMs: created.getTime(), seq };
    let at = user.sessions.length;
    while (at > 0 && user.sessions[at - 1].createdMs > stored.createdMs) at--;
    user.sessions.splice(at, 0, stored);
    this.totalSessions++;
    while (user.sessions.length > MAX_SESSIONS_PER_USER) {
      user.sessions.shift();
      this.totalSessions--;
    }
    return structuredClone(stored.session);
  }

  /**
   * Registers a worker application issued by `environmentId` with the given roles, and returns its
   * credentials (a random UUID client id and a random secret unless given). Throws "not_found" if the
   * issuer environment, a role's environment or a role's population does not exist; "invalid" on a
   * bad id, an unknown role or auth method; "conflict" if the client id is taken.
   */
  addApplication(opts: {
    environmentId: string;
    clientId?: string;
    clientSecret?: string;
    tokenAuthMethod?: TokenAuthMethod;
    roles: RoleAssignment[];
  }): { clientId: string; clientSecret: string } {
    this.environment(opts.environmentId);
    const clientId = this.newId(opts.clientId, "clientId");
    if (this.applications.has(clientId)) throw new EmulatorStateError("conflict", `application ${clientId} already exists`);
    const tokenAuthMethod = opts.tokenAuthMethod ?? "client_secret_basic";
    if (tokenAuthMethod !== "client_secret_basic" && tokenAuthMethod !== "client_secret_post") {
      throw new EmulatorStateError("invalid", `tokenAuthMethod must be client_secret_basic or client_secret_post, got ${String(tokenAuthMethod)}`);
    }
    if (!Array.isArray(opts.roles)) throw new EmulatorStateError("invalid", "roles must be an array");
    const roles = opts.roles.map((role, i) => {
      if (role.role !== "Identity Data Administrator") {
        throw new EmulatorStateError("invalid", `roles[${i}].role must be "Identity Data Administrator", got ${JSON.stringify(role.role)}`);
      }
      const env = this.environment(role.environmentId);
      if (role.populationId !== undefined && !env.populations.has(role.populationId)) {
        throw new EmulatorStateError("not_found", `roles[${i}].populationId ${role.populationId} does not exist in environment ${role.environmentId}`);
      }
      return role.populationId === undefined
        ? { role: role.role, environmentId: role.environmentId }
        : { role: role.role, environmentId: role.environmentId, populationId: role.populationId };
    });
    const clientSecret = opts.clientSecret ?? randomBytes(48).toString("base64url");
    if (typeof clientSecret !== "string" || clientSecret.length === 0) throw new EmulatorStateError("invalid", "clientSecret must be a non-empty string");
    this.applications.set(clientId, { clientId, clientSecret, environmentId: opts.environmentId, tokenAuthMethod, roles });
    return { clientId, clientSecret };
  }

  /**
   * Issues a bearer token bound to the user's own sign-on session: it may list, read and delete that
   * user's sessions only, and deleting `sessionId` itself is refused with 400. Throws "not_found" if
   * the environment, user or session does not exist.
   */
  issueUserSessionToken(environmentId: string, userId: string, sessionId: string): string {
    const user = this.user(environmentId, userId);
    if (!user.sessions.some((s) => s.session.id === sessionId)) {
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
    return this.sessionsNewestFirst(environmentId, userId).map((s) => structuredClone(s));
  }

  /** A copy of one session, or undefined if the environment, user or session does not exist. */
  getSession(environmentId: string, userId: string, sessionId: string): Session | undefined {
    const found = this.environments.get(environmentId)?.users.get(userId)?.sessions.find((s) => s.session.id === sessionId);
    return found ? structuredClone(found.session) : undefined;
  }

  /** Sessions across every environment and user. */
  sessionCount(): number {
    return this.totalSessions;
  }

  /** Whether the environment exists. */
  hasEnvironment(environmentId: string): boolean {
    return this.environments.has(environmentId);
  }

  // ---- used by the HTTP layer ----

  /** The user's sessions, newest first, NOT copied: read-only, for serialising answers cheaply. Throws "not_found" like `listSessions`. */
  sessionsNewestFirst(environmentId: string, userId: string): readonly Session[] {
    const sessions = this.user(environmentId, userId).sessions;
    const out: Session[] = new Array(sessions.length);
    for (let i = 0; i < sessions.length; i++) out[i] = sessions[sessions.length - 1 - i].session;
    return out;
  }

  /** One session, NOT copied (read-only), or undefined. */
  findSession(environmentId: string, userId: string, sessionId: string): Readonly<Session> | undefined {
    return this.environments.get(environmentId)?.users.get(userId)?.sessions.find((s) => s.session.id === sessionId)?.session;
  }

  /** Deletes a session; false if it (or its user or environment) does not exist. */
  deleteSession(environmentId: string, userId: string, sessionId: string): boolean {
    const user = this.environments.get(environmentId)?.users.get(userId);
    if (!user) return false;
    const index = user.sessions.findIndex((s) => s.session.id === sessionId);
    if (index < 0) return false;
    user.sessions.splice(index, 1);
    this.totalSessions--;
    return true;
  }

  /**
   * Token-endpoint client authentication in environment `environmentId`. Fails (never throws) when
   * the client is unknown or issued by another environment, uses another auth method, or the secret
   * is wrong; the description says which.
   */
  authenticateClient(environmentId: string, presented: { clientId: string; clientSecret: string; method: TokenAuthMethod }): ClientAuthentication {
    const app = this.applications.get(presented.clientId);
    if (!app || app.environmentId !== environmentId) {
      return { ok: false, description: `Client authentication failed: no application with this client_id in environment ${environmentId}.` };
    }
    if (app.tokenAuthMethod !== presented.method) {
      return { ok: false, description: `Client authentication failed: the application requires ${app.tokenAuthMethod}, not ${presented.method}.` };
    }
    const expected = Buffer.from(app.clientSecret);
    const given = Buffer.from(presented.clientSecret);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { ok: false, description: "Client authentication failed: invalid client_secret." };
    }
    return { ok: true, clientId: app.clientId };
  }

  /** Issues a client-credentials token for an authenticated application. Throws "not_found" for an unknown client id. */
  issueApplicationToken(clientId: string): { accessToken: string; expiresIn: number } {
    if (!this.applications.has(clientId)) throw new EmulatorStateError("not_found", `application ${clientId} does not exist`);
    return { accessToken: this.issue({ kind: "application", clientId }), expiresIn: this.tokenLifetimeSeconds };
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
   * PingOne's role rule for acting on a user's sessions. An application needs Identity Data
   * Administrator in `environmentId`: at environment level it reaches every user (and learns that a
   * user does not exist); at population level only users of those populations, and an unknown user
   * is "forbidden" too, so a narrowly scoped application cannot probe which users exist.
   * A user-session token reaches only its own user.
   */
  checkAccess(actor: Actor, environmentId: string, userId: string): AccessDecision {
    const env = this.environments.get(environmentId);
    if (actor.kind === "user") {
      if (actor.environmentId !== environmentId || actor.userId !== userId) {
        return { outcome: "forbidden", reason: "Actor does not have permissions to access this user: a user's sign-on token may only act on that user's own sessions." };
      }
      return env?.users.has(userId) ? { outcome: "allowed" } : { outcome: "user-not-found" };
    }
    const app = this.applications.get(actor.clientId);
    const roles = app ? app.roles.filter((r) => r.environmentId === environmentId) : [];
    if (!env || roles.length === 0) {
      return {
        outcome: "forbidden",
        reason: `Actor does not have permissions to access environment ${environmentId}: the worker application holds no Identity Data Administrator role there.`,
      };
    }
    const user = env.users.get(userId);
    if (roles.some((r) => r.populationId === undefined)) return user ? { outcome: "allowed" } : { outcome: "user-not-found" };
    if (user && roles.some((r) => r.populationId === user.populationId)) return { outcome: "allowed" };
    return {
      outcome: "forbidden",
      reason: `Actor does not have permissions to access user ${userId}: the worker application's Identity Data Administrator role covers only population(s) ${roles.map((r) => r.populationId).join(", ")}.`,
    };
  }

  // ---- internals ----

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
    if (typeof given !== "string" || !isUuid(given)) throw new EmulatorStateError("invalid", `${what} must be a UUID, got ${JSON.stringify(given)}`);
    return given;
  }

  private environment(environmentId: string): Environment {
    const env = this.environments.get(environmentId);
    if (!env) throw new EmulatorStateError("not_found", `environment ${environmentId} does not exist`);
    return env;
  }

  private user(environmentId: string, userId: string): User {
    const user = this.environment(environmentId).users.get(userId);
    if (!user) throw new EmulatorStateError("not_found", `user ${userId} does not exist in environment ${environmentId}`);
    return user;
  }

  private makeSession(environmentId: string, userId: string, id: string, created: Date, seq: number): Session {
    const at = created.toISOString();
    const browser = BROWSERS[seq % BROWSERS.length];
    const system = SYSTEMS[seq % SYSTEMS.length];
    const place = PLACES[seq % PLACES.length];
    // Documentation address range (RFC 5737), so seeded data never names a real host.
    const remoteIp = `198.51.100.${(seq % 254) + 1}`;
    const userHref = `${this.apiUrl}/environments/${environmentId}/users/${userId}`;
    return {
      id,
      environment: { id: environmentId },
      user: { id: userId },
      createdAt: at,
      activeAt: at,
      lastSignOn: { at, remoteIp, authenticators: ["pwd"] },
      browser: { ...browser },
      device: { type: system.device },
      operatingSystem: { name: system.os },
      locations: [{ at, remoteIp, ...place }].slice(-MAX_LOCATIONS),
      idleTimeoutInMinutes: IDLE_TIMEOUT_MINUTES,
      expiresAt: new Date(created.getTime() + IDLE_TIMEOUT_MINUTES * 60_000).toISOString(),
      _links: {
        self: { href: `${userHref}/sessions/${id}` },
        environment: { href: `${this.apiUrl}/environments/${environmentId}` },
        user: { href: userHref },
      },
    };
  }
}
