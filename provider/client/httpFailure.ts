/**
 * The one place where a failed HTTP exchange becomes this package's coded
 * failure: axios's error codes (`ERR_CANCELED`, `ERR_BAD_RESPONSE`,
 * `ECONNABORTED`, ...), Node's (`ECONNRESET`, `ERR_INVALID_CHAR`, ...) and
 * the transport's own become one stable code and words for a person. Pure:
 * it reads the error's `code` and, for a few of axios's fixed messages, its
 * message; it never quotes a header's value.
 */
import { formatSeconds, printable, redactUrl } from "./text";

/** Largest answer read; a bigger one is abandoned, never buffered whole. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** Codes of failures the transport names itself (others are Node's own: `ECONNRESET`, `ECONNREFUSED`, ...). */
export const NETWORK_FAILURE_CODES = {
  /** The attempt's budget ran out, before or during the body. */
  attemptTimeout: "ERR_ATTEMPT_TIMEOUT",
  /** The server closed the connection before the whole body arrived. */
  bodyIncomplete: "ERR_BODY_INCOMPLETE",
  /** The body was larger than `MAX_RESPONSE_BYTES`. */
  tooLarge: "ERR_RESPONSE_TOO_LARGE",
  /** The request's own body was larger than `MAX_RESPONSE_BYTES`, so it was not sent. */
  requestTooLarge: "ERR_REQUEST_TOO_LARGE",
  /**
   * The server switched protocols (`101 Switching Protocols`) though none was
   * asked for: Node drops such a connection without an answer or an error.
   */
  unexpectedUpgrade: "ERR_UNEXPECTED_UPGRADE",
} as const;

/** Where an exchange failed, as the transport saw it. */
export interface FailureContext {
  /** `request`: before the answer's headers were in; `body`: while its body was read. */
  stage: "request" | "body";
  /** True when the attempt's own deadline (its abort signal) ended it: that, not the error, is the cause. */
  deadlinePassed: boolean;
  /** Bytes of the body that had arrived. */
  received: number;
  /** The attempt's budget, for the words of a timeout. */
  timeoutMs: number;
  /** The status of an answer that came without a usable body (a 101). */
  status?: number;
}

/** A failure as the transport reports it: a stable code and words. */
interface CodedFailure {
  code: string;
  reason: string;
}

/**
 * The coded failure of `error` (thrown by axios, by Node, or made by the
 * transport) in `context`. The deadline comes first: once the attempt's
 * signal aborted, axios says `ERR_CANCELED` and Node may say `ECONNRESET`,
 * but the cause is the budget. Then axios's codes are read for what they mean
 * here (the transport sets no axios `timeout`, follows no redirect and
 * streams the body), and Node's codes are kept as they are.
 */
export function httpFailure(error: unknown, context: FailureContext): CodedFailure {
  const code = failureCode(error, context);
  return { code, reason: reasonOf(code, context, error) };
}

/** The code alone: see `httpFailure`. */
function failureCode(error: unknown, context: Pick<FailureContext, "stage" | "deadlinePassed">): string {
  if (context.deadlinePassed) return NETWORK_FAILURE_CODES.attemptTimeout;
  const code = codeOf(error);
  const message = messageOf(error);
  switch (code) {
    case "ERR_BAD_RESPONSE":
      // axios's two body failures: a body over maxContentLength, or a stream the peer aborted.
      return /maxContentLength/.test(message) ? NETWORK_FAILURE_CODES.tooLarge : NETWORK_FAILURE_CODES.bodyIncomplete;
    case "ERR_FR_MAX_BODY_LENGTH_EXCEEDED":
      // follow-redirects' name for a request body over maxBodyLength.
      return NETWORK_FAILURE_CODES.requestTooLarge;
    case "ERR_BAD_REQUEST":
      // axios's own maxBodyLength check, before anything is sent; other ERR_BAD_REQUESTs keep their code.
      return /maxBodyLength/.test(message) ? NETWORK_FAILURE_CODES.requestTooLarge : code;
    default:
      // axios's `timeout` error (ECONNABORTED, or ETIMEDOUT with clarifyTimeoutError) would be the attempt's
      // budget, but the transport sets no axios timeout: without the deadline, these two are Node's own.
      // Whatever breaks a body once its headers are in (ECONNRESET "aborted", a premature close) cuts it off.
      return context.stage === "body" ? NETWORK_FAILURE_CODES.bodyIncomplete : code;
  }
}

/** The code of a thrown error, and nothing else of it. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && /^[A-Z0-9_]{2,40}$/.test(code) ? code : "ERR_UNKNOWN";
}

function messageOf(error: unknown): string {
  const message = (error as { message?: unknown })?.message;
  return typeof message === "string" ? message : "";
}

/**
 * Words for a failure: what happened, never the thrown error's text beyond
 * Node's own (it names an address or a header's name).
 */
function reasonOf(code: string, context: FailureContext, error: unknown): string {
  const { received, timeoutMs } = context;
  const seconds = formatSeconds(timeoutMs);
  switch (code) {
    case NETWORK_FAILURE_CODES.attemptTimeout:
      return `no complete answer within ${seconds}${received > 0 ? ` (${received} bytes of the body had arrived)` : ""}`;
    case NETWORK_FAILURE_CODES.bodyIncomplete:
      return `the connection closed after ${received} bytes of the body, before the whole answer arrived`;
    case NETWORK_FAILURE_CODES.tooLarge:
      return `the answer was larger than ${MAX_RESPONSE_BYTES} bytes and was abandoned unread`;
    case NETWORK_FAILURE_CODES.requestTooLarge:
      return `the request's body was larger than ${MAX_RESPONSE_BYTES} bytes and was not sent`;
    case NETWORK_FAILURE_CODES.unexpectedUpgrade:
      return (
        `the server answered HTTP ${context.status ?? 101} Switching Protocols, a protocol change this client never asked for, ` +
        "so there is no HTTP answer to read: this is not PingOne"
      );
    default: {
      // Node's own message ("connect ECONNREFUSED 127.0.0.1:9", "Invalid character in header content
      // [\"Authorization\"]") names the address or the header, never its value.
      const message = messageOf(error);
      const words = CODE_WORDS[code] ?? "the request failed";
      // Any URL in it (a proxy's) has its password masked, wherever it stands in the message.
      const masked = message.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, (url) => redactUrl(url));
      return message !== "" ? `${words}: ${printable(masked).slice(0, 200)}` : words;
    }
  }
}

/** What the network codes mean, in words a responder reads. */
const CODE_WORDS: Record<string, string> = {
  ECONNREFUSED: "the connection was refused",
  ECONNRESET: "the connection was reset",
  EPIPE: "the connection broke while sending",
  ETIMEDOUT: "the connection timed out",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name could not be resolved just now",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  ECONNABORTED: "the connection was aborted",
  ERR_CANCELED: "the request was cancelled",
  ERR_INVALID_CHAR: "the request was not sent: a header holds a character HTTP does not allow",
  CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's TLS certificate chain ends in a self-signed certificate",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's TLS certificate could not be verified",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's TLS certificate is for another host",
};
