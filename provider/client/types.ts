/**
 * PingOne's wire shapes, as its API documentation and published OpenAPI
 * description give them. Fields PingOne does not always send are optional.
 */

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
  environment?: { id: string };
  user?: { id: string };
  /** ISO 8601 time of creation. */
  createdAt?: string;
  /** ISO 8601 time of last activity. */
  activeAt?: string;
  /** ISO 8601 expiry (seen in practice, not in every document). */
  expiresAt?: string;
  lastSignOn?: { at?: string; remoteIp?: string; authenticators?: string[] };
  browser?: { name?: string; version?: string };
  device?: { type?: string };
  operatingSystem?: { name?: string };
  locations?: { at?: string; remoteIp?: string; city?: string; state?: string; region?: string; country?: string }[];
  idleTimeoutInMinutes?: number;
  _links?: Record<string, { href: string }>;
}

/** The body of a session list. */
export interface PingOneSessionList {
  _links?: { self?: { href: string }; next?: { href: string } };
  _embedded?: { sessions?: PingOneSession[] };
}
