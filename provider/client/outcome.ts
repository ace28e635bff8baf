/**
 * The one place that decides what an HTTP outcome means. Every request the
 * client makes (token, list, read, delete) is classified here, so retry
 * behaviour cannot drift between operations.
 */

/** What the client does with an outcome. */
export type OutcomeKind =
  /** 2xx: done. */
  | "success"
  /** 404: the thing is not there; for a session, "already gone". */
  | "not-found"
  /** 401: the token was refused; fetch a fresh one once, then fail. */
  | "unauthorized"
  /** Worth another attempt: 408, 429, 500, 502, 503, 504, an UNEXPECTED_ERROR body, or a network failure. */
  | "transient"
  /** Retrying cannot help: 400, 403, 409, other statuses, redirects, oversized answers. */
  | "permanent";

/** HTTP statuses Ping's guidance says to retry. */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Statuses whose Retry-After header is honoured (others back off on their own). */
export const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * Network failures that say nothing about the request's effect and are safe
 * to retry for idempotent calls (GET, DELETE, the token POST). ECONNABORTED
 * and ETIMEDOUT are axios' and Node's per-attempt timeouts.
 */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

/** Classifies an HTTP answer by its status and, when it is a PingOne error body, its top-level `code`. */
export function classifyStatus(status: number, errorCode?: string): OutcomeKind {
  if (status >= 200 && status < 300) return "success";
  if (status === 404) return "not-found";
  if (status === 401) return "unauthorized";
  if (TRANSIENT_STATUSES.has(status)) return "transient";
  // Ping's Go SDK retries a body code of UNEXPECTED_ERROR whatever the 5xx status.
  if (status >= 500 && errorCode === "UNEXPECTED_ERROR") return "transient";
  return "permanent";
}

/** Classifies a failure that produced no HTTP answer, by its Node/axios error code. */
export function classifyNetworkError(code: string | undefined): OutcomeKind {
  return code !== undefined && TRANSIENT_NETWORK_CODES.has(code) ? "transient" : "permanent";
}
