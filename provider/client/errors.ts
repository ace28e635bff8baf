/**
 * The error every failed PingOne call ends in. Its message says what failed,
 * for which session, why, and what to do; its fields carry PingOne's error
 * `id` and `code` and the transaction id sent, for support.
 */
import { PingOneErrorBody, PingOneErrorDetail } from "./types";

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
  /** The Node/axios error code of a network failure (`ECONNRESET`, ...). */
  networkCode?: string;
  /** The inner step that failed, when it is not the action itself (getting a token for a revocation). */
  step?: string;
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
  private readonly init: PingOneApiErrorInit;

  /** Builds the error and its message from what is known; see `PingOneApiErrorInit`. */
  constructor(init: PingOneApiErrorInit) {
    super(formatMessage(init));
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
    this.init = init;
  }

  /**
   * The same failure reported against an outer operation: a token fetch
   * shared by many revocations fails once, and each revocation says which
   * session it could not revoke because of it.
   */
  forOperation(target: OperationTarget): PingOneApiError {
    return new PingOneApiError({ ...this.init, target, step: this.init.target.action });
  }
}

/** True when `error` is a PingOne 404, which for a session means "already gone". */
export function isNotFound(error: unknown): error is PingOneApiError {
  return error instanceof PingOneApiError && error.status === 404;
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
  const said = [init.status !== undefined ? `HTTP ${init.status}` : "no answer", codes(init.body), init.body?.message?.replace(/\.$/, "")].filter(Boolean).join(" ");
  const why = init.reason ? `${said}${init.reason.startsWith("with ") ? " " : "; "}${init.reason}` : said;
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

function codes(body?: PingOneErrorBody): string {
  const all = [body?.code, ...(body?.details ?? []).map((d) => d.code)].filter((c): c is string => !!c);
  return [...new Set(all)].join("/");
}
