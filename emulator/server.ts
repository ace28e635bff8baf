// The HTTP face of the emulator: the token endpoint and the management API (api.ts), plus the
// misbehaviour tests ask for (latency, rate limit, scripted faults, chaos) and the request log.
// Requests under /__emulator/ go to the admin API untouched by any of that.

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";

import { handleAdmin, isAdminPath } from "./admin";
import { ManagementApi, MAX_USER_PAGE_SIZE } from "./api";
import {
  defaultErrorBody,
  gatewayPage,
  invalidData,
  notFound,
  oauthBody,
  requestLimited,
  unexpectedError,
  type P1Error,
} from "./errors";
import { Chaos, FaultQueue, LicenceRateLimiter, normalizeAddress, wholeSeconds } from "./faults";
import { EmulatorState, type TokenAuthMethod } from "./state";
import type { ChaosOptions, FaultSpec, RateLimit, RequestLogEntry, ResolvedEmulatorOptions } from "./types";

/** Request bodies above this are refused with 413; nothing legitimate comes close. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Idle keep-alive sockets are closed after this, like a typical load balancer. */
const KEEP_ALIVE_TIMEOUT_MS = 5000;

const TOKEN_PATH = /^\/([^/]+)\/as\/token$/;
/** PingOne turns characters outside this set into "_" in correlation headers, and keeps at most 100. */
const CORRELATION_INVALID = /[^\p{L}\p{M}\p{N}._\-/@=#+]/gu;

type RequestKind = "api" | "token" | "other";

/** What to do with a request once latency and any delay have passed. */
type Plan =
  | { kind: "handle"; extraHeaders?: Record<string, string> }
  | { kind: "answer"; status: number; contentType: string; body: string | Buffer; headers: Record<string, string> }
  | { kind: "reset" };

/** A request whose body has been read, as `dispatch` receives it. */
interface Arrival {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  /** `Date.now()` when the request arrived. */
  arrivedAt: number;
  /** Path with query, exactly as requested. */
  rawUrl: string;
  pathname: string;
  /** Query string without "?" ("" when none). */
  query: string;
  body: string;
  /** The body exceeded `MAX_BODY_BYTES` (and was truncated). */
  tooLarge: boolean;
}

interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  entry: RequestLogEntry;
  kind: RequestKind;
  pathname: string;
  query: string;
  body: string;
  transactionId: string;
  sessionId: string | undefined;
  extraHeaders: Record<string, string> | undefined;
}

/**
 * One running emulator: an HTTP server on 127.0.0.1 plus the tenant it serves. Create it with
 * `EmulatorServer.start`; the public `RunningEmulator` (index.ts) wraps it.
 */
export class EmulatorServer {
  readonly url: string;
  readonly apiUrl: string;
  readonly authUrl: string;
  readonly state: EmulatorState;
  private latencyMs: number;
  private limiter: LicenceRateLimiter | undefined;
  /** The limit as given: its 429's header style. */
  private limiterOptions: RateLimit | undefined;
  private chaos: Chaos | undefined;
  private readonly faults = new FaultQueue();
  private log: RequestLogEntry[] = [];
  private readonly logLimit: number;
  private readonly listPageSize: number | undefined;
  private userPageSize: number;
  private readonly api: ManagementApi;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly server: http.Server,
    port: number,
    options: ResolvedEmulatorOptions,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.url}/v1`;
    this.authUrl = this.url;
    this.state = new EmulatorState({ apiUrl: this.apiUrl, tokenLifetimeSeconds: options.tokenLifetimeSeconds });
    this.latencyMs = options.latencyMs;
    this.limiter = options.rateLimit ? new LicenceRateLimiter(options.rateLimit) : undefined;
    this.limiterOptions = options.rateLimit;
    this.chaos = options.chaos ? new Chaos(options.chaos) : undefined;
    this.logLimit = options.requestLogLimit;
    this.listPageSize = options.listPageSize;
    this.userPageSize = options.userPageSize;
    this.api = new ManagementApi(this.state, this.url, () => ({
      listPageSize: this.listPageSize,
      userPageSize: this.userPageSize,
    }));
  }

  /** Listens on 127.0.0.1:`options.port`. Rejects if the port cannot be bound or an option is invalid (RangeError). */
  static async start(options: ResolvedEmulatorOptions): Promise<EmulatorServer> {
    // Validate before binding so a bad option never leaves a listening socket behind.
    if (options.rateLimit) new LicenceRateLimiter(options.rateLimit);
    if (options.chaos) new Chaos(options.chaos);
    const server = http.createServer({ noDelay: true });
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const emulator = new EmulatorServer(server, (server.address() as AddressInfo).port, options);
    // Attached after the state exists; no connection can be accepted before this synchronous step ends.
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => emulator.onRequest(req, res));
    return emulator;
  }

  // ---- controls (see RunningEmulator for the contract) ----

  /** Throws RangeError on a negative or non-finite delay. */
  setLatency(ms: number): void {
    if (!(ms >= 0 && Number.isFinite(ms))) throw new RangeError(`latencyMs must be a non-negative number, got ${ms}`);
    this.latencyMs = ms;
  }

  /** A new limit starts with full buckets; undefined removes it. Throws RangeError on an invalid limit. */
  setRateLimit(limit: RateLimit | undefined): void {
    this.limiter = limit ? new LicenceRateLimiter(limit) : undefined;
    this.limiterOptions = limit;
  }

  /** Throws RangeError unless `size` is an integer 1..200. */
  setUserPageSize(size: number): void {
    this.userPageSize = checkUserPageSize(size);
  }

  /** Restarts the PRNG from the seed; undefined turns chaos off. Throws RangeError on invalid options. */
  setChaos(chaos: ChaosOptions | undefined): void {
    this.chaos = chaos ? new Chaos(chaos) : undefined;
  }

  /** Throws RangeError on an invalid spec. */
  injectFault(fault: FaultSpec): void {
    this.faults.add(fault);
  }

  /** Drops every fault not yet used up. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** Copies of the newest `requestLogLimit` entries, oldest first. */
  requests(): RequestLogEntry[] {
    const start = Math.max(0, this.log.length - this.logLimit);
    return this.log.slice(start).map((e) => ({ ...e, headers: { ...e.headers } }));
  }

  /** Empties the request log. */
  clearRequests(): void {
    this.log = [];
  }

  /** Cancels delayed answers, closes every socket and the server; later calls return the same promise. */
  stop(): Promise<void> {
    if (!this.stopping) {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      this.stopping = new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
    }
    return this.stopping;
  }

  // ---- request pipeline ----

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const at = Date.now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("error", () => undefined); // a client that aborts mid-body is not our failure
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      const rawUrl = req.url ?? "/";
      const q = rawUrl.indexOf("?");
      const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
      const body = chunks.length === 0 ? "" : Buffer.concat(chunks).toString("utf8");
      if (isAdminPath(pathname)) {
        handleAdmin(this, req, res, pathname, body);
        return;
      }
      this.dispatch({
        req,
        res,
        arrivedAt: at,
        rawUrl,
        pathname,
        query: q < 0 ? "" : rawUrl.slice(q + 1),
        body,
        tooLarge: size > MAX_BODY_BYTES,
      });
    });
  }

  private dispatch(arrival: Arrival): void {
    const { req, res, arrivedAt, rawUrl, pathname, query, body, tooLarge } = arrival;
    const method = req.method ?? "GET";
    const headers = flattenHeaders(req.headers);
    const sentTransactionId = headers["x-ping-external-transaction-id"];
    const remoteAddress = normalizeAddress(req.socket.remoteAddress ?? "");
    const entry: RequestLogEntry = {
      at: arrivedAt,
      method,
      path: rawUrl,
      status: "pending",
      headers,
      body,
      remoteAddress,
    };
    if (sentTransactionId !== undefined) entry.transactionId = sentTransactionId;
    this.pushLog(entry);

    const kind: RequestKind =
      pathname === "/v1" || pathname.startsWith("/v1/") ? "api" : TOKEN_PATH.test(pathname) ? "token" : "other";
    const ex: Exchange = {
      req,
      res,
      entry,
      kind,
      pathname,
      query,
      body,
      transactionId: sentTransactionId !== undefined ? sanitizeCorrelation(sentTransactionId) : randomUUID(),
      sessionId:
        headers["x-ping-external-session-id"] !== undefined
          ? sanitizeCorrelation(headers["x-ping-external-session-id"])
          : undefined,
      extraHeaders: undefined,
    };

    // Every decision is taken on arrival, so fault counts and the chaos sequence follow request order
    // even when answers are delayed by different amounts.
    let delay = this.latencyMs;
    let plan: Plan = { kind: "handle" };
    const allowance = this.limiter?.take(remoteAddress);
    const fault = allowance && !allowance.allowed ? undefined : this.faults.take(method, rawUrl);
    if (allowance && !allowance.allowed) {
      const quota = {
        retryAfter: Math.ceil(allowance.waitMs) / 1000,
        quotaResetTime: new Date(arrivedAt + Math.ceil(allowance.waitMs)).toISOString(),
        quotaLimit: allowance.quotaLimit,
      };
      const header = this.limiterOptions?.retryAfterHeader === "zero" ? "0" : String(wholeSeconds(allowance.waitMs));
      plan = jsonPlan(429, requestLimited(quota), { "Retry-After": header });
    } else if (fault) {
      delay += fault.delayMs ?? 0;
      plan = planFault(fault, kind === "token");
    } else if (this.chaos?.eligible(kind)) {
      const chosen = this.chaos.next();
      if (chosen === "slow") delay += this.chaos.options.slowMs;
      else if (chosen !== undefined) plan = planChaos(chosen, this.chaos.options.retryAfter);
    }
    if (tooLarge && plan.kind === "handle")
      plan = jsonPlan(
        413,
        invalidData([{ target: "body", message: `The request body exceeds ${MAX_BODY_BYTES} bytes.` }]),
        {},
      );

    const run = (): void => this.execute(ex, plan);
    if (delay > 0) this.later(delay, run);
    else run();
  }

  private execute(ex: Exchange, plan: Plan): void {
    if (plan.kind === "reset") {
      ex.entry.status = "reset";
      ex.req.socket.destroy();
      return;
    }
    if (plan.kind === "answer") {
      this.send(ex, plan.status, plan.body, plan.contentType, plan.headers);
      return;
    }
    ex.extraHeaders = plan.extraHeaders;
    try {
      if (ex.kind === "token") this.handleToken(ex);
      else if (ex.kind === "api") this.handleApi(ex);
      else this.sendP1(ex, 404, notFound());
    } catch (err) {
      // An emulator bug must still look like PingOne to the client, and be visible to whoever runs it.
      process.emitWarning(`PingOne emulator: handler failed for ${ex.entry.method} ${ex.entry.path}: ${String(err)}`);
      this.sendP1(ex, 500, unexpectedError());
    }
  }

  // ---- token endpoint: POST /{envId}/as/token ----

  private handleToken(ex: Exchange): void {
    const environmentId = safeDecode(TOKEN_PATH.exec(ex.pathname)?.[1] ?? "") ?? "";
    if (ex.entry.method !== "POST") {
      this.sendOAuth(ex, 405, "invalid_request", "The token endpoint accepts POST only.", { Allow: "POST" });
      return;
    }
    const contentType = ex.req.headers["content-type"] ?? "";
    if (!contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      this.sendOAuth(
        ex,
        400,
        "invalid_request",
        "The token request must be sent as application/x-www-form-urlencoded.",
      );
      return;
    }
    const form = new URLSearchParams(ex.body);
    const presented = presentedClient(ex.req.headers.authorization, form);
    if ("error" in presented) {
      this.sendOAuth(ex, 401, "invalid_client", presented.error);
      return;
    }
    const authenticated = this.state.authenticateClient(environmentId, presented);
    if (!authenticated.ok) {
      const challenge: Record<string, string> =
        presented.method === "client_secret_basic" ? { "WWW-Authenticate": 'Basic realm="PingOne"' } : {};
      this.sendOAuth(ex, 401, "invalid_client", authenticated.description, challenge);
      return;
    }
    const grantType = form.get("grant_type");
    if (grantType !== "client_credentials") {
      const what =
        grantType === null ? "grant_type is missing" : `grant_type ${JSON.stringify(grantType)} is not supported`;
      this.sendOAuth(ex, 400, "unsupported_grant_type", `${what}; this application may use client_credentials only.`);
      return;
    }
    const token = this.state.issueApplicationToken(authenticated.clientId);
    const body = JSON.stringify({ access_token: token.accessToken, token_type: "Bearer", expires_in: token.expiresIn });
    this.send(ex, 200, body, "application/json", { "Cache-Control": "no-store", Pragma: "no-cache" });
  }

  // ---- management API ----

  private handleApi(ex: Exchange): void {
    const answer = this.api.handle({
      method: ex.entry.method,
      pathname: ex.pathname,
      query: ex.query,
      rawPath: ex.entry.path,
      authorization: ex.req.headers.authorization,
    });
    this.send(
      ex,
      answer.status,
      answer.body,
      answer.body === undefined ? undefined : "application/json",
      answer.headers,
    );
  }

  // ---- answering ----

  private sendP1(ex: Exchange, status: number, error: P1Error, headers?: Record<string, string>): void {
    this.send(ex, status, JSON.stringify(error), "application/json", headers);
  }

  private sendOAuth(
    ex: Exchange,
    status: number,
    error: string,
    description: string,
    headers?: Record<string, string>,
  ): void {
    const answer = oauthBody(error, description);
    this.send(ex, status, answer.body, answer.contentType, { "Cache-Control": "no-store", ...headers });
  }

  private send(
    ex: Exchange,
    status: number,
    body: string | Buffer | undefined,
    contentType: string | undefined,
    headers?: Record<string, string>,
  ): void {
    ex.entry.status = status;
    const res = ex.res;
    if (res.headersSent || res.destroyed) return;
    ex.entry.answeredAt = Date.now();
    const out: Record<string, string | number> = {
      "Correlation-Id": randomUUID(),
      "X-Ping-External-Transaction-ID": ex.transactionId,
    };
    if (ex.sessionId !== undefined) out["X-Ping-External-Session-ID"] = ex.sessionId;
    if (body !== undefined) {
      out["Content-Type"] = contentType ?? "application/json";
      out["Content-Length"] = Buffer.byteLength(body);
    }
    mergeHeaders(out, ex.extraHeaders);
    mergeHeaders(out, headers);
    res.writeHead(status, out);
    res.end(body);
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private pushLog(entry: RequestLogEntry): void {
    this.log.push(entry);
    // Trim in large steps: one splice per `logLimit` requests keeps pushing O(1) amortised.
    if (this.log.length >= this.logLimit * 2) this.log.splice(0, this.log.length - this.logLimit);
  }
}

// ---- pure helpers ----

function jsonPlan(status: number, error: P1Error, headers: Record<string, string>): Plan {
  return { kind: "answer", status, contentType: "application/json", body: JSON.stringify(error), headers };
}

function planFault(fault: FaultSpec, forTokenEndpoint: boolean): Plan {
  if (fault.reset) return { kind: "reset" };
  if (fault.status === undefined) return { kind: "handle", extraHeaders: fault.headers };
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers["Retry-After"] = fault.retryAfter;
  mergeHeaders(headers, fault.headers);
  if (fault.body !== undefined) {
    const contentType = Object.keys(headers).some((h) => h.toLowerCase() === "content-type") ? "" : "application/json";
    return { kind: "answer", status: fault.status, contentType, body: fault.body, headers };
  }
  const answer = defaultErrorBody(fault.status, forTokenEndpoint);
  return { kind: "answer", status: fault.status, contentType: answer.contentType, body: answer.body, headers };
}

function planChaos(kind: "429" | "500" | "502" | "503" | "504" | "reset", retryAfter: string): Plan {
  switch (kind) {
    case "reset":
      return { kind: "reset" };
    case "429":
      return jsonPlan(429, requestLimited(), { "Retry-After": retryAfter });
    case "500":
      return jsonPlan(500, unexpectedError(), {});
    default: {
      const status = Number(kind);
      const page = gatewayPage(status);
      return {
        kind: "answer",
        status,
        contentType: page.contentType,
        body: page.body,
        headers: status === 503 ? { "Retry-After": retryAfter } : {},
      };
    }
  }
}

/** Reads client credentials from HTTP Basic or the form (RFC 6749 2.3.1); using both at once is refused. */
function presentedClient(
  authorization: string | undefined,
  form: URLSearchParams,
): { clientId: string; clientSecret: string; method: TokenAuthMethod } | { error: string } {
  if (authorization !== undefined && /^Basic\s/i.test(authorization)) {
    const decoded = Buffer.from(authorization.replace(/^Basic\s+/i, ""), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const clientId = colon < 0 ? undefined : formDecode(decoded.slice(0, colon));
    const clientSecret = colon < 0 ? undefined : formDecode(decoded.slice(colon + 1));
    if (clientId === undefined || clientSecret === undefined)
      return { error: "Client authentication failed: malformed HTTP Basic credentials." };
    if (form.has("client_secret"))
      return { error: "Client authentication failed: more than one client authentication method was used." };
    const formId = form.get("client_id");
    if (formId !== null && formId !== clientId)
      return { error: "Client authentication failed: client_id in the form differs from HTTP Basic." };
    return { clientId, clientSecret, method: "client_secret_basic" };
  }
  const clientSecret = form.get("client_secret");
  if (clientSecret !== null)
    return { clientId: form.get("client_id") ?? "", clientSecret, method: "client_secret_post" };
  return {
    error:
      "Client authentication failed: send client credentials with HTTP Basic (client_secret_basic) or in the form (client_secret_post).",
  };
}

function formDecode(value: string): string | undefined {
  return safeDecode(value.replace(/\+/g, " "));
}

/** Throws RangeError unless `size` is an integer 1..`MAX_USER_PAGE_SIZE`. */
export function checkUserPageSize(size: number): number {
  if (!(Number.isInteger(size) && size >= 1 && size <= MAX_USER_PAGE_SIZE))
    throw new RangeError(`userPageSize must be an integer 1..${MAX_USER_PAGE_SIZE}, got ${size}`);
  return size;
}

function safeDecode(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function sanitizeCorrelation(value: string): string {
  return value.replace(CORRELATION_INVALID, "_").slice(0, 100);
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Copies `extra` into `target`, replacing any header of the same name whatever its case. */
function mergeHeaders(target: Record<string, string | number>, extra: Record<string, string> | undefined): void {
  if (!extra) return;
  for (const [name, value] of Object.entries(extra)) {
    const lower = name.toLowerCase();
    for (const existing of Object.keys(target)) if (existing.toLowerCase() === lower) delete target[existing];
    target[name] = value;
  }
}
