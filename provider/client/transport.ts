/**
 * The HTTP layer: Node's own `http`/`https` with keep-alive, no redirects, a
 * size cap and a deadline on the whole attempt. It never throws upward: it
 * returns either an answer or a network failure described by a stable code
 * and words (of a thrown error, at most Node's own message, which names an
 * address or a header's name, never a header's value).
 *
 * Why no HTTP library: the client needs one request and one answer read to
 * its end, which Node does in a few lines, and what a library adds costs a
 * command-line run before its first request (axios took about 100 ms to load
 * and 25 ms more per cold run than `http.request`) and would have to be
 * worked around anyway: a library's `timeout` is a socket idle timer, so a
 * server that trickles one byte every few hundred milliseconds keeps an
 * attempt alive for ever, and a body cut off by the server, a body over the
 * size cap and a bad answer look alike. Reading the stream here bounds the
 * attempt as a whole (connecting, headers and body) and names each failure for
 * what it is. A proxy from the environment is reached through a CONNECT
 * tunnel (`https-proxy-agent`); nothing on loopback goes through one.
 */
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import { HttpsProxyAgent } from "https-proxy-agent";
import { printable, redactUrl } from "./text";

// The proxy decision curl and most HTTP clients make (HTTPS_PROXY, NO_PROXY, ...); the package ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getProxyForUrl } = require("proxy-from-env") as { getProxyForUrl(url: string): string };

/** One HTTP request. */
export interface HttpRequest {
  method: "GET" | "DELETE" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Budget of the whole attempt: connecting, sending, the headers and the whole body. */
  timeoutMs: number;
}

/** The proxy a request went through, as the environment configured it. */
export interface ProxyRoute {
  /** The variable that named the proxy (`HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`, ...). */
  variable: string;
  /** The proxy's URL with any user name and password masked. */
  url: string;
}

/** An HTTP answer read to its end. */
export interface HttpAnswer {
  kind: "answer";
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  text: string;
  /** Set when the request went through a proxy from the environment. */
  proxy?: ProxyRoute;
}

/** No usable answer: `code` is stable (see `NETWORK_FAILURE_CODES`), `reason` is words for a person. */
export interface HttpNoAnswer {
  kind: "no-answer";
  code: string;
  reason: string;
  proxy?: ProxyRoute;
}

/** What came back: an answer, or no answer. */
export type HttpResult = HttpAnswer | HttpNoAnswer;

/** Sends requests; `close` frees the keep-alive sockets. */
export interface Transport {
  send(request: HttpRequest): Promise<HttpResult>;
  close(): void;
}

/** Largest answer read; a bigger one is abandoned, never buffered whole. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** Codes of failures this layer names itself (others are Node's own: `ECONNRESET`, `ECONNREFUSED`, ...). */
export const NETWORK_FAILURE_CODES = {
  /** The attempt's budget ran out, before or during the body. */
  attemptTimeout: "ERR_ATTEMPT_TIMEOUT",
  /** The server closed the connection before the whole body arrived. */
  bodyIncomplete: "ERR_BODY_INCOMPLETE",
  /** The body was larger than `MAX_RESPONSE_BYTES`. */
  tooLarge: "ERR_RESPONSE_TOO_LARGE",
} as const;

/** True for hosts that never leave the machine: plain http is allowed there, and no proxy is used. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The proxy the environment names for `target` (`HTTPS_PROXY`, `NO_PROXY`,
 * ..., as curl reads them): its URL for the tunnel, and for messages the
 * variable that named it and the URL with any password masked. Loopback
 * hosts never use one, so a proxy set for the outside world cannot capture
 * the emulator.
 */
function proxyFor(target: URL): { url: string; route: ProxyRoute } | undefined {
  if (isLoopbackHost(target.hostname)) return undefined;
  const url = getProxyForUrl(target.href);
  if (!url) return undefined;
  const scheme = target.protocol.replace(":", "");
  const names = [`npm_config_${scheme}_proxy`, `${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`, "npm_config_proxy", "all_proxy", "ALL_PROXY"];
  const variable = names.find((name) => process.env[name] !== undefined && process.env[name] !== "") ?? `${scheme.toUpperCase()}_PROXY`;
  return { url, route: { variable, url: redactUrl(url) } };
}

/**
 * Creates the transport used by `PingOneClient`. `localAddress` binds
 * outgoing connections to one source address of this machine (a runner with
 * several, or shards on 127.0.0.2, 127.0.0.3, ... against the emulator's
 * per-source rate limit).
 */
export function createTransport(userAgent: string, localAddress?: string): Transport {
  // Sockets are reused across the many small calls of a bulk run; the pacer,
  // not the agent, bounds how many are open.
  const httpAgent = new http.Agent({ keepAlive: true, localAddress });
  const httpsAgent = new https.Agent({ keepAlive: true, localAddress });
  // One tunnelling agent per proxy the environment names (usually one), kept for reuse like the others.
  const proxyAgents = new Map<string, HttpsProxyAgent<string>>();
  const agentFor = (target: URL, proxyUrl: string | undefined): http.Agent => {
    if (proxyUrl === undefined) return target.protocol === "https:" ? httpsAgent : httpAgent;
    let agent = proxyAgents.get(proxyUrl);
    if (agent === undefined) {
      agent = new HttpsProxyAgent(proxyUrl, { keepAlive: true, localAddress });
      proxyAgents.set(proxyUrl, agent);
    }
    return agent;
  };

  return {
    send(request) {
      const target = new URL(request.url);
      const tunnel = proxyFor(target);
      return exchange(request, target, { "User-Agent": userAgent, ...request.headers }, agentFor(target, tunnel?.url), tunnel?.route);
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
      for (const agent of proxyAgents.values()) agent.destroy();
      proxyAgents.clear();
    },
  };
}

/**
 * One request and its whole answer, or the failure named by a code, within
 * `request.timeoutMs`; it never throws. `proxy` is the route `agent` tunnels
 * through, for the result to name.
 */
function exchange(request: HttpRequest, target: URL, headers: Record<string, string>, agent: http.Agent, proxy: ProxyRoute | undefined): Promise<HttpResult> {
  return new Promise<HttpResult>((resolve) => {
    const attempt = new AbortController();
    // One budget for the whole attempt: connecting, sending, the headers and the body.
    const timer = setTimeout(() => attempt.abort(), request.timeoutMs);
    let settled = false;
    const settle = (result: HttpResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const fail = (code: string, received: number, error?: unknown) => settle({ kind: "no-answer", ...failureOf(code, request, received, error), proxy });
    if (request.body !== undefined) headers = { ...headers, "Content-Length": String(Buffer.byteLength(request.body)) };
    let sent: http.ClientRequest;
    try {
      sent = (target.protocol === "https:" ? https : http).request(target, { method: request.method, headers, agent, signal: attempt.signal });
    } catch (error) {
      // Node refuses some requests before sending (a header value with a line break: ERR_INVALID_CHAR).
      return fail(codeOf(error), 0, error);
    }
    let responded = false;
    // Once the headers are in, the body's reader settles the attempt (it counts what arrived).
    sent.on("error", (error) => {
      if (!responded) fail(attempt.signal.aborted ? NETWORK_FAILURE_CODES.attemptTimeout : codeOf(error), 0, error);
    });
    sent.on("response", (response) => {
      responded = true;
      const answerHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) answerHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
      }
      void readBody(response, attempt.signal).then((body) => {
        if (body.kind === "failed") return fail(body.code, body.received);
        settle({ kind: "answer", status: response.statusCode ?? 0, headers: answerHeaders, text: body.text, proxy });
      });
    });
    sent.end(request.body);
  });
}

type BodyRead = { kind: "read"; text: string } | { kind: "failed"; code: string; received: number };

/**
 * Reads `stream` to its end as UTF-8, giving up when `signal` aborts, when
 * more than `MAX_RESPONSE_BYTES` arrive, or when the connection closes early.
 */
function readBody(stream: Readable, signal: AbortSignal): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (result: BodyRead) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      if (result.kind === "failed") stream.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ kind: "failed", code: NETWORK_FAILURE_CODES.attemptTimeout, received });
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort);
    stream.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_RESPONSE_BYTES) return finish({ kind: "failed", code: NETWORK_FAILURE_CODES.tooLarge, received });
      chunks.push(chunk);
    });
    stream.on("end", () => finish({ kind: "read", text: Buffer.concat(chunks).toString("utf8") }));
    // Node reports a body cut off by the peer as an error ("aborted", ECONNRESET) or a close without "end";
    // the request's signal destroys the stream too when the attempt's budget runs out, which is the timeout, not the peer.
    const cutOff = () => finish({ kind: "failed", code: signal.aborted ? NETWORK_FAILURE_CODES.attemptTimeout : NETWORK_FAILURE_CODES.bodyIncomplete, received });
    stream.on("error", cutOff);
    stream.on("close", cutOff);
  });
}

/** The Node code of a thrown error, and nothing else of it. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && /^[A-Z0-9_]{2,40}$/.test(code) ? code : "ERR_UNKNOWN";
}

/** Words for a failure: what happened, never the thrown error's text (it may quote headers). */
function failureOf(code: string, request: HttpRequest, received: number, error?: unknown): { code: string; reason: string } {
  const seconds = `${(request.timeoutMs / 1000).toFixed(1).replace(/\.0$/, "")} s`;
  switch (code) {
    case NETWORK_FAILURE_CODES.attemptTimeout:
      return { code, reason: `no complete answer within ${seconds}${received > 0 ? ` (${received} bytes of the body had arrived)` : ""}` };
    case NETWORK_FAILURE_CODES.bodyIncomplete:
      return { code, reason: `the connection closed after ${received} bytes of the body, before the whole answer arrived` };
    case NETWORK_FAILURE_CODES.tooLarge:
      return { code, reason: `the answer was larger than ${MAX_RESPONSE_BYTES} bytes and was abandoned unread` };
    default: {
      // Node's own message ("connect ECONNREFUSED 127.0.0.1:9") names the address, never a header.
      const message = (error as { message?: unknown })?.message;
      const words = NODE_CODE_WORDS[code] ?? "the request failed";
      return { code, reason: typeof message === "string" && message !== "" ? `${words}: ${printable(redactUrl(message)).slice(0, 200)}` : words };
    }
  }
}

/** What Node's network codes mean, in words a responder reads. */
const NODE_CODE_WORDS: Record<string, string> = {
  ECONNREFUSED: "the connection was refused",
  ECONNRESET: "the connection was reset",
  EPIPE: "the connection broke while sending",
  ETIMEDOUT: "the connection timed out",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name could not be resolved just now",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  ECONNABORTED: "the connection was aborted",
  CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is self-signed",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's TLS certificate could not be verified",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's TLS certificate is for another host",
};
