/**
 * The one place that decides what an HTTP outcome means. Every request the
 * client makes (token, list, read, delete) is classified here, so retry
 * behaviour and the meaning of "not found" cannot drift between operations.
 *
 * The rule that keeps a success from being false: an answer counts as
 * PingOne's only when it has PingOne's shape. A 404 is "not there" only with
 * PingOne's error body (`code: "NOT_FOUND"`); a DELETE is done only on 204;
 * anything else (an HTML 404 from a wrong URL, a login page answering 200,
 * a proxy's refusal) is an answer that is not PingOne's, and fails.
 */
import { parseBody, ParsedBody, pingOneErrorBody, tokenErrorBody } from "./answers";
import type { FailureCode } from "./errors";
import { parseRetryAfter } from "./retry";
import type { HttpResult } from "./transport";
import { PingOneErrorBody } from "./types";

/** What the client does with an outcome. */
type OutcomeKind =
  /** The expected success: done. */
  | "success"
  /** PingOne's own 404: the thing is not there; for a session, "already gone". */
  | "not-found"
  /** 401 from the API: the token was refused; fetch a fresh one once, then fail. */
  | "unauthorized"
  /** Worth another attempt: 408, 429, 500, 502, 503, 504, an UNEXPECTED_ERROR body, or a network failure. */
  | "transient"
  /** Retrying cannot help: 400, 403, 409, redirects, answers that are not PingOne's, oversized answers. */
  | "permanent";

/** Which success an operation expects. */
export type Expected =
  /** `DELETE`: 204 and nothing else. */
  | "no-content"
  /** `GET` and the token `POST`: 2xx with a JSON object (its shape is checked by the caller). */
  | "json";

/** An outcome, with what the message needs. */
export interface Outcome {
  kind: OutcomeKind;
  /** The error body, when the answer carried PingOne's (or, for the token endpoint, an OAuth error). */
  body?: PingOneErrorBody;
  /** The wait a 429 or 503 asked for, in ms. */
  retryAfterMs?: number;
  /** True for a 429: the licence said "later", which is not a fault (it does not count against `maxAttempts`). */
  throttled?: boolean;
  /** Why, in words, beyond the status and PingOne's own message. */
  reason?: string;
  /** The stable failure code, when the outcome fails. */
  failure?: FailureCode;
}

/** HTTP statuses Ping's guidance says to retry. */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Statuses whose Retry-After header is honoured (others back off on their own). */
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * Network failures that say nothing about the request's effect and are safe
 * to retry for idempotent calls (GET, DELETE, the token POST), including an
 * attempt that ran out of time and a body the server cut off.
 */
const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
  "ERR_ATTEMPT_TIMEOUT",
  "ERR_BODY_INCOMPLETE",
]);

/** Classifies a status by itself (and, for a 5xx, PingOne's top-level `code`). */
export function classifyStatus(status: number, errorCode?: string): OutcomeKind {
  if (status >= 200 && status < 300) return "success";
  if (status === 404) return "not-found";
  if (status === 401) return "unauthorized";
  if (TRANSIENT_STATUSES.has(status)) return "transient";
  // Ping's Go SDK retries a body code of UNEXPECTED_ERROR whatever the 5xx status.
  if (status >= 500 && errorCode === "UNEXPECTED_ERROR") return "transient";
  return "permanent";
}

/** Classifies a failure that produced no HTTP answer, by its code. */
export function classifyNetworkError(code: string | undefined): OutcomeKind {
  return code !== undefined && TRANSIENT_NETWORK_CODES.has(code) ? "transient" : "permanent";
}

/**
 * Classifies one attempt's result for an operation that expects `expected`,
 * at the `endpoint` it was sent to. `nowMs` reads a date-form Retry-After.
 * `parsed` is the answer's body as the caller parsed it once (parsed here when not given).
 */
export function classify(
  result: HttpResult,
  endpoint: "api" | "token",
  expected: Expected,
  nowMs: number,
  parsed?: ParsedBody,
): Outcome {
  if (result.kind === "no-answer") {
    return {
      kind: classifyNetworkError(result.code),
      reason: `${result.reason} (${result.code})`,
      failure: "NO_ANSWER",
    };
  }
  const status = result.status;
  const json = parsed ?? parseBody(result.text);
  const body = endpoint === "token" ? tokenErrorBody(json.json) : pingOneErrorBody(json.json);
  const shape = describeBody(result, json);
  const retryAfterMs = RETRY_AFTER_STATUSES.has(status)
    ? combineRetryAfter(parseRetryAfter(result.headers["retry-after"], nowMs), bodyRetryAfter(body, nowMs))
    : undefined;

  if (status >= 200 && status < 300) {
    if (expected === "no-content" ? status === 204 : status !== 204) return { kind: "success" };
    const wanted = expected === "no-content" ? "204 No Content, PingOne's answer to a DELETE" : "a JSON answer";
    return {
      kind: "permanent",
      reason: `${shape}, where ${wanted} was expected: this is not PingOne's answer`,
      failure: "NOT_PINGONE",
    };
  }
  if (status >= 300 && status < 400) {
    return {
      kind: "permanent",
      reason: `a redirect to ${redirectOrigin(result.headers.location)}, which is never followed (the access token stays with PingOne)`,
      failure: "REDIRECT",
    };
  }
  if (
    result.proxy &&
    body === undefined &&
    (status === 403 || status === 407 || status === 502 || status === 503 || status === 504)
  ) {
    // PingOne always sends its error body; a bare refusal on a proxied request is the proxy's.
    const what = status === 407 ? "asked for proxy authentication (407)" : `answered HTTP ${status} ${shape}`;
    return {
      kind: status === 407 || status === 403 ? "permanent" : "transient",
      reason: `the proxy ${result.proxy.url} (from ${result.proxy.variable}) ${what}, not PingOne`,
      failure: "PROXY",
      retryAfterMs,
    };
  }
  const kind = classifyStatus(status, body?.code);
  if (kind === "not-found") {
    if (endpoint === "api" && body?.code === "NOT_FOUND") return { kind, body };
    return {
      kind: "permanent",
      body,
      reason: `${shape}${body ? ` with code ${body.code}` : ""}, not PingOne's NOT_FOUND answer`,
      failure: "NOT_PINGONE",
    };
  }
  if (body === undefined && !TRANSIENT_STATUSES.has(status)) {
    return {
      kind: kind === "unauthorized" ? "unauthorized" : "permanent",
      reason: `${shape}, not PingOne's error body`,
      failure: "NOT_PINGONE",
    };
  }
  return {
    kind,
    body,
    retryAfterMs,
    reason: body ? undefined : shape,
    failure: "HTTP_STATUS",
    ...(status === 429 && { throttled: true }),
  };
}

/**
 * The wait one answer asks for, from its `Retry-After` header and its body's
 * `innerError` wait, either possibly absent. PingOne documents the header in
 * whole seconds (so it is the true wait rounded up: `1` for 4 ms) and the
 * body's `retryAfter` without a confirmed unit. The rule:
 *
 * - the body's wait when it is no longer than the header's plus one second:
 *   then both tell the same fact and the body is the finer figure (a header
 *   of `1` and a body of 0.004 s mean "4 ms"; a header of `0` and 0.004 s,
 *   "4 ms", not "now");
 * - the header's wait when the body asks for more than that: the two
 *   disagree, and the header's unit is the documented one (a body in
 *   milliseconds read as seconds would otherwise stall the run a thousandfold);
 * - whichever is present when only one is.
 *
 * Waiting 4 ms where the header said 1 s is safe because the client's
 * pacing, not the wait, keeps it under the licence: the wait only says when
 * the next request may pass.
 */
export function combineRetryAfter(headerMs: number | undefined, bodyMs: number | undefined): number | undefined {
  if (bodyMs === undefined) return headerMs;
  if (headerMs === undefined) return bodyMs;
  return bodyMs <= headerMs + 1000 ? bodyMs : headerMs;
}

/**
 * The wait a 429 body asks for when no Retry-After header came: PingOne's
 * `details[].innerError.retryAfter` (seconds) or `quotaResetTime` (a time).
 */
function bodyRetryAfter(body: PingOneErrorBody | undefined, nowMs: number): number | undefined {
  for (const detail of body?.details ?? []) {
    const inner = detail.innerError ?? {};
    const seconds =
      typeof inner.retryAfter === "number"
        ? inner.retryAfter
        : typeof inner.retryAfter === "string" && /^\d+(\.\d+)?$/.test(inner.retryAfter)
          ? Number(inner.retryAfter)
          : undefined;
    if (seconds !== undefined && Number.isFinite(seconds)) return Math.round(seconds * 1000);
    if (typeof inner.quotaResetTime === "string") {
      const at = Date.parse(inner.quotaResetTime);
      if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
    }
  }
  return undefined;
}

/** A short description of an answer's body, for the message; never quotes it. */
function describeBody(answer: Extract<HttpResult, { kind: "answer" }>, parsed: ParsedBody): string {
  const type = answer.headers["content-type"]?.split(";")[0].trim() || "no content type";
  if (answer.text.trim() === "") return "with an empty body";
  if (parsed.isJson) return `with a JSON body (${type}, ${answer.text.length} bytes)`;
  return `with a body that is not JSON (${type}, ${answer.text.length} bytes)`;
}

function redirectOrigin(location: string | undefined): string {
  if (!location) return "an unnamed location";
  try {
    return new URL(location).origin;
  } catch {
    return "a relative location";
  }
}
