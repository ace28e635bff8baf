/**
 * The PingOne sessions client: list, read and delete a user's sessions, with
 * token handling, retries, pacing and errors that say what to do. It knows
 * nothing of Pulumi; the provider and the CLI both build on it.
 */
import { randomUUID } from "node:crypto";
import { adviceFor, AdviceContext } from "./advice";
import { OperationTarget, PingOneApiError } from "./errors";
import { assertIds, quote, SessionRef, UserRef } from "./ids";
import { classifyNetworkError, classifyStatus, OutcomeKind, RETRY_AFTER_STATUSES } from "./outcome";
import { AdaptivePacer, PacerDeadlineError, PacerOptions } from "./pacer";
import { Clock, nextDelay, parseRetryAfter, systemClock } from "./retry";
import { Secret } from "./secret";
import { resolveConnection, ResolvedConnection, SettingsInput } from "./settings";
import { IssuedToken, TokenCache } from "./token";
import { createTransport, HttpRequest, HttpResult, Transport } from "./transport";
import { PingOneErrorBody, PingOneSession, PingOneSessionList } from "./types";
import { USER_AGENT } from "./version";

/** Optional collaborators of a client; the defaults are the real ones. */
export interface PingOneClientOptions {
  /** Time and randomness for retry waits (tests pass a fake one). */
  clock?: Clock;
  /** Pacing tunables; `maxConcurrency` defaults to the connection's. */
  pacer?: PacerOptions;
}

/** Counters a client keeps, for benchmarks, tests and the CLI's summary. */
export interface ClientStats {
  /** HTTP requests sent to the sessions API (every attempt counts). */
  apiRequests: number;
  /** HTTP requests sent to the token endpoint. */
  tokenRequests: number;
  /** Answers by HTTP status. */
  statuses: Record<number, number>;
  /** Attempts that got no answer. */
  networkFailures: number;
  /** Attempts repeated after a transient failure. */
  retries: number;
}

/** The result of revoking one session: PingOne deleted it, or it was not there. */
export type DeleteResult = "deleted" | "absent";

/** Longest chain of `_links.next` followed; PingOne keeps at most 10 sessions a user, so one page is the norm. */
const MAX_LIST_PAGES = 100;

/** One answer the retry loop accepted (success or not-found). */
interface AcceptedAnswer {
  kind: "success" | "not-found";
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** How to perform one logical operation. */
interface OperationSpec {
  target: OperationTarget;
  endpoint: AdviceContext["endpoint"];
  listing?: boolean;
  /** Builds one attempt's request; `token` is absent for the token endpoint. */
  request: (token: Secret | undefined) => Omit<HttpRequest, "timeoutMs">;
  /** Overrides the status classification, for answers that are wrong though their status is fine. */
  validate?: (answer: AcceptedAnswer) => { reason: string } | undefined;
}

/**
 * A PingOne management API client for user sessions. One instance holds one
 * token, one keep-alive pool and one pacer: share it among all work done with
 * the same settings. Every method validates ids before sending anything and
 * throws `PingOneApiError` (never an axios error) on failure.
 */
export class PingOneClient {
  private readonly clock: Clock;
  private readonly transport: Transport;
  private readonly pacer: AdaptivePacer;
  private readonly tokens?: TokenCache;
  private readonly counters: ClientStats = { apiRequests: 0, tokenRequests: 0, statuses: {}, networkFailures: 0, retries: 0 };

  /** Resolves settings from explicit options, stack config and the environment (see `resolveConnection`). */
  static fromSettings(input: SettingsInput, options?: PingOneClientOptions): PingOneClient {
    return new PingOneClient(resolveConnection(input), options);
  }

  /** Creates a client for resolved settings; makes no request until a method is called. */
  constructor(
    /** The settings this client uses. Holds secrets only as `Secret`. */
    readonly connection: ResolvedConnection,
    options: PingOneClientOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.transport = createTransport(USER_AGENT);
    this.pacer = new AdaptivePacer({ maxConcurrency: connection.maxConcurrency, ...options.pacer });
    if (connection.credentials.kind === "client-credentials") {
      this.tokens = new TokenCache(() => this.fetchToken(), () => this.clock.now());
    }
  }

  /**
   * Lists a user's sessions, newest first, following `_links.next` on the
   * same host. Throws `PingOneApiError` with status 404 when the user does
   * not exist.
   */
  async listSessions(user: UserRef): Promise<PingOneSession[]> {
    assertIds(user, ["environmentId", "userId"]);
    const target: OperationTarget = { action: "list sessions", ...user };
    const sessions: PingOneSession[] = [];
    let url: string | undefined = `${this.userUrl(user)}/sessions`;
    for (let page = 0; url !== undefined && page < MAX_LIST_PAGES; page++) {
      const pageUrl: string = url;
      const answer = await this.perform({
        target,
        endpoint: "api",
        listing: true,
        request: (token) => ({ method: "GET", url: pageUrl, headers: this.apiHeaders(token!) }),
        validate: (a) => (a.kind === "success" && parseJson<PingOneSessionList>(a.text) === undefined ? { reason: "the session list is not JSON" } : undefined),
      });
      if (answer.kind === "not-found") throw this.notFound(target, answer);
      const body = parseJson<PingOneSessionList>(answer.text)!;
      sessions.push(...(body._embedded?.sessions ?? []));
      url = this.nextPage(body._links?.next?.href, target);
    }
    return sessions;
  }

  /** Reads one session; `undefined` when PingOne answers 404 (the session, or its user, is gone). */
  async getSession(ref: SessionRef): Promise<PingOneSession | undefined> {
    assertIds(ref, ["environmentId", "userId", "sessionId"]);
    const answer = await this.perform({
      target: { action: "read session", ...ref },
      endpoint: "api",
      request: (token) => ({ method: "GET", url: this.sessionUrl(ref), headers: this.apiHeaders(token!) }),
      validate: (a) => (a.kind === "success" && parseJson<PingOneSession>(a.text) === undefined ? { reason: "the session is not JSON" } : undefined),
    });
    return answer.kind === "not-found" ? undefined : parseJson<PingOneSession>(answer.text);
  }

  /**
   * Deletes one session: `"deleted"` on 204, `"absent"` on 404 (already gone,
   * including a retry after a delete whose answer was lost). Safe to repeat.
   */
  async deleteSession(ref: SessionRef): Promise<DeleteResult> {
    assertIds(ref, ["environmentId", "userId", "sessionId"]);
    const answer = await this.perform({
      target: { action: "revoke session", ...ref },
      endpoint: "api",
      request: (token) => ({ method: "DELETE", url: this.sessionUrl(ref), headers: this.apiHeaders(token!) }),
    });
    return answer.kind === "not-found" ? "absent" : "deleted";
  }

  /** A copy of the counters. */
  stats(): ClientStats {
    return { ...this.counters, statuses: { ...this.counters.statuses } };
  }

  /** Frees keep-alive sockets; the client can still be used (new sockets are opened). */
  close(): void {
    this.transport.close();
  }

  private userUrl(user: UserRef): string {
    return `${this.connection.apiUrl}/environments/${user.environmentId}/users/${user.userId}`;
  }

  private sessionUrl(ref: SessionRef): string {
    return `${this.userUrl(ref)}/sessions/${ref.sessionId}`;
  }

  private apiHeaders(token: Secret): Record<string, string> {
    return { Authorization: `Bearer ${token.reveal()}`, Accept: "application/json" };
  }

  /** A next-page link is followed only on the API's own origin, so the token never travels elsewhere. */
  private nextPage(href: string | undefined, target: OperationTarget): string | undefined {
    if (!href) return undefined;
    const next = new URL(href, this.connection.apiUrl);
    if (next.origin !== new URL(this.connection.apiUrl).origin) {
      throw new PingOneApiError({
        target,
        reason: `the session list links its next page to another host (${next.origin})`,
        advice: "The link was not followed, so the access token was not sent there; check pingone:apiUrl.",
        transactionId: "-",
        attempts: 1,
        elapsedMs: 0,
      });
    }
    return next.toString();
  }

  private notFound(target: OperationTarget, answer: AcceptedAnswer): PingOneApiError {
    return new PingOneApiError({
      target,
      status: answer.status,
      body: parseJson<PingOneErrorBody>(answer.text),
      advice: adviceFor(404, { endpoint: "api", staticToken: this.tokens === undefined, listing: true }),
      transactionId: answer.headers["x-ping-external-transaction-id"] ?? "-",
      attempts: 1,
      elapsedMs: 0,
    });
  }

  /**
   * Runs one operation to an accepted answer (success or not-found), retrying
   * transient failures within the attempt budget and the deadline, fetching a
   * fresh token once after a 401. Throws `PingOneApiError` otherwise.
   */
  private async perform(spec: OperationSpec): Promise<AcceptedAnswer> {
    const retry = this.connection.retry;
    const started = this.clock.now();
    const deadline = started + retry.operationTimeoutMs;
    const transactionId = `pulumi-pingone-sessions-${randomUUID()}`;
    const context: AdviceContext = { endpoint: spec.endpoint, staticToken: this.tokens === undefined, listing: spec.listing };
    let refreshedToken = false;

    for (let attempt = 1; ; attempt++) {
      const fail = (init: { status?: number; body?: PingOneErrorBody; reason?: string; networkCode?: string; advice?: string }) =>
        new PingOneApiError({
          target: spec.target,
          ...init,
          advice: init.advice ?? adviceFor(init.status, context),
          transactionId,
          attempts: attempt,
          elapsedMs: this.clock.now() - started,
        });

      const pastDeadline = () => fail({ reason: `the operation deadline of ${retry.operationTimeoutMs / 1000} s passed`, advice: "Raise pingone:operationTimeoutSeconds or run again." });
      // A token fetch is shared and has its own deadline; this operation stops waiting at its own.
      const token = spec.endpoint === "api" ? await beforeDeadline(this.currentToken(spec.target), deadline - this.clock.now(), pastDeadline) : undefined;
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) throw pastDeadline();

      const request: HttpRequest = { ...spec.request(token), timeoutMs: Math.min(retry.requestTimeoutMs, remaining) };
      request.headers["X-Ping-External-Transaction-ID"] = transactionId;
      let result: HttpResult;
      try {
        result = await this.pacer.run(() => this.send(request, spec.endpoint), {
          deadlineAt: deadline,
          signalOf: (r) => (r.kind === "no-answer" ? "none" : r.status === 429 ? "throttled" : "ok"),
        });
      } catch (error) {
        if (!(error instanceof PacerDeadlineError)) throw error;
        throw fail({ reason: `${error.message}; the operation deadline of ${retry.operationTimeoutMs / 1000} s passed`, advice: "Lower the amount of work per run, raise pingone:maxConcurrency, or raise pingone:operationTimeoutSeconds." });
      }

      let kind: OutcomeKind;
      let retryAfterMs: number | undefined;
      let failure: Parameters<typeof fail>[0];
      if (result.kind === "no-answer") {
        kind = classifyNetworkError(result.code);
        failure = { reason: `${result.reason} (${result.code})`, networkCode: result.code };
        if (result.code === "ECONNABORTED") failure.reason = `no answer within ${Math.round(request.timeoutMs / 1000)} s (per-attempt timeout, pingone:requestTimeoutSeconds)`;
      } else {
        const body = spec.endpoint === "token" ? oauthErrorBody(result.text) : parseJson<PingOneErrorBody>(result.text);
        kind = classifyStatus(result.status, body?.code);
        if (RETRY_AFTER_STATUSES.has(result.status)) retryAfterMs = parseRetryAfter(result.headers["retry-after"], this.clock.now());
        failure = { status: result.status, body: body?.code || body?.message ? body : undefined, reason: describeBody(result) };
        if (kind === "success" || kind === "not-found") {
          const accepted: AcceptedAnswer = { kind, status: result.status, headers: result.headers, text: result.text };
          const invalid = spec.validate?.(accepted);
          if (!invalid) return accepted;
          throw fail({ status: result.status, reason: invalid.reason });
        }
        if (result.status >= 300 && result.status < 400) {
          failure.reason = `a redirect to ${redirectOrigin(result.headers.location)}, which is never followed (the access token stays with PingOne)`;
          failure.advice = "Point pingone:apiUrl / pingone:authUrl at PingOne's own hosts.";
        }
      }

      if (kind === "unauthorized" && spec.endpoint === "api" && this.tokens && !refreshedToken) {
        refreshedToken = true;
        this.tokens.invalidate(token!);
        continue;
      }
      if (kind !== "transient") throw fail(failure);
      if (attempt >= retry.maxAttempts) {
        throw fail({ ...failure, reason: joinReasons(failure.reason, `gave up after ${attempt} attempts (pingone:maxAttempts)`) });
      }
      const delay = nextDelay(attempt - 1, retryAfterMs, retry, () => this.clock.random());
      const left = deadline - this.clock.now();
      if (delay >= left) {
        throw fail({
          ...failure,
          reason: joinReasons(
            failure.reason,
            `the next retry would wait ${(delay / 1000).toFixed(1)} s${retryAfterMs !== undefined ? " (Retry-After)" : ""} but only ${(Math.max(0, left) / 1000).toFixed(1)} s remain before the operation deadline, so it fails now`,
          ),
          advice: "Run again later, or raise pingone:operationTimeoutSeconds.",
        });
      }
      this.counters.retries++;
      await this.clock.sleep(delay);
    }
  }

  /** The token for the next API attempt; a token failure is reported against the operation's session. */
  private async currentToken(target: OperationTarget): Promise<Secret> {
    const credentials = this.connection.credentials;
    if (credentials.kind === "access-token") return credentials.accessToken;
    try {
      return await this.tokens!.get();
    } catch (error) {
      if (error instanceof PingOneApiError) throw error.forOperation(target);
      throw error;
    }
  }

  private async send(request: HttpRequest, endpoint: AdviceContext["endpoint"]): Promise<HttpResult> {
    if (endpoint === "token") this.counters.tokenRequests++;
    else this.counters.apiRequests++;
    const result = await this.transport.send(request);
    if (result.kind === "answer") this.counters.statuses[result.status] = (this.counters.statuses[result.status] ?? 0) + 1;
    else this.counters.networkFailures++;
    return result;
  }

  /** `POST {authUrl}/{environmentId}/as/token` with the client-credentials grant, retried like any call. */
  private async fetchToken(): Promise<IssuedToken> {
    const credentials = this.connection.credentials;
    if (credentials.kind !== "client-credentials") throw new Error("no client credentials configured");
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" };
    if (credentials.tokenAuthMethod === "client_secret_basic") {
      // RFC 6749 2.3.1: form-encode id and secret before joining them for Basic.
      const user = encodeURIComponent(credentials.clientId);
      const password = encodeURIComponent(credentials.clientSecret.reveal());
      headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    } else {
      form.set("client_id", credentials.clientId);
      form.set("client_secret", credentials.clientSecret.reveal());
    }
    const url = `${this.connection.authUrl}/${credentials.environmentId}/as/token`;
    const answer = await this.perform({
      target: { action: `get an access token from ${url} for client ${credentials.clientId}` },
      endpoint: "token",
      request: () => ({ method: "POST", url, headers: { ...headers }, body: form.toString() }),
      validate: (a) => (a.kind === "not-found" ? { reason: "no token endpoint at this address" } : tokenProblem(a)),
    });
    const body = parseJson<{ access_token: string; expires_in: number }>(answer.text)!;
    return { accessToken: new Secret(body.access_token), expiresInSeconds: body.expires_in };
  }
}

/** `promise`, or `onTimeout()` thrown if it has not settled within `ms`. */
export async function beforeDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function joinReasons(first: string | undefined, second: string): string {
  return first ? `${first}; ${second}` : second;
}

/** Why a 2xx token answer is unusable, or undefined when it is a proper token. Never quotes the body: it may hold a token. */
function tokenProblem(answer: AcceptedAnswer): { reason: string } | undefined {
  const body = parseJson<Record<string, unknown>>(answer.text);
  if (body === undefined || typeof body !== "object" || body === null) {
    return { reason: `the token endpoint answered with a body that is not JSON (${answer.headers["content-type"] ?? "no content type"}, ${answer.text.length} bytes)` };
  }
  if (typeof body.access_token !== "string" || body.access_token === "") return { reason: "the token endpoint answered without an access_token" };
  if (typeof body.token_type === "string" && body.token_type.toLowerCase() !== "bearer") {
    return { reason: `the token endpoint issued a ${quote(body.token_type)} token, not a Bearer token` };
  }
  if (typeof body.expires_in !== "number" || !(body.expires_in > 0)) {
    return { reason: `the token endpoint issued a token with expires_in ${JSON.stringify(body.expires_in ?? null)}, so it is already expired` };
  }
  return undefined;
}

/** An OAuth error answer (`{"error", "error_description"}`) read as PingOne's error shape. */
function oauthErrorBody(text: string): PingOneErrorBody | undefined {
  const body = parseJson<Record<string, unknown>>(text);
  if (!body || typeof body !== "object") return undefined;
  if (typeof body.error === "string") {
    return { code: body.error, message: typeof body.error_description === "string" ? body.error_description : undefined, id: typeof body.id === "string" ? body.id : undefined };
  }
  // PingOne's auth service also answers some failures with a P1Error body.
  return typeof body.code === "string" ? (body as PingOneErrorBody) : undefined;
}

/** A short description of a body that carries no PingOne error, for the message. */
function describeBody(answer: Extract<HttpResult, { kind: "answer" }>): string | undefined {
  if (answer.text.trim() === "") return "with an empty body";
  const parsed = parseJson<unknown>(answer.text);
  if (parsed === undefined) return `with a body that is not JSON (${answer.headers["content-type"] ?? "no content type"}, ${answer.text.length} bytes)`;
  return undefined;
}

function redirectOrigin(location: string | undefined): string {
  if (!location) return "an unnamed location";
  try {
    return new URL(location).origin;
  } catch {
    return "a relative location";
  }
}

/** Parses JSON, or `undefined` for anything that is not a JSON object or array. */
function parseJson<T>(text: string): T | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

