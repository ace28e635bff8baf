/**
 * The HTTP layer: axios with keep-alive, no redirects, a size cap and a
 * deadline on the whole attempt. It never throws an axios error upward (those
 * carry the request headers, Authorization included): it returns either an
 * answer or a network failure described by a stable code and words only.
 *
 * Why the body is read here and not by axios: axios' `timeout` is a socket
 * idle timer, so a server that trickles one byte every few hundred
 * milliseconds keeps an attempt alive for ever; and axios reports a body cut
 * off by the server, a body over the size cap and a bad answer all as
 * `ERR_BAD_RESPONSE`. Reading the stream ourselves bounds the attempt as a
 * whole (headers and body) and names each failure for what it is.
 */
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import axios, { AxiosInstance } from "axios";
import { printable, redactUrl } from "./text";

// The proxy decision axios itself makes (HTTPS_PROXY, NO_PROXY, ...); the package ships no types.
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
 * The proxy the environment names for `url` (`HTTPS_PROXY`, `NO_PROXY`, ...,
 * as axios reads them), or undefined. Loopback hosts never use one, so a
 * proxy set for the outside world cannot capture the emulator.
 */
export function proxyRouteFor(url: string, env: Record<string, string | undefined> = process.env): ProxyRoute | undefined {
  const target = new URL(url);
  if (isLoopbackHost(target.hostname)) return undefined;
  const proxy = getProxyForUrl(url);
  if (!proxy) return undefined;
  const scheme = target.protocol.replace(":", "");
  const names = [`npm_config_${scheme}_proxy`, `${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`, "npm_config_proxy", "all_proxy", "ALL_PROXY"];
  const variable = names.find((name) => env[name] !== undefined && env[name] !== "") ?? `${scheme.toUpperCase()}_PROXY`;
  return { variable, url: redactUrl(proxy) };
}

/**
 * Creates the axios-backed transport used by `PingOneClient`. `localAddress`
 * binds outgoing connections to one source address of this machine (a
 * runner with several, or shards on 127.0.0.2, 127.0.0.3, ... against the
 * emulator's per-source rate limit).
 */
export function createTransport(userAgent: string, localAddress?: string): Transport {
  // Sockets are reused across the many small calls of a bulk run; the pacer,
  // not the agent, bounds how many are open.
  const httpAgent = new http.Agent({ keepAlive: true, localAddress });
  const httpsAgent = new https.Agent({ keepAlive: true, localAddress });
  const instance: AxiosInstance = axios.create({
    httpAgent,
    httpsAgent,
    maxRedirects: 0,
    validateStatus: () => true,
    responseType: "stream",
    headers: { "User-Agent": userAgent },
  });

  return {
    async send(request) {
      const proxy = proxyRouteFor(request.url);
      const attempt = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        attempt.abort();
      }, request.timeoutMs);
      try {
        const response = await instance.request<Readable>({
          method: request.method,
          url: request.url,
          headers: request.headers,
          data: request.body,
          signal: attempt.signal,
          proxy: proxy === undefined ? false : undefined,
        });
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers ?? {})) {
          if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
        }
        const body = await readBody(response.data, attempt.signal);
        if (body.kind === "failed") return { kind: "no-answer", ...failureOf(body.code, request, body.received), proxy };
        return { kind: "answer", status: response.status, headers, text: body.text, proxy };
      } catch (error) {
        const code = timedOut ? NETWORK_FAILURE_CODES.attemptTimeout : codeOf(error);
        return { kind: "no-answer", ...failureOf(code, request, 0, error), proxy };
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
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
    // axios destroys the stream itself when the attempt's signal aborts, which is the timeout, not the peer.
    const cutOff = () => finish({ kind: "failed", code: signal.aborted ? NETWORK_FAILURE_CODES.attemptTimeout : NETWORK_FAILURE_CODES.bodyIncomplete, received });
    stream.on("error", cutOff);
    stream.on("close", cutOff);
  });
}

/** The Node/axios code of a thrown error, and nothing else of it. */
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
      // Node's own message ("connect ECONNREFUSED 127.0.0.1:9") names the address; an axios message never holds headers.
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
  ERR_FR_TOO_MANY_REDIRECTS: "too many redirects",
  CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is self-signed",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's TLS certificate could not be verified",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's TLS certificate is for another host",
};
