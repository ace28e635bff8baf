/**
 * The PingOne sessions client: list, read and delete a user's sessions, with
 * token handling, retries, pacing and errors that say what to do. It knows
 * nothing of Pulumi; the provider and the CLI both build on it.
 *
 * One operation (`perform`) is a loop of small steps, each in its own module:
 * get a token (`token.ts`), send one attempt through the pacer
 * (`transport.ts`, `pacer.ts`), classify the result (`outcome.ts`), decide
 * what comes next (`decide.ts`), wait. Reading an accepted answer's body is
 * the caller's (`answers.ts`).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { explainForbidden } from "./access";
import { adviceFor, AdviceContext } from "./advice";
import { readNamed, readRoleAssignmentPage, readSession, readSessionPage, readTokenAnswer, readUser, readUserPage } from "./answers";
import { decide } from "./decide";
import { FailureCode, isNotFound, OperationTarget, PingOneApiError } from "./errors";
import { assertIds, quote, SessionRef, UserRef } from "./ids";
import { classify, Expected, Outcome } from "./outcome";
import { AdaptivePacer, PacerDeadlineError, PacerOptions, PacerPauseError, PacerSnapshot } from "./pacer";
import { Clock, systemClock } from "./retry";
import { Secret } from "./secret";
import { resolveConnection, ResolvedConnection, SettingsInput } from "./settings";
import { formatSeconds, printable, scrub, secretForms } from "./text";
import { IssuedToken, TokenCache } from "./token";
import { createTransport, HttpRequest, HttpResult, Transport } from "./transport";
import { PingOneErrorBody, PingOnePopulation, PingOneRole, PingOneRoleAssignment, PingOneSession, PingOneUser } from "./types";
import { MAX_USER_PAGES, usersPageChecker } from "./userList";
import { USER_AGENT } from "./version";

/** What a client tells its `onRetry` listener before it waits to try again. */
export interface RetryNotice {
  /** The operation being retried. */
  target: OperationTarget;
  /** The attempt that just failed, from 1. */
  attempt: number;
  /** The most attempts the operation may make. */
  maxAttempts: number;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  /** True when the wait is the server's Retry-After. */
  retryAfter: boolean;
  /** True for a 429: the licence said "later" (not a fault; it does not count against `maxAttempts`). */
  throttled: boolean;
  /** What went wrong, as one safe line (server text escaped, secrets removed). */
  reason: string;
}

/** Optional collaborators of a client; the defaults are the real ones. */
export interface PingOneClientOptions {
  /** Time and randomness for retry waits (tests pass a fake one). */
  clock?: Clock;
  /** Pacing tunables; `maxConcurrency` defaults to the connection's. */
  pacer?: PacerOptions;
  /** Told before each wait for a retry, so a terminal can show what is happening. */
  onRetry?: (notice: RetryNotice) => void;
  /**
   * Stops the client: once aborted, no further request is sent; every
   * operation that would send one fails with failure code `ABORTED`.
   * Requests already sent finish (each is bounded by its attempt timeout).
   */
  signal?: AbortSignal;
  /** The source address outgoing connections bind to (default: the system's choice). */
  localAddress?: string;
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

/**
 * Most pages of one session list followed. PingOne keeps at most 10 sessions
 * a user, so one page is the norm; a longer chain is not trusted, and fails.
 */
const MAX_LIST_PAGES = 100;

/** An answer `perform` accepted (the expected success, or PingOne's own 404), with what an error about it needs. */
interface Accepted {
  kind: "success" | "not-found";
  status: number;
  headers: Record<string, string>;
  text: string;
  /** PingOne's error body, for a not-found. */
  body?: PingOneErrorBody;
  transactionId: string;
  attempts: number;
  startedAt: number;
}

/** How to perform one logical operation. */
interface OperationSpec {
  target: OperationTarget;
  endpoint: AdviceContext["endpoint"];
  /** The success this operation accepts. */
  expected: Expected;
  /** True for the first page of a session list, where a 404 means the user does not exist. */
  listing?: boolean;
  /** Builds one attempt's request; `token` is absent for the token endpoint. */
  request: (token: Secret | undefined) => Omit<HttpRequest, "timeoutMs">;
}

/**
 * The bounds of the lookups that explain a 403 (see `explanation`): every
 * operation started for them ends by the 403's own deadline (client clock),
 * and is cancelled (no further attempt, no further wait) once `signal`
 * aborts, when the 403 has been reported. Carried through `explainForbidden`
 * without widening the public methods it calls.
 */
const lookupBounds = new AsyncLocalStorage<{ deadline: number; signal: AbortSignal }>();

/** One HAL list to page through. */
interface ListSpec<T> {
  target: OperationTarget;
  firstPage: string;
  /** "session list", "user list": how messages name it. */
  noun: string;
  /** Checks one page's body. */
  read: (text: string) => { items: T[]; next?: string } | { problem: string };
  /** Pages followed at most before the list is not trusted. */
  maxPages: number;
  /** Checks a page's items against the pages before (users: repeats, selection); what it returns is yielded. */
  check?: (items: T[]) => T[] | { problem: string };
}

/** One operation under way: what it does, when it must end, and which attempt it is on. */
interface OperationRun {
  spec: OperationSpec;
  startedAt: number;
  /** Epoch ms (client clock) after which nothing more is sent. */
  deadline: number;
  /** The `X-Ping-External-Transaction-ID` of every attempt. */
  transactionId: string;
  /** The attempt under way, from 1. */
  attempt: number;
}

/** What a failure adds to what the operation knows. */
interface FailureInit {
  status?: number;
  body?: PingOneErrorBody;
  reason?: string;
  networkCode?: string;
  advice?: string;
  failure?: FailureCode;
}

/**
 * A PingOne management API client for user sessions. One instance holds one
 * token, one keep-alive pool and one pacer: share it among all work done with
 * the same settings. Every method checks its ids before sending anything
 * (a malformed id throws `TypeError`, naming the field) and otherwise fails
 * with `PingOneApiError` (never a raw Node error).
 */
export class PingOneClient {
  private readonly clock: Clock;
  private readonly transport: Transport;
  private readonly pacer: AdaptivePacer;
  private readonly tokens?: TokenCache;
  private readonly onRetry?: (notice: RetryNotice) => void;
  private readonly signal?: AbortSignal;
  /** Tokens this client was issued lately, to scrub from anything a server echoes; `#` keeps them out of `inspect`. */
  readonly #issuedTokens: string[] = [];
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
    this.transport = createTransport(USER_AGENT, options.localAddress);
    // The pacer keeps a Retry-After's pause in the client's clock, as the retries' waits are.
    this.pacer = new AdaptivePacer({ maxConcurrency: connection.maxConcurrency, ...options.pacer }, undefined, options.clock && this.clock);
    this.onRetry = options.onRetry;
    this.signal = options.signal;
    if (connection.credentials.kind === "client-credentials") {
      this.tokens = new TokenCache(() => this.fetchToken(), () => this.clock.now());
    }
  }

  /**
   * Lists a user's sessions, newest first, following `_links.next`. Only
   * PingOne's 404 on the first page means the user does not exist (a
   * `PingOneApiError` that `isNotFound` recognises); a failure on a later
   * page, a malformed page, a link off the user's sessions path, a link back
   * to a page already read, or more than `MAX_LIST_PAGES` pages fails the
   * whole list, naming the page: an incomplete list is never returned. A
   * session listed twice is returned once.
   */
  async listSessions(user: UserRef): Promise<PingOneSession[]> {
    assertIds(user, ["environmentId", "userId"]);
    return this.explained(user, async () => {
      const sessions = new Map<string, PingOneSession>();
      const pages = this.pages({ target: { action: "list sessions", ...user }, firstPage: `${this.userUrl(user)}/sessions`, noun: "session list", read: readSessionPage, maxPages: MAX_LIST_PAGES });
      for await (const page of pages) {
        for (const session of page) if (!sessions.has(session.id.toLowerCase())) sessions.set(session.id.toLowerCase(), session);
      }
      return [...sessions.values()];
    });
  }

  /**
   * Pages through the users of an environment that match a PingOne SCIM
   * `filter` (all users without one), yielding each page as it arrives so a
   * caller holds one page at a time, however large the population. The page
   * size is PingOne's choice (at most 200; `limit` is only asked). The same
   * rules as session lists hold: any failure, malformed page, stray or cyclic
   * link, or a next link that drops or changes the filter fails the whole
   * listing, naming the page. Each user is yielded once, however often
   * listed; more than `MAX_USER_PAGES` pages (decided for 1,000,000 users),
   * a run of pages with no new user, or, for `population.id eq "P"`, a user
   * of another population fails it too (see userList.ts).
   */
  async *listUsers(environmentId: string, filter?: string, limit = 200): AsyncGenerator<PingOneUser[]> {
    assertIds({ environmentId }, ["environmentId"]);
    const query = new URLSearchParams({ limit: String(limit) });
    if (filter !== undefined) query.set("filter", filter);
    const target: OperationTarget = { action: filter === undefined ? "list users" : `list users matching ${filter}`, environmentId };
    try {
      const firstPage = `${this.connection.apiUrl}/environments/${environmentId}/users?${query}`;
      yield* this.pages({ target, firstPage, noun: "user list", read: readUserPage, maxPages: MAX_USER_PAGES, check: usersPageChecker(filter) });
    } catch (error) {
      throw await this.explanation(error, { environmentId });
    }
  }

  /** Reads one user (with `population.id`); `undefined` on PingOne's own 404. */
  async getUser(user: UserRef): Promise<PingOneUser | undefined> {
    assertIds(user, ["environmentId", "userId"]);
    return this.readObject({ action: "read user", ...user }, this.userUrl(user), (text) => readUser(text, user.userId));
  }

  /** Reads a population's name; `undefined` on PingOne's own 404. */
  async getPopulation(environmentId: string, populationId: string): Promise<PingOnePopulation | undefined> {
    assertIds({ environmentId, userId: populationId }, ["environmentId", "userId"]);
    return this.readObject({ action: `read population ${populationId}`, environmentId }, `${this.connection.apiUrl}/environments/${environmentId}/populations/${populationId}`, (text) =>
      readNamed(text, populationId, "population"),
    );
  }

  /** Reads a role's name (`Identity Data Admin`, ...); `undefined` on PingOne's own 404. */
  async getRole(roleId: string): Promise<PingOneRole | undefined> {
    assertIds({ environmentId: roleId }, ["environmentId"]);
    return this.readObject({ action: `read role ${roleId}` }, `${this.connection.apiUrl}/roles/${roleId}`, (text) => readNamed(text, roleId, "role"));
  }

  /** The role assignments of an application (a worker application's client id is its application id); `undefined` on PingOne's own 404. */
  async listRoleAssignments(environmentId: string, applicationId: string): Promise<PingOneRoleAssignment[] | undefined> {
    assertIds({ environmentId, userId: applicationId }, ["environmentId", "userId"]);
    const target: OperationTarget = { action: `read the role assignments of application ${applicationId}`, environmentId };
    const all: PingOneRoleAssignment[] = [];
    try {
      const firstPage = `${this.connection.apiUrl}/environments/${environmentId}/applications/${applicationId}/roleAssignments`;
      for await (const page of this.pages({ target, firstPage, noun: "role assignment list", read: readRoleAssignmentPage, maxPages: MAX_LIST_PAGES })) all.push(...page);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    return all;
  }

  /**
   * Yields the items of each page of a HAL list, from `firstPage` on, checked
   * by `read`. A 404 on the first page throws PingOne's own not-found (the
   * owner does not exist); on a later page, or any problem with a page or its
   * next link, it throws `MALFORMED_ANSWER` naming the page.
   */
  private async *pages<T>({ target, firstPage, noun, read, maxPages, check }: ListSpec<T>): AsyncGenerator<T[]> {
    const pagesRead = new Set<string>();
    let url: string | undefined = firstPage;
    for (let page = 1; url !== undefined; page++) {
      const pageUrl: string = url;
      pagesRead.add(pageUrl);
      const answer = await this.perform({
        target,
        endpoint: "api",
        expected: "json",
        listing: page === 1,
        request: (token) => ({ method: "GET", url: pageUrl, headers: this.apiHeaders(token!) }),
      });
      const incomplete = `the ${noun} is incomplete, so nothing was concluded from it`;
      const malformed = (reason: string) =>
        this.failed(target, answer, { status: answer.status, reason: `page ${page} of the ${noun}: ${reason}; ${incomplete}`, failure: "MALFORMED_ANSWER", advice: LIST_ADVICE });
      if (answer.kind === "not-found") {
        if (page === 1) throw this.failed(target, answer, { status: answer.status, body: answer.body });
        throw this.failed(target, answer, { status: answer.status, body: answer.body, reason: `page ${page} of the ${noun} answered 404 (an expired cursor or a bad next link); ${incomplete}`, failure: "MALFORMED_ANSWER", advice: LIST_ADVICE });
      }
      const body = read(answer.text);
      if ("problem" in body) throw malformed(body.problem);
      const items = check ? check(body.items) : body.items;
      if ("problem" in items) throw malformed(items.problem);
      if (body.next === undefined) {
        yield items;
        return;
      }
      const next = this.nextPage(body.next, pageUrl, firstPage);
      if ("problem" in next) throw malformed(next.problem);
      if (pagesRead.has(next.url)) throw malformed(`its next link leads back to page ${[...pagesRead].indexOf(next.url) + 1}, a cycle`);
      if (page >= maxPages) throw malformed(`the list goes on past ${maxPages} pages, far more than PingOne keeps, so it is not trusted`);
      yield items;
      url = next.url;
    }
  }

  /** GETs one object: `undefined` on PingOne's own 404, a `MALFORMED_ANSWER` failure when `read` finds a problem. */
  private async readObject<T>(target: OperationTarget, url: string, read: (text: string) => T | { problem: string }): Promise<T | undefined> {
    const answer = await this.perform({ target, endpoint: "api", expected: "json", request: (token) => ({ method: "GET", url, headers: this.apiHeaders(token!) }) });
    if (answer.kind === "not-found") return undefined;
    const value = read(answer.text);
    if (typeof value === "object" && value !== null && "problem" in value) {
      throw this.failed(target, answer, { status: answer.status, reason: (value as { problem: string }).problem, failure: "MALFORMED_ANSWER", advice: "Check that the API URL points at PingOne's management API." });
    }
    return value as T;
  }

  /** Reads one session; `undefined` when PingOne answers its own 404 (the session, or its user, is gone). */
  async getSession(ref: SessionRef): Promise<PingOneSession | undefined> {
    assertIds(ref, ["environmentId", "userId", "sessionId"]);
    return this.explained(ref, () => this.readObject({ action: "read session", ...ref }, this.sessionUrl(ref), (text) => readSession(text, ref.sessionId)));
  }

  /**
   * Deletes one session: `"deleted"` on 204, `"absent"` on PingOne's own 404
   * (already gone, including a retry after a delete whose answer was lost).
   * Safe to repeat. Any other answer, a 404 or 200 that is not PingOne's
   * included, fails: it is not a revocation.
   */
  async deleteSession(ref: SessionRef): Promise<DeleteResult> {
    assertIds(ref, ["environmentId", "userId", "sessionId"]);
    const answer = await this.explained(ref, () =>
      this.perform({
        target: { action: "revoke session", ...ref },
        endpoint: "api",
        expected: "no-content",
        request: (token) => ({ method: "DELETE", url: this.sessionUrl(ref), headers: this.apiHeaders(token!) }),
      }),
    );
    return answer.kind === "not-found" ? "absent" : "deleted";
  }

  /** Runs a session or users call; PingOne's 403 comes back with the role rule explained for `target` (see access.ts). */
  private async explained<T>(target: { environmentId: string; userId?: string }, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw await this.explanation(error, target);
    }
  }

  /** `error` with the exact 403 explanation when it is PingOne's 403 to client credentials; otherwise `error` itself. */
  private async explanation(error: unknown, target: { environmentId: string; userId?: string }): Promise<unknown> {
    const forbidden = PingOneApiError.isInstance(error) && error.status === 403 && error.failure === "HTTP_STATUS";
    if (!forbidden || this.tokens === undefined || this.signal?.aborted) return error;
    // The lookups are operations of their own, with the same retries and pacer. The 403 waits for
    // them only as long as its own operation had left, so neither a slow server nor a busy one can
    // stretch a refusal past the deadline the user set.
    const retry = this.connection.retry;
    const waitMs = Math.max(0, retry.operationTimeoutMs - error.elapsedMs);
    const timedOut = new Error("explanation timed out");
    // The lookups end with the 403: bounded by its deadline, and cancelled once it is reported.
    const cancel = new AbortController();
    try {
      return await lookupBounds.run({ deadline: this.clock.now() + waitMs, signal: cancel.signal }, () => beforeDeadline(explainForbidden(this, error, target), waitMs, () => timedOut));
    } catch (failure) {
      if (failure !== timedOut) throw failure;
      return error.withAdvice(
        `${error.advice} The exact check (the application's roles, the user's population) did not answer before the operation deadline of ${formatSeconds(retry.operationTimeoutMs)}; pingone-sessions access runs it on its own.`,
      );
    } finally {
      cancel.abort();
    }
  }

  /**
   * Every form of every secret this client holds or was issued (its client
   * secret or static token, and the access tokens the token endpoint gave
   * it), for a caller that shows server text: pass them to `redact`, since a
   * server may echo a token in any field. Read it when writing, not once:
   * tokens issued later count too.
   */
  secrets(): string[] {
    return this.secretTexts();
  }

  /** The pacer's window and rate now, for benchmarks and progress lines. */
  pacerSnapshot(): PacerSnapshot {
    return this.pacer.snapshot();
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

  /**
   * A next-page link resolved as a browser would (relative to the page that
   * gave it), followed only when it stays on the API's origin and on this
   * user's sessions path: the token never travels elsewhere, and a link can
   * never make another user's sessions count as this one's.
   */
  private nextPage(href: string, pageUrl: string, firstPage: string): { url: string } | { problem: string } {
    // The query (cursor, filter) may change from page to page; the path may not.
    let next: URL;
    try {
      next = new URL(href, pageUrl);
    } catch {
      return { problem: "its next link is not a URL" };
    }
    const first = new URL(firstPage);
    if (next.origin !== first.origin) return { problem: `its next link leads to another host (${next.origin}); it was not followed, so the access token was not sent there` };
    if (next.pathname !== first.pathname) return { problem: `its next link leaves the list's path (${next.pathname})` };
    // A users list's filter is its selection: a link that drops or changes it would list users never asked for.
    const filter = first.searchParams.get("filter");
    if (filter !== null && next.searchParams.get("filter") !== filter) {
      const got = next.searchParams.get("filter");
      return { problem: `its next link ${got === null ? "drops the filter" : `changes the filter to ${quote(printable(got))}`} asked for; it was not followed` };
    }
    next.hash = "";
    return { url: next.toString() };
  }

  /**
   * Runs one operation to an accepted answer: the expected success, or
   * PingOne's own 404. Each attempt is: token, send through the pacer,
   * classify, decide (accept, refresh the token once, wait and retry, or
   * fail). Throws `PingOneApiError` with the true attempt count and time.
   */
  private async perform(spec: OperationSpec): Promise<Accepted> {
    const retry = this.connection.retry;
    const startedAt = this.clock.now();
    // A token fetch is shared by every operation (see `tokenFor`), so it is never bound to one 403's lookups.
    const bounds = spec.endpoint === "api" ? lookupBounds.getStore() : undefined;
    const deadline = Math.min(startedAt + retry.operationTimeoutMs, bounds?.deadline ?? Infinity);
    const run: OperationRun = { spec, startedAt, deadline, transactionId: `pulumi-pingone-sessions-${randomUUID()}`, attempt: 0 };
    const cancelled = () =>
      this.runError(run, { reason: "cancelled: the 403 this lookup was to explain had already been reported", failure: "DEADLINE", advice: "pingone-sessions access runs the exact check on its own." });
    let mayRefreshToken = this.tokens !== undefined && spec.endpoint === "api";
    let faults = 0;
    let throttles = 0;
    /** The last attempt that was really sent, and what it got: an interrupt before a retry must not hide it. */
    let lastSent: { result: HttpResult; outcome: Outcome } | undefined;
    for (run.attempt = 1; ; run.attempt++) {
      if (bounds?.signal.aborted) throw cancelled();
      const token = spec.endpoint === "api" ? await this.tokenFor(run) : undefined;
      const { result, outcome } = await this.attempt(run, token);
      if (result.kind === "no-answer" && result.code === "ERR_ABORTED" && lastSent !== undefined) throw this.runError(run, interruptedRetry(run.attempt - 1, lastSent));
      lastSent = { result, outcome };
      if (outcome.kind === "transient") {
        if (outcome.throttled) throttles++;
        else faults++;
      }
      const state = { attempt: run.attempt, mayRefreshToken, msLeft: run.deadline - this.clock.now(), faults, throttles };
      const decision = decide(outcome, state, { settings: retry, random: () => this.clock.random(), name: this.connection.settingName });
      switch (decision.action) {
        case "accept":
          return { kind: outcome.kind as Accepted["kind"], status: statusOf(result), headers: headersOf(result), text: textOf(result), body: outcome.body, transactionId: run.transactionId, attempts: run.attempt, startedAt };
        case "refresh-token":
          mayRefreshToken = false;
          this.tokens!.invalidate(token!);
          continue;
        case "fail":
          throw this.runError(run, failureOf(result, outcome, decision));
        case "retry":
          this.counters.retries++;
          this.onRetry?.({
            target: spec.target,
            attempt: run.attempt,
            maxAttempts: retry.maxAttempts,
            delayMs: decision.delayMs,
            retryAfter: decision.retryAfter,
            throttled: outcome.throttled === true,
            reason: scrub(result.kind === "answer" ? [`HTTP ${result.status}`, outcome.body?.code, outcome.reason].filter(Boolean).join(" ") : outcome.reason ?? result.code, this.secretTexts()),
          });
          await sleepUnless(this.clock, decision.delayMs, bounds?.signal);
      }
    }
  }

  /** The error of `run` at its current attempt. */
  private runError(run: OperationRun, init: FailureInit): PingOneApiError {
    return this.error(run.spec, { transactionId: run.transactionId, attempts: run.attempt, startedAt: run.startedAt }, init);
  }

  /** The token for the next API attempt, waited for no longer than the operation's deadline. */
  private async tokenFor(run: OperationRun): Promise<Secret> {
    const credentials = this.connection.credentials;
    if (credentials.kind === "access-token") return credentials.accessToken;
    try {
      // A token fetch is shared and bounded by its own deadline; this operation stops waiting at its own.
      return await beforeDeadline(this.tokens!.get(), run.deadline - this.clock.now(), () =>
        this.runError(run, { reason: `no access token before the operation deadline of ${formatSeconds(this.connection.retry.operationTimeoutMs)}`, failure: "DEADLINE", advice: `Check the auth URL and the network path; raise ${this.connection.settingName("operationTimeoutSeconds")}.` }),
      );
    } catch (error) {
      // A failed token fetch is reported against each operation that needed it.
      if (PingOneApiError.isInstance(error) && error.target.action !== run.spec.target.action) throw error.forOperation(run.spec.target);
      throw error;
    }
  }

  /** One attempt through the pacer, its time bounded by the attempt timeout and the operation deadline. */
  private async attempt(run: OperationRun, token: Secret | undefined): Promise<{ result: HttpResult; outcome: Outcome }> {
    const { spec, deadline, transactionId } = run;
    const fail = (init: FailureInit) => this.runError(run, init);
    const retry = this.connection.retry;
    const remaining = deadline - this.clock.now();
    if (remaining <= 0) throw fail({ reason: `the operation deadline of ${formatSeconds(retry.operationTimeoutMs)} passed`, failure: "DEADLINE", advice: `Raise ${this.connection.settingName("operationTimeoutSeconds")} or run again.` });
    const paused = (pauseMs: number, leftMs: number) =>
      fail({
        reason: `PingOne asked this client to wait ${formatSeconds(pauseMs)} (Retry-After) but only ${formatSeconds(leftMs)} remain before the operation deadline`,
        failure: "DEADLINE",
        advice: `Run again later, or raise ${this.connection.settingName("operationTimeoutSeconds")}.`,
      });
    const request = spec.request(token);
    request.headers["X-Ping-External-Transaction-ID"] = transactionId;
    try {
      return await this.pacer.run(async () => {
        // The budget is taken when the slot is granted, after any wait in the queue: the deadline bounds the send too.
        const left = deadline - this.clock.now();
        if (left <= 0) throw new PacerDeadlineError(this.pacer.snapshot().queued);
        const result = await this.send({ ...request, timeoutMs: Math.min(retry.requestTimeoutMs, left) }, spec.endpoint);
        const outcome = classify(result, spec.endpoint, spec.expected, this.clock.now());
        // A server's Retry-After holds the whole client, queued requests too, for the licence is one for all of
        // them. Set before this request's slot is given back, so that no queued request slips out in between.
        if (outcome.kind === "transient" && outcome.retryAfterMs !== undefined) {
          this.pacer.pauseUntil(this.clock.now() + Math.min(outcome.retryAfterMs, retry.maxRetryAfterMs));
        }
        return { result, outcome };
      }, {
        deadlineAt: deadline,
        signalOf: ({ result }) => (result.kind === "no-answer" ? "none" : result.status === 429 ? "throttled" : "ok"),
      });
    } catch (error) {
      // A pause that outlasts the deadline fails the operation now, whether it began before or while it queued.
      if (error instanceof PacerPauseError) throw paused(error.pauseMs, error.leftMs);
      if (!(error instanceof PacerDeadlineError)) throw error;
      throw fail({
        reason: `${error.message}; the operation deadline of ${formatSeconds(retry.operationTimeoutMs)} passed`,
        failure: "DEADLINE",
        advice: `Lower the amount of work per run, raise ${this.connection.settingName("maxConcurrency")}, or raise ${this.connection.settingName("operationTimeoutSeconds")}.`,
      });
    }
  }

  private async send(request: HttpRequest, endpoint: AdviceContext["endpoint"]): Promise<HttpResult> {
    // Checked when the pacer grants the slot: after an interrupt, queued requests drain without being sent.
    if (this.signal?.aborted) return { kind: "no-answer", code: "ERR_ABORTED", reason: "the run was interrupted before this request was sent" };
    if (endpoint === "token") this.counters.tokenRequests++;
    else this.counters.apiRequests++;
    const result = await this.transport.send(request);
    if (result.kind === "answer") this.counters.statuses[result.status] = (this.counters.statuses[result.status] ?? 0) + 1;
    else this.counters.networkFailures++;
    return result;
  }

  /** The error for an operation, with the true attempt count and time, and every secret this client knows scrubbed. */
  private error(spec: Pick<OperationSpec, "target" | "endpoint" | "listing">, at: { transactionId: string; attempts: number; startedAt: number }, init: FailureInit): PingOneApiError {
    const context: AdviceContext = { endpoint: spec.endpoint, staticToken: this.tokens === undefined, listing: spec.listing, session: spec.target.sessionId !== undefined, settingName: this.connection.settingName };
    return new PingOneApiError({
      target: spec.target,
      ...init,
      advice: init.advice ?? (init.networkCode === "ERR_ATTEMPT_TIMEOUT" ? this.slowAdvice() : adviceFor(init.status, context, init.failure)),
      transactionId: at.transactionId,
      attempts: at.attempts,
      elapsedMs: this.clock.now() - at.startedAt,
      secrets: this.secretTexts(),
    });
  }

  /** What to do when attempts run out of time. */
  private slowAdvice(): string {
    const name = this.connection.settingName;
    return `The server answered too slowly for the per-attempt timeout (${name("requestTimeoutSeconds")}): it may be overloaded, or not PingOne; run again, or raise the timeout if answers are merely slow.`;
  }

  /** An error about an answer `perform` accepted but the caller cannot use. */
  private failed(target: OperationTarget, answer: Accepted, init: FailureInit): PingOneApiError {
    return this.error({ target, endpoint: "api", listing: true }, answer, init);
  }

  /** Every form of every secret this client holds or was issued, for scrubbing server text. */
  private secretTexts(): string[] {
    const credentials = this.connection.credentials;
    const forms =
      credentials.kind === "client-credentials" ? secretForms(credentials.clientSecret.reveal(), credentials.clientId) : secretForms(credentials.accessToken.reveal());
    return [...forms, ...this.#issuedTokens.flatMap((t) => secretForms(t))];
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
    const spec: OperationSpec = {
      target: { action: `get an access token from ${url} for client ${credentials.clientId}` },
      endpoint: "token",
      expected: "json",
      request: () => ({ method: "POST", url, headers: { ...headers }, body: form.toString() }),
    };
    const answer = await this.perform(spec);
    const token = readTokenAnswer(answer.text, answer.headers["content-type"]);
    if ("problem" in token) throw this.error(spec, answer, { status: answer.status, reason: token.problem, failure: "NOT_PINGONE" });
    this.#issuedTokens.unshift(token.accessToken);
    this.#issuedTokens.length = Math.min(this.#issuedTokens.length, 3);
    return { accessToken: new Secret(token.accessToken), expiresInSeconds: token.expiresInSeconds };
  }
}

/** What to do about a list that cannot be trusted. */
const LIST_ADVICE = "Run again; if it persists, check that the API URL points at PingOne's management API and quote the ids here to Ping support.";

/**
 * `promise`, or `onTimeout()` thrown if it has not settled within `ms`. The
 * timer is capped at Node's largest (2^31-1 ms) so a long deadline is never
 * fired at once.
 */
export async function beforeDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.min(MAX_TIMER_MS, Math.max(0, ms)));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `clock.sleep(ms)`, ended early when `signal` aborts. */
async function sleepUnless(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return clock.sleep(ms);
  if (signal.aborted) return;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => signal.addEventListener("abort", (onAbort = () => resolve()), { once: true }));
  try {
    await Promise.race([clock.sleep(ms), aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort!);
  }
}

/** Node fires a timer longer than this at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The failure of an operation interrupted before a retry: `sent` attempts
 * went out (so what it did is not known), and the last one's answer is kept
 * as the error's status, PingOne body and reason.
 */
function interruptedRetry(sent: number, last: { result: HttpResult; outcome: Outcome }): FailureInit {
  const got = last.result.kind === "answer" ? [`HTTP ${last.result.status}`, last.outcome.body?.code].filter(Boolean).join(" ") : `no answer (${last.result.code})`;
  const reason = [last.outcome.reason, `interrupted before attempt ${sent + 1}: ${sent} request${sent === 1 ? " was" : "s were"} sent, the last got ${got}`].filter(Boolean).join("; ");
  const advice = `The run was interrupted while retrying, after ${sent} request${sent === 1 ? " was" : "s were"} sent for this one: whether it took effect is not known. Run the command again to finish the work.`;
  if (last.result.kind === "no-answer") return { reason, networkCode: last.result.code, failure: "ABORTED", advice };
  return { status: last.result.status, body: last.outcome.body, reason, failure: "ABORTED", advice };
}

/** The failure an outcome and a decision describe. */
function failureOf(result: HttpResult, outcome: Outcome, decision: { action: "fail"; reason?: string; failure?: FailureCode; advice?: string }): FailureInit {
  const reason = [outcome.reason, decision.reason].filter(Boolean).join("; ") || undefined;
  if (result.kind === "no-answer") {
    const failure = result.code === "ERR_ABORTED" ? "ABORTED" : decision.failure ?? outcome.failure;
    return { reason, networkCode: result.code, failure, advice: decision.advice };
  }
  return { status: result.status, body: outcome.body, reason, failure: decision.failure ?? outcome.failure, advice: decision.advice };
}

function statusOf(result: HttpResult): number {
  return result.kind === "answer" ? result.status : 0;
}

function headersOf(result: HttpResult): Record<string, string> {
  return result.kind === "answer" ? result.headers : {};
}

function textOf(result: HttpResult): string {
  return result.kind === "answer" ? result.text : "";
}

