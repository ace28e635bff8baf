// Error bodies as PingOne writes them: P1Error for the management API, RFC 6749 errors for the
// token endpoint, and the bare HTML page a gateway answers with when the service behind it fails.

import { randomUUID } from "node:crypto";

/** One entry of `P1Error.details`. */
export interface P1ErrorDetail {
  code: string;
  target?: string;
  message: string;
  innerError?: Record<string, unknown>;
}

/** PingOne's error body (components.schemas.P1Error). `id` is a fresh UUID for every answer. */
export interface P1Error {
  id: string;
  code: string;
  message: string;
  details?: P1ErrorDetail[];
}

/** RFC 6749 section 5.2 error body, as PingOne's token endpoint answers. */
export interface OAuthError {
  error: string;
  error_description: string;
}

/** A ready-to-send answer body. */
export interface ErrorBody {
  contentType: string;
  body: string;
}

/** PingOne's wording for 401 and 403; the reason for a 403 goes in the detail. */
export const ACCESS_FAILED_MESSAGE = "The request could not be completed. You do not have access to this resource.";
/** The detail of every 403: no hint at what would have been allowed. */
export const INSUFFICIENT_PERMISSIONS_MESSAGE = "Actor does not have permissions to access this resource.";
/** The top-level message of a refused users filter (the code is `INVALID_FILTER`; see emulator/README.md). */
export const INVALID_FILTER_MESSAGE = "The request could not be completed. The filter is not valid.";
/** PingOne's wording for 404. */
export const NOT_FOUND_MESSAGE = "The requested resource was not found.";
/** The answer PingOne gives when a user's own sign-on tries to delete itself. */
export const CURRENT_SESSION_MESSAGE = "The session to be deleted cannot be the current session.";

/** Builds a P1Error with a fresh id. `details` is left out when empty, as PingOne does. */
export function p1Error(code: string, message: string, details?: P1ErrorDetail[]): P1Error {
  const error: P1Error = { id: randomUUID(), code, message };
  if (details && details.length > 0) error.details = details;
  return error;
}

/** 401: missing, unknown or expired bearer token. */
export function accessFailed(): P1Error {
  return p1Error("ACCESS_FAILED", ACCESS_FAILED_MESSAGE);
}

/**
 * 403: the actor lacks a role for this. The same words whatever the rule that refused, as PingOne
 * does: the answer never says which roles or populations would have been needed, nor whether the
 * user exists.
 */
export function insufficientPermissions(): P1Error {
  return p1Error("ACCESS_FAILED", ACCESS_FAILED_MESSAGE, [
    { code: "INSUFFICIENT_PERMISSIONS", message: INSUFFICIENT_PERMISSIONS_MESSAGE },
  ]);
}

/** 404. */
export function notFound(): P1Error {
  return p1Error("NOT_FOUND", NOT_FOUND_MESSAGE);
}

/** 400: one INVALID_VALUE detail per bad input, each naming its target. */
export function invalidData(invalid: Array<{ target: string; message: string }>): P1Error {
  return p1Error(
    "INVALID_DATA",
    "The request could not be completed. One or more validation errors were in the request.",
    invalid.map((i) => ({ code: "INVALID_VALUE", target: i.target, message: i.message })),
  );
}

/** 400: a user's own sign-on session tried to delete itself. */
export function currentSession(): P1Error {
  return p1Error("REQUEST_FAILED", CURRENT_SESSION_MESSAGE, [
    { code: "INVALID_VALUE", target: "sessionId", message: CURRENT_SESSION_MESSAGE },
  ]);
}

/** 405: the path exists but not with this method. */
export function methodNotAllowed(method: string, allowed: string[]): P1Error {
  return p1Error(
    "REQUEST_FAILED",
    `The method ${method} is not supported for this resource; allowed: ${allowed.join(", ")}.`,
  );
}

/** What the rate limiter knows when it refuses a request: sent in `details[].innerError`. */
export interface QuotaState {
  /** Seconds until a request would be accepted, to the millisecond (the header rounds up to whole seconds). */
  retryAfter: number;
  /** When a request would be accepted, ISO 8601. */
  quotaResetTime: string;
  /** The limit that refused it, in requests per second (the licence's, or one source address's share of it). */
  quotaLimit: number;
}

/** 429 from the rate limiter (with its `QuotaState` as `innerError`), a fault or chaos (without). */
export function requestLimited(quota?: QuotaState): P1Error {
  const detail: P1ErrorDetail = {
    code: "LIMIT_EXCEEDED",
    message: "The rate of requests was greater than the allowed rate.",
  };
  if (quota)
    detail.innerError = {
      retryAfter: quota.retryAfter,
      quotaResetTime: quota.quotaResetTime,
      quotaLimit: quota.quotaLimit,
    };
  return p1Error("REQUEST_LIMITED", "The request could not be completed due to rate limiting.", [detail]);
}

/** 400: a users filter outside what PingOne accepts; `reason` says what (syntax, attribute or operator). */
export function invalidFilter(reason: string): P1Error {
  return p1Error("INVALID_FILTER", INVALID_FILTER_MESSAGE, [
    { code: "INVALID_VALUE", target: "filter", message: reason },
  ]);
}

/** 500. */
export function unexpectedError(): P1Error {
  return p1Error("UNEXPECTED_ERROR", "An unexpected error occurred.");
}

const P1_CODE_BY_STATUS: Record<number, () => P1Error> = {
  400: () => invalidData([{ target: "request", message: "Injected fault." }]),
  401: accessFailed,
  403: insufficientPermissions,
  404: notFound,
  429: () => requestLimited(),
  500: unexpectedError,
};

const REASONS: Record<number, string> = {
  502: "Bad Gateway",
  503: "Service Temporarily Unavailable",
  504: "Gateway Time-out",
};

/**
 * A P1Error (or an OAuth error for the token endpoint) for `status` when a fault gives no body.
 * 502/503/504 get a gateway's HTML page, as PingOne's edge sends.
 */
export function defaultErrorBody(status: number, forTokenEndpoint: boolean): ErrorBody {
  if (status === 502 || status === 503 || status === 504) return gatewayPage(status);
  if (forTokenEndpoint && status === 400) return oauthBody("invalid_request", "Injected fault.");
  if (forTokenEndpoint && status === 401) return oauthBody("invalid_client", "Injected fault.");
  const make = P1_CODE_BY_STATUS[status];
  const error = make
    ? make()
    : p1Error(status >= 500 ? "UNEXPECTED_ERROR" : "REQUEST_FAILED", `Injected fault with status ${status}.`);
  return { contentType: "application/json", body: JSON.stringify(error) };
}

/** The bare HTML a load balancer answers with; deliberately not JSON, so clients must cope with it. */
export function gatewayPage(status: number): ErrorBody {
  const title = `${status} ${REASONS[status] ?? "Error"}`;
  return {
    contentType: "text/html",
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
  };
}

/** An RFC 6749 error body. */
export function oauthBody(error: string, description: string): ErrorBody {
  const body: OAuthError = { error, error_description: description };
  return { contentType: "application/json", body: JSON.stringify(body) };
}
