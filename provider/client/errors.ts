/**
 * The error every failed PingOne call ends in. Its message says what failed,
 * for which session, why, and what to do; its fields carry PingOne's error
 * `id` and `code` and the transaction id sent, for support.
 */
import { scrub } from "./text";
import { PingOneErrorBody, PingOneErrorDetail } from "./types";

/**
 * Stable codes for why an operation failed, for callers to branch on
 * (never on message text). `HTTP_STATUS` is PingOne's own refusal; the others
 * are answers or events the client would not accept.
 */
export type FailureCode =
  /** PingOne answered with an error status (its body is in `id`, `code`, `details`). */
  | "HTTP_STATUS"
  /** The answer is not PingOne's: no PingOne error body, HTML, a proxy's page, a 2xx of the wrong shape. */
  | "NOT_PINGONE"
  /** A PingOne-shaped answer whose content cannot be used (a malformed session list, a bad next link). */
  | "MALFORMED_ANSWER"
  /** No usable answer arrived (network failure, attempt timeout, a body cut off or too large). */
  | "NO_ANSWER"
  /** The operation deadline passed, or a wait the server asked for would pass it. */
  | "DEADLINE"
  /** A redirect, which is never followed. */
  | "REDIRECT"
  /** A proxy from the environment refused or failed the request. */
  | "PROXY"
  /** The run was interrupted before this request was sent. */
  | "ABORTED";

/** The brand that marks this package's errors, so type guards work across two loaded copies of the package. */
const ERROR_BRAND = Symbol.for("pulumi-pingone-sessions.PingOneApiError");

/** What was being done, and to what. */
export interface OperationTarget {
  /** Present tense, for the message: "revoke session", "read session", "list sessions", "get an access token". */
  action: string;
  environmentId?: string;
  userId?: string;
  sessionId?: string;
}

/** Everything known about one failure. */
export interface PingOneApiErrorInit {
  target: OperationTarget;
  /** The HTTP status, or undefined when no answer came (network failure, timeout). */
  status?: number;
  /** PingOne's error body, when it sent one. */
  body?: PingOneErrorBody;
  /** Why, in words, beyond PingOne's own message: a network code, a body that is not JSON, giving up, a deadline. */
  reason?: string;
  /** What the user should do. */
  advice: string;
  /** The `X-Ping-External-Transaction-ID` sent with every attempt of the operation. */
  transactionId: string;
  /** Attempts made, the failing one included. */
  attempts: number;
  /** Time spent on the operation, waits included. */
  elapsedMs: number;
  /** The Node error code of a network failure (`ECONNRESET`, ...). */
  networkCode?: string;
  /** The inner step that failed, when it is not the action itself (getting a token for a revocation). */
  step?: string;
  /** Why, as a stable code; default `HTTP_STATUS` when a status is known, `NO_ANSWER` otherwise. */
  failure?: FailureCode;
  /** The error this one reports on behalf of (a shared token fetch's failure). */
  cause?: unknown;
  /**
   * Secret values (in every encoding they may come back in) to remove from all
   * server-sent text before it is kept: a hostile endpoint may echo them.
   * Used once, in the constructor, and never stored.
   */
  secrets?: readonly string[];
}

/**
 * A PingOne call failed for good (after any retries). Carries the HTTP status
 * (undefined when nothing answered) and PingOne's `id`, `code`, `message`
 * (as `pingOneMessage`) and `details`. The message never holds a credential.
 */
export class PingOneApiError extends Error {
  /** Always `PingOneApiError`. */
  override readonly name = "PingOneApiError";
  /** The HTTP status of the last answer; undefined when no answer came. */
  readonly status?: number;
  /** PingOne's error id, to quote to Ping support. */
  readonly id?: string;
  /** PingOne's top-level error code (`ACCESS_FAILED`, `INVALID_DATA`, ...). */
  readonly code?: string;
  /** PingOne's own message, unchanged. */
  readonly pingOneMessage?: string;
  /** PingOne's error details. */
  readonly details: PingOneErrorDetail[];
  /** The transaction id sent as `X-Ping-External-Transaction-ID`. */
  readonly transactionId: string;
  /** Attempts made. */
  readonly attempts: number;
  /** Time spent, waits included. */
  readonly elapsedMs: number;
  /** What was being done, and to what. */
  readonly target: OperationTarget;
  /** The network error code when no answer came. */
  readonly networkCode?: string;
  /** Why the operation failed, as a stable code. */
  readonly failure: FailureCode;
  /** What to do, as the message says it. */
  readonly advice: string;
  /**
   * What the client saw, as the message says it (`HTTP 200; page 1 of the
   * role assignment list: entry 1 ... is null`, `no answer; ...`): the status,
   * PingOne's code and message, and the reason; server text already scrubbed.
   */
  get observed(): string {
    return observedOf(this.#init);
  }
  /** What was known, with server text already scrubbed; kept out of JSON and `inspect`. */
  readonly #init: PingOneApiErrorInit;

  /** True for a `PingOneApiError` from any loaded copy of this package (`instanceof` is not, across copies). */
  static isInstance(value: unknown): value is PingOneApiError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[ERROR_BRAND] === true;
  }

  /**
   * Builds the error and its message from what is known; see
   * `PingOneApiErrorInit`. Every text that came from a server (PingOne's
   * message and details, reasons quoting an answer) has `init.secrets`
   * removed and control characters escaped before it is kept.
   */
  constructor(init: PingOneApiErrorInit) {
    const clean = scrubbed(init);
    super(formatMessage(clean), clean.cause !== undefined ? { cause: clean.cause } : undefined);
    Object.defineProperty(this, ERROR_BRAND, { value: true });
    init = clean;
    this.#init = init;
    this.failure = init.failure ?? (init.status !== undefined ? "HTTP_STATUS" : "NO_ANSWER");
    this.advice = init.advice;
    this.status = init.status;
    this.id = init.body?.id;
    this.code = init.body?.code;
    this.pingOneMessage = init.body?.message;
    this.details = init.body?.details ?? [];
    this.transactionId = init.transactionId;
    this.attempts = init.attempts;
    this.elapsedMs = init.elapsedMs;
    this.target = init.target;
    this.networkCode = init.networkCode;
  }

  /**
   * The same failure reported against an outer operation: a token fetch
   * shared by many revocations fails once, and each revocation says which
   * session it could not revoke because of it.
   */
  forOperation(target: OperationTarget): PingOneApiError {
    return new PingOneApiError({ ...this.#init, target, step: this.#init.target.action, cause: this });
  }

  /** The same failure with other advice (the exact explanation of a 403); everything else, ids included, is kept. */
  withAdvice(advice: string): PingOneApiError {
    return new PingOneApiError({ ...this.#init, advice, cause: this.#init.cause ?? this });
  }
}

/**
 * True when `error` is PingOne's own 404 (its error body, code `NOT_FOUND`),
 * which for a session means "already gone". A 404 that is not PingOne's
 * never counts: the client fails it as `NOT_PINGONE`.
 */
export function isNotFound(error: unknown): error is PingOneApiError {
  return PingOneApiError.isInstance(error) && error.failure === "HTTP_STATUS" && error.status === 404 && error.code === "NOT_FOUND";
}

/** A copy of a JSON value with every string scrubbed (PingOne's `innerError` is free-form). */
function deepScrub<T>(value: T, secrets: readonly string[], depth = 0): T {
  if (typeof value === "string") return scrub(value, secrets) as T;
  if (typeof value !== "object" || value === null || depth > 4) return (typeof value === "object" && value !== null ? undefined : value) as T;
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => deepScrub(v, secrets, depth + 1)) as T;
  return Object.fromEntries(Object.entries(value).slice(0, 20).map(([k, v]) => [scrub(k, secrets), deepScrub(v, secrets, depth + 1)])) as T;
}

/** `init` with every server-sent text scrubbed of secrets and control characters, and the secrets dropped. */
function scrubbed(init: PingOneApiErrorInit): PingOneApiErrorInit {
  const secrets = init.secrets ?? [];
  const text = (value: string | undefined) => (value === undefined ? undefined : scrub(value, secrets));
  const body = init.body && {
    id: text(init.body.id),
    code: text(init.body.code),
    message: text(init.body.message),
    details: init.body.details?.map((d) => ({ code: text(d.code), target: text(d.target), message: text(d.message), innerError: d.innerError && deepScrub(d.innerError, secrets) })),
  };
  const { secrets: _dropped, ...rest } = init;
  return { ...rest, body, reason: text(init.reason), target: { ...init.target, action: scrub(init.target.action, secrets) }, step: text(init.step) };
}

/** "session S of user U in environment E", naming whatever ids are known. */
function describeTarget(target: OperationTarget): string {
  const parts: string[] = [];
  if (target.sessionId) parts.push(`session ${target.sessionId}`);
  if (target.userId) parts.push(`${target.sessionId ? "of " : ""}user ${target.userId}`);
  if (target.environmentId) parts.push(`in environment ${target.environmentId}`);
  return parts.join(" ");
}

function formatMessage(init: PingOneApiErrorInit): string {
  const subject = describeTarget(init.target);
  const head = `Could not ${init.target.action}${subject ? ` (${subject})` : ""}${init.step ? `: failed to ${init.step}` : ""}`;
  const why = observedOf(init);
  const detailText = (init.body?.details ?? [])
    .map((d) => [d.code, d.target ? `(${d.target})` : "", d.message].filter(Boolean).join(" "))
    .filter((d) => d !== "")
    .join("; ");
  const refs = [
    init.body?.id ? `PingOne error id ${init.body.id}` : undefined,
    `transaction id ${init.transactionId}`,
    `${init.attempts} attempt${init.attempts === 1 ? "" : "s"} in ${(init.elapsedMs / 1000).toFixed(1)} s`,
  ]
    .filter(Boolean)
    .join(", ");
  return `${head}: ${why.replace(/\.$/, "")}${detailText ? ` [${detailText}]` : ""}. ${init.advice} (${refs})`;
}

/** The status, PingOne's code and message, and the reason, as one phrase. */
function observedOf(init: PingOneApiErrorInit): string {
  const said = [init.status !== undefined ? `HTTP ${init.status}` : "no answer", codes(init.body), init.body?.message?.replace(/\.$/, "")].filter(Boolean).join(" ");
  return init.reason ? `${said}${init.reason.startsWith("with ") ? " " : "; "}${init.reason}` : said;
}

function codes(body?: PingOneErrorBody): string {
  const all = [body?.code, ...(body?.details ?? []).map((d) => d.code)].filter((c): c is string => !!c);
  return [...new Set(all)].join("/");
}
