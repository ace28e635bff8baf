/**
 * The package's error model: one base class, `PingOneSessionsError`, whose
 * `code` is always one of the package's stable codes (`ErrorCode`, listed
 * here and nowhere else), and one brand check, `isPingOneSessionsError`, that
 * works across loaded copies of the package. `PingOneApiError` is the error
 * every failed PingOne call ends in: its message says what failed, for which
 * session, why, and what to do; PingOne's error body is kept under `pingOne`.
 */
import { formatSeconds, scrub } from "./text";
import { PingOneErrorBody, PingOneErrorDetail } from "./types";

/**
 * Why an API call failed, as the `code` of a `PingOneApiError`.
 * `HTTP_STATUS` is PingOne's own refusal (its error body is under `pingOne`);
 * the others are answers or events the client would not accept.
 */
export type FailureCode =
  /** PingOne answered with an error status (its body is under `pingOne`). */
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

/** Why an input was refused before any request, as the `code` of an `InvalidInputError`. */
export type InvalidInputCode =
  /** An id given to the client (environment, user, session, population) is not a PingOne id (a UUID). */
  | "INVALID_ID"
  /** Session criteria that `criteriaProblems` refuses (a time without a zone, a malformed address range). */
  | "INVALID_CRITERIA";

/**
 * Every `code` an error of this package carries: the one list, and the
 * package's own stable codes only (PingOne's code is `pingOne.code`).
 * Callers branch on these, never on a message or a class name.
 */
export type ErrorCode =
  | FailureCode
  | InvalidInputCode
  /** A setting is missing or malformed (`PingOneConfigError`). */
  | "CONFIG"
  /** Some sessions of a user could not be revoked (`BulkRevocationError`). */
  | "SESSIONS_NOT_REVOKED"
  /** A sweep could not finish on every user or session (`SweepIncompleteError`). */
  | "SWEEP_INCOMPLETE";

/** The codes of `PingOneApiError`, at run time (the record keeps the list complete: a new `FailureCode` must be added here). */
const FAILURE_CODES: Readonly<Record<FailureCode, true>> = {
  HTTP_STATUS: true,
  NOT_PINGONE: true,
  MALFORMED_ANSWER: true,
  NO_ANSWER: true,
  DEADLINE: true,
  REDIRECT: true,
  PROXY: true,
  ABORTED: true,
};

/** The codes of `InvalidInputError`, at run time. */
const INVALID_INPUT_CODES: Readonly<Record<InvalidInputCode, true>> = { INVALID_ID: true, INVALID_CRITERIA: true };

/**
 * The brand every error of this package carries, on the base class's
 * prototype. `Symbol.for` is one registry per process, so a second loaded copy
 * of the package (a program's and the provider host's) sees the same symbol,
 * where `instanceof` fails. It is the only brand: never a string property.
 */
const ERROR_BRAND = Symbol.for("pulumi-pingone-sessions.error");

/**
 * The base of every error this package throws on purpose. `code` is always
 * one of the package's stable `ErrorCode`s. No error of the package has a
 * property named `id`: Pulumi's dynamic-provider host reads an `id` on an
 * error thrown by create or update as the id of a resource created but not
 * initialized, and stores it in state.
 */
export abstract class PingOneSessionsError extends Error {
  /** Why, as the package's stable code: see `ErrorCode`. */
  abstract readonly code: ErrorCode;
}
Object.defineProperty(PingOneSessionsError.prototype, ERROR_BRAND, { value: true });

/**
 * True for an error of this package from any loaded copy of it (`instanceof`
 * is not, across copies): the one brand check. Branch on its `code` next.
 */
export function isPingOneSessionsError(value: unknown): value is PingOneSessionsError {
  if (typeof value !== "object" || value === null) return false;
  return (
    (value as Record<symbol, unknown>)[ERROR_BRAND] === true && typeof (value as { code?: unknown }).code === "string"
  );
}

/** True for an error of this package, from any copy of it, whose code is in `codes`. */
export function hasErrorCode<C extends ErrorCode>(
  value: unknown,
  codes: Readonly<Partial<Record<C, true>>>,
): value is PingOneSessionsError & { code: C } {
  return isPingOneSessionsError(value) && Object.prototype.hasOwnProperty.call(codes, value.code);
}

/**
 * An input was refused before any request was sent: an id that is not a
 * PingOne id, criteria that cannot be applied. The message names the field
 * and quotes at most a short part of what was given.
 */
export class InvalidInputError extends PingOneSessionsError {
  /** Always `InvalidInputError`. */
  override readonly name = "InvalidInputError";
  /** Why: `INVALID_ID` or `INVALID_CRITERIA`. */
  readonly code: InvalidInputCode;

  /** `message` says which input and why; `code` says what kind of input. */
  constructor(code: InvalidInputCode, message: string) {
    super(message);
    this.code = code;
  }

  /** True for an `InvalidInputError` from any loaded copy of this package. */
  static isInstance(value: unknown): value is InvalidInputError {
    return hasErrorCode(value, INVALID_INPUT_CODES);
  }
}

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

/** PingOne's error body as a `PingOneApiError` keeps it: server text already scrubbed. */
export interface PingOneErrorFields {
  /** PingOne's error id, to quote to Ping support (the message quotes it too). */
  readonly id?: string;
  /** PingOne's top-level error code (`ACCESS_FAILED`, `INVALID_DATA`, `NOT_FOUND`, ...). */
  readonly code?: string;
  /** PingOne's own message. */
  readonly message?: string;
  /** PingOne's error details; empty when it sent none. */
  readonly details: readonly PingOneErrorDetail[];
}

/**
 * A PingOne call failed for good (after any retries). `code` says why, as
 * the package's `FailureCode`; `status` is the HTTP status (undefined when
 * nothing answered); PingOne's error body, when it sent one, is `pingOne`
 * (its `id` and `code` are in the message too, for support). The message
 * never holds a credential.
 */
export class PingOneApiError extends PingOneSessionsError {
  /** Always `PingOneApiError`. */
  override readonly name = "PingOneApiError";
  /** Why the operation failed, as the package's stable code. */
  readonly code: FailureCode;
  /** The HTTP status of the last answer; undefined when no answer came. */
  readonly status?: number;
  /** PingOne's error body, when the answer carried one. */
  readonly pingOne?: PingOneErrorFields;
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
  /** @deprecated The same as `code`; kept for one release for callers written against 0.x. */
  get failure(): FailureCode {
    return this.code;
  }
  /** What was known, with server text already scrubbed; kept out of JSON and `inspect`. */
  readonly #init: PingOneApiErrorInit;

  /** True for a `PingOneApiError` from any loaded copy of this package (`instanceof` is not, across copies). */
  static isInstance(value: unknown): value is PingOneApiError {
    return hasErrorCode(value, FAILURE_CODES);
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
    init = clean;
    this.#init = init;
    this.code = init.failure ?? (init.status !== undefined ? "HTTP_STATUS" : "NO_ANSWER");
    this.advice = init.advice;
    this.status = init.status;
    if (init.body)
      this.pingOne = {
        id: init.body.id,
        code: init.body.code,
        message: init.body.message,
        details: init.body.details ?? [],
      };
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
  return (
    PingOneApiError.isInstance(error) &&
    error.code === "HTTP_STATUS" &&
    error.status === 404 &&
    error.pingOne?.code === "NOT_FOUND"
  );
}

/** A copy of a JSON value with every string scrubbed (PingOne's `innerError` is free-form). */
function deepScrub<T>(value: T, secrets: readonly string[], depth = 0): T {
  if (typeof value === "string") return scrub(value, secrets) as T;
  if (typeof value !== "object" || value === null || depth > 4)
    return (typeof value === "object" && value !== null ? undefined : value) as T;
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => deepScrub(v, secrets, depth + 1)) as T;
  return Object.fromEntries(
    Object.entries(value)
      .slice(0, 20)
      .map(([k, v]) => [scrub(k, secrets), deepScrub(v, secrets, depth + 1)]),
  ) as T;
}

/** `init` with every server-sent text scrubbed of secrets and control characters, and the secrets dropped. */
function scrubbed(init: PingOneApiErrorInit): PingOneApiErrorInit {
  const secrets = init.secrets ?? [];
  const text = (value: string | undefined) => (value === undefined ? undefined : scrub(value, secrets));
  const body = init.body && {
    id: text(init.body.id),
    code: text(init.body.code),
    message: text(init.body.message),
    details: init.body.details?.map((d) => ({
      code: text(d.code),
      target: text(d.target),
      message: text(d.message),
      innerError: d.innerError && deepScrub(d.innerError, secrets),
    })),
  };
  const { secrets: _dropped, ...rest } = init;
  return {
    ...rest,
    body,
    reason: text(init.reason),
    target: { ...init.target, action: scrub(init.target.action, secrets) },
    step: text(init.step),
  };
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
    `${init.attempts} attempt${init.attempts === 1 ? "" : "s"} in ${formatSeconds(init.elapsedMs)}`,
  ]
    .filter(Boolean)
    .join(", ");
  return `${head}: ${why.replace(/\.$/, "")}${detailText ? ` [${detailText}]` : ""}. ${init.advice} (${refs})`;
}

/** The status, PingOne's code and message, and the reason, as one phrase. */
function observedOf(init: PingOneApiErrorInit): string {
  const said = [
    init.status !== undefined ? `HTTP ${init.status}` : "no answer",
    codes(init.body),
    init.body?.message?.replace(/\.$/, ""),
  ]
    .filter(Boolean)
    .join(" ");
  return init.reason ? `${said}${init.reason.startsWith("with ") ? " " : "; "}${init.reason}` : said;
}

function codes(body?: PingOneErrorBody): string {
  const all = [body?.code, ...(body?.details ?? []).map((d) => d.code)].filter((c): c is string => !!c);
  return [...new Set(all)].join("/");
}
