/**
 * PingOne's wire shapes, as its API documentation and published OpenAPI
 * description give them. Fields PingOne does not always send are optional.
 * And `Session`, a session as this package decides with it.
 */

/**
 * A moment at full precision: whole seconds since the epoch, and the
 * fraction of a second as its decimal digits (trailing zeros removed), so
 * `12:00:00.0001Z` is before `12:00:00.0009Z` (a `Date` keeps milliseconds only).
 */
export interface Instant {
  /** Whole seconds since 1970-01-01T00:00:00Z. */
  seconds: number;
  /** The fraction of a second as its decimal digits, trailing zeros removed ("" for none). */
  fraction: string;
}

/** One entry of a PingOne error's `details`. */
export interface PingOneErrorDetail {
  /** A fine-grained code, such as `INSUFFICIENT_PERMISSIONS` or `INVALID_VALUE`. */
  code?: string;
  /** The item that caused the error. */
  target?: string;
  /** Human-readable text, in English. */
  message?: string;
  /** Extra hints such as `allowedPattern`. */
  innerError?: Record<string, unknown>;
}

/** PingOne's error body (`P1Error`). */
export interface PingOneErrorBody {
  /** A unique id to quote to Ping support. */
  id?: string;
  /** A general code, such as `ACCESS_FAILED`, `NOT_FOUND`, `REQUEST_LIMITED`. */
  code?: string;
  /** Human-readable text, in English. */
  message?: string;
  /** More specific causes. */
  details?: PingOneErrorDetail[];
}

/** A user session as PingOne returns it. Only `id` is always present. */
export interface PingOneSession {
  /** The session id (a UUID). */
  id: string;
  /** The environment holding the user. */
  environment?: { id: string };
  /** The user who owns the session. */
  user?: { id: string };
  /** ISO 8601 time of creation. */
  createdAt?: string;
  /** ISO 8601 time of last activity. */
  activeAt?: string;
  /** ISO 8601 expiry (seen in practice, not in every document). */
  expiresAt?: string;
  /** The last sign-on in this session: when, from where, with which authenticators. */
  lastSignOn?: { at?: string; remoteIp?: string; authenticators?: string[] };
  /** The browser seen at sign-on. */
  browser?: { name?: string; version?: string };
  /** The kind of device (Desktop, Mobile, ...). */
  device?: { type?: string };
  /** The device's operating system. */
  operatingSystem?: { name?: string };
  /** The last few places the session was used from (PingOne keeps 5). */
  locations?: { at?: string; remoteIp?: string; city?: string; state?: string; region?: string; country?: string }[];
  /** Minutes of inactivity after which PingOne ends the session. */
  idleTimeoutInMinutes?: number;
  /** HAL links: `self`, `environment`, `user`. */
  _links?: Record<string, { href: string }>;
}

/**
 * A session as this package reads it, decoded once from PingOne's answer
 * (`decodeSession` in answers.ts): the facts criteria decide on, each of the
 * type it claims, and the object as PingOne sent it, for display only.
 */
export interface Session {
  /** The session id (a list entry's is checked to be a PingOne id). */
  id: string;
  /** When it was created, at full precision; absent when PingOne's value is not a date-time with a zone (when in doubt, revoke). */
  createdAt?: Instant;
  /** When its user last signed on in it; absent as `createdAt` is. */
  lastSignOnAt?: Instant;
  /** Every address it was seen from (its last sign-on's, then its locations'), non-empty strings only. */
  addresses: string[];
  /** The object as PingOne sent it: shown escaped, field by field (an unexpected type as its JSON), never trusted beyond `id`. */
  wire: PingOneSession;
}

/** A user as PingOne's users endpoints return it; only the fields this package reads. */
export interface PingOneUser {
  /** The user id (a UUID). */
  id: string;
  /** The user's population. */
  population?: { id: string };
  /** The sign-on name. */
  username?: string;
  /** The email address. */
  email?: string;
}

/** A population (a group of users an administrator role can be scoped to). */
export interface PingOnePopulation {
  /** The population id (a UUID). */
  id: string;
  /** Its name, as shown in PingOne's console. */
  name?: string;
}

/** A role, such as `Identity Data Admin`. */
export interface PingOneRole {
  /** The role id (a UUID). */
  id: string;
  /** Its name, as PingOne's API spells it. */
  name?: string;
}

/** One role assignment of an application: a role, granted over a scope. */
export interface PingOneRoleAssignment {
  /** The assignment id. */
  id: string;
  /** The role granted. */
  role: { id: string };
  /** Where it applies: the environment, one population, the organization, or an application. */
  scope: { id: string; type: "ENVIRONMENT" | "POPULATION" | "ORGANIZATION" | "APPLICATION" | string };
  /** The environment the assignment belongs to. */
  environment?: { id: string };
}
