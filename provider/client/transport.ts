/**
 * The HTTP layer: axios, through its Node `http` adapter, with keep-alive, no
 * redirects, no decompression, a size cap and one deadline on the whole
 * attempt. It never throws upward: it returns either an answer or a network
 * failure described by a stable code and words (`httpFailure.ts`, the one
 * place where axios's and Node's codes become ours; of a thrown error, at
 * most Node's own message, which names an address or a header's name, never a
 * header's value).
 *
 * What axios does here: the request (headers, body, agents, TLS verification
 * by Node's defaults), `maxRedirects: 0` so a 3xx is an answer like any other,
 * `validateStatus` accepting every status (the classifier judges them, axios
 * throws for none), `decompress: false` and no `Accept-Encoding`, `proxy:
 * false` (the proxy is ours, below), `maxContentLength` as the 1 MiB cap, and
 * the attempt's `AbortSignal` as its deadline, before and during the body.
 *
 * What stays ours, each because axios cannot keep that guarantee (each is
 * shown in tests/client/axiosLimits.test.ts):
 * - the body is streamed (`responseType: "stream"`) and read here, counting
 *   its bytes: buffered, axios reports a body cut off by the server and a body
 *   over the cap with the same `ERR_BAD_RESPONSE` and no count of what
 *   arrived, and its `timeout` is a socket idle timer that a trickled body
 *   never trips (the signal, not `timeout`, is the deadline);
 * - header values are checked with Node's own validator before axios sees
 *   them: axios silently strips a line break from a header's value and sends
 *   the rest, where Node refuses the request (`ERR_INVALID_CHAR`);
 * - axios's `transport` is Node's `request` plus one listener: a request that
 *   closes with neither an answer nor an error (Node's way with a `101
 *   Switching Protocols` nobody asked for) fails at once, where axios would
 *   wait for the deadline.
 *
 * axios is loaded on the first request, not with this module: commands that
 * send nothing (`--help`, `--version`, a usage error) never pay for loading it, and
 * a serialized dynamic provider never captures it. A proxy from the
 * environment is reached through a CONNECT tunnel (`https-proxy-agent`);
 * nothing on loopback goes through one.
 */
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import type { AxiosHeaders, AxiosInstance, AxiosResponse, AxiosStatic } from "axios";
import { HttpsProxyAgent } from "https-proxy-agent";
import { FailureContext, httpFailure, MAX_RESPONSE_BYTES, NETWORK_FAILURE_CODES } from "./httpFailure";
import { redactUrl } from "./text";

export { MAX_RESPONSE_BYTES, NETWORK_FAILURE_CODES };

// The proxy decision curl and most HTTP clients make (HTTPS_PROXY, NO_PROXY, ...); the package ships no types.
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
interface ProxyRoute {
  /** The variable that named the proxy (`HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`, ...). */
  variable: string;
  /** The proxy's URL with any user name and password masked. */
  url: string;
}

/** An HTTP answer read to its end. */
interface HttpAnswer {
  kind: "answer";
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  text: string;
  /** Set when the request went through a proxy from the environment. */
  proxy?: ProxyRoute;
}

/** No usable answer: `code` is stable (see `NETWORK_FAILURE_CODES`), `reason` is words for a person. */
interface HttpNoAnswer {
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
  const names = [
    `npm_config_${scheme}_proxy`,
    `${scheme}_proxy`,
    `${scheme.toUpperCase()}_PROXY`,
    "npm_config_proxy",
    "all_proxy",
    "ALL_PROXY",
  ];
  const variable =
    names.find((name) => process.env[name] !== undefined && process.env[name] !== "") ??
    `${scheme.toUpperCase()}_PROXY`;
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
  let instance: AxiosInstance | undefined;

  return {
    async send(request) {
      let target: URL;
      try {
        target = new URL(request.url);
      } catch (error) {
        const context = { stage: "request", deadlinePassed: false, received: 0, timeoutMs: request.timeoutMs } as const;
        return { kind: "no-answer", ...httpFailure(error, context) };
      }
      const tunnel = proxyFor(target);
      instance ??= createInstance();
      const headers = { "User-Agent": userAgent, ...request.headers };
      return exchange(instance, request, headers, agentFor(target, tunnel?.url), tunnel?.route);
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
      for (const agent of proxyAgents.values()) agent.destroy();
      proxyAgents.clear();
    },
  };
}

/** axios itself, loaded once, on the first request of the process (see the module's comment). */
let axiosModule: AxiosStatic | undefined;

function loadAxios(): AxiosStatic {
  // A require here, not an import at the top: loaded late, once, through its CommonJS bundle (one file,
  // the entry that loads least), and never captured by the serialized dynamic provider.
  axiosModule ??= require("axios") as AxiosStatic;
  return axiosModule;
}

/** The axios instance of one transport: every setting that makes it keep the guarantees above. */
function createInstance(): AxiosInstance {
  return loadAxios().create({
    adapter: "http",
    transport: settlingTransport,
    maxRedirects: 0,
    decompress: false,
    validateStatus: () => true,
    responseType: "stream",
    proxy: false,
    maxContentLength: MAX_RESPONSE_BYTES,
    maxBodyLength: MAX_RESPONSE_BYTES,
    // The body is sent as given and the answer handed over as read: no JSON guessing either way.
    transformRequest: [(data: unknown) => data],
    transformResponse: [(data: unknown) => data],
  });
}

/**
 * Headers axios would add when the request names none: `false` keeps each
 * out, so the server sees what the client chose (no `Accept-Encoding`, so
 * answers are never compressed; no guessed `Content-Type` or `Accept`).
 */
const UNSET_DEFAULTS = { Accept: false, "Accept-Encoding": false, "Content-Type": false } as const;

/**
 * One request and its whole answer, or the failure named by a code, within
 * `request.timeoutMs`; it never throws. `proxy` is the route `agent` tunnels
 * through, for the result to name.
 */
async function exchange(
  axios: AxiosInstance,
  request: HttpRequest,
  headers: Record<string, string>,
  agent: http.Agent,
  proxy: ProxyRoute | undefined,
): Promise<HttpResult> {
  // One budget for the whole attempt: connecting, sending, the headers and the body. The controller is
  // this attempt's own, so its listeners go with it (none is added to a signal shared by many requests).
  const attempt = new AbortController();
  const timer = setTimeout(() => attempt.abort(), request.timeoutMs);
  const fail = (error: unknown, stage: FailureContext["stage"], received = 0): HttpNoAnswer => ({
    kind: "no-answer",
    ...httpFailure(error, {
      stage,
      deadlinePassed: attempt.signal.aborted,
      received,
      timeoutMs: request.timeoutMs,
      status: statusOf(error),
    }),
    proxy,
  });
  try {
    // What Node would refuse to send (a line break in a value: ERR_INVALID_CHAR) is refused here, as Node
    // would: axios strips the line break and sends the rest.
    const refused = refusedHeader(headers);
    if (refused !== undefined) return fail(refused, "request");
    let response: AxiosResponse<Readable>;
    try {
      response = await axios.request<Readable>({
        method: request.method,
        url: request.url,
        headers: { ...UNSET_DEFAULTS, ...headers },
        data: request.body,
        httpAgent: agent,
        httpsAgent: agent,
        signal: attempt.signal,
      });
    } catch (error) {
      return fail(error, "request");
    }
    const body = await readBody(response.data, attempt.signal);
    if (body.kind === "failed") {
      (response.request as http.ClientRequest | undefined)?.destroy();
      return fail(body.error, "body", body.received);
    }
    const answerHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries((response.headers as AxiosHeaders).toJSON(true))) {
      if (typeof value === "string") answerHeaders[name.toLowerCase()] = value;
    }
    return { kind: "answer", status: response.status, headers: answerHeaders, text: body.text, proxy };
  } finally {
    clearTimeout(timer);
  }
}

/** The first header Node would refuse to send, as Node's own error (its message names the header, not the value). */
function refusedHeader(headers: Record<string, string>): unknown {
  for (const [name, value] of Object.entries(headers)) {
    try {
      http.validateHeaderName(name);
      http.validateHeaderValue(name, value);
    } catch (error) {
      return error;
    }
  }
  return undefined;
}

/**
 * Node's `request` as axios's `transport` option takes it, plus the one
 * event axios does not listen for: a request that closes with neither an
 * answer nor an error. Node does that with a `101 Switching Protocols` it did
 * not ask for (it drops the connection, emitting only `close`); the request
 * then fails at once, coded, instead of holding its slot until the deadline.
 */
const settlingTransport = {
  request(options: http.RequestOptions, onResponse: (response: http.IncomingMessage) => void): http.ClientRequest {
    let settled = false;
    const sent = (options.protocol === "https:" ? https : http).request(options, (response) => {
      settled = true;
      onResponse(response);
    });
    sent.on("error", () => {
      settled = true;
    });
    sent.once("close", () => {
      if (settled) return;
      // Node keeps the head it parsed (the 101) on the request, though it emits no "response" for it.
      const status = (sent as { res?: http.IncomingMessage }).res?.statusCode;
      const error = new Error(`the server answered HTTP ${status ?? "(none)"} and closed the connection`);
      sent.emit("error", Object.assign(error, { code: NETWORK_FAILURE_CODES.unexpectedUpgrade, status }));
    });
    return sent;
  },
};

/** The status an error carries (the 101 of an unexpected upgrade), if any. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === "number" ? status : undefined;
}

type BodyRead = { kind: "read"; text: string } | { kind: "failed"; error: unknown; received: number };

/**
 * Reads `stream` to its end as UTF-8, counting its bytes; it gives up when
 * `signal` aborts (axios also ends the stream then), when the stream fails
 * (axios's maxContentLength, a connection cut off by the peer), or when it
 * closes before its end.
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
    const onAbort = () => finish({ kind: "failed", error: signal.reason, received });
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort);
    stream.on("data", (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    });
    stream.on("end", () => finish({ kind: "read", text: Buffer.concat(chunks).toString("utf8") }));
    stream.on("error", (error) => finish({ kind: "failed", error, received }));
    const prematureClose = () => Object.assign(new Error("premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" });
    stream.on("close", () => finish({ kind: "failed", error: prematureClose(), received }));
  });
}
