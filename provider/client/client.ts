/**
 * The PingOne sessions client: list, read and delete a user's sessions, list
 * users, read the facts a 403 is explained with. It knows nothing of Pulumi;
 * the provider and the CLI both build on it.
 *
 * Each method here is thin: it checks ids, names the operation and its URL,
 * and reads the accepted answer into this package's types (`answers.ts`).
 * Everything an operation goes through (token, pacing, attempts, retries,
 * errors) is the pipeline's (`pipeline.ts`), shared by the clients of one
 * licence; paging is `paging.ts`; the 403 explanation is injected
 * (`access.ts` by default), so nothing it uses imports this module back.
 */
import { explainForbidden as explainByRoles } from "./access";
import { readNamed, readRoleAssignmentPage, readSession, readSessionPage, readUser, readUserPage } from "./answers";
import { isNotFound, OperationTarget, PingOneApiError } from "./errors";
import { assertIds, SessionRef, UserRef } from "./ids";
import type { PacerOptions, PacerSnapshot } from "./pacer";
import { pages, ListSpec, PageSource } from "./paging";
import { beforeDeadline, OperationPipeline, withinLookupBounds } from "./pipeline";
import type { Accepted, ClientStats, FailureInit, OperationPolicy, OperationSpec, RetryNotice } from "./pipeline";
import type { Clock } from "./retry";
import { Secret } from "./secret";
import { resolveConnection, ResolvedConnection, SettingsInput } from "./settings";
import { formatSeconds } from "./text";
import type { HttpRequest } from "./transport";
import { PingOnePopulation, PingOneRole, PingOneRoleAssignment, PingOneUser, Session } from "./types";
import { MAX_USER_PAGES, usersPageChecker } from "./userList";

export type { ClientStats, RetryNotice };

/**
 * Explains PingOne's 403 to a session or users call for `target`: the error,
 * with advice that says which case of the role rule it is. Must never turn
 * the refusal into a success; may return `error` itself.
 */
export type ForbiddenExplainer = (
  client: PingOneClient,
  error: PingOneApiError,
  target: { environmentId: string; userId?: string },
) => Promise<PingOneApiError>;

/** Optional collaborators of a client; the defaults are the real ones. */
export interface PingOneClientOptions {
  /**
   * The pipeline of another client of the same licence (API URL, auth URL,
   * credentials), to share its transport, token, pacer and Retry-After pause
   * (see `PingOneClient.pipeline`). When given, `clock`, `pacer` and
   * `localAddress` are the pipeline's and these options' are not used.
   */
  pipeline?: OperationPipeline;
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
  /** How a 403 is explained (default: the exact role check of access.ts). */
  explainForbidden?: ForbiddenExplainer;
}

/** The result of revoking one session: PingOne deleted it, or it was not there. */
export type DeleteResult = "deleted" | "absent";

/**
 * Most pages of one session list followed. PingOne keeps at most 10 sessions
 * a user, so one page is the norm; a longer chain is not trusted, and fails.
 */
const MAX_LIST_PAGES = 100;

/**
 * A PingOne management API client for user sessions. Its pipeline holds one
 * token, one keep-alive pool and one pacer: share it among all work done
 * for the same licence (pass `pipeline`); the client itself adds only how its
 * operations retry and report. Every method checks its ids before sending
 * anything (a malformed id throws `InvalidInputError` with code `INVALID_ID`,
 * naming the field) and otherwise fails with `PingOneApiError` (never a raw
 * Node error).
 */
export class PingOneClient {
  /** The shared half: transport, token, pacer, counters of this client's licence. */
  readonly pipeline: OperationPipeline;
  /** How this client's operations retry and report. */
  private readonly policy: OperationPolicy;
  private readonly explainForbidden: ForbiddenExplainer;
  /** The pages of a list, read through this client. */
  private readonly pageSource: PageSource;

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
    this.pipeline = options.pipeline ?? new OperationPipeline(connection, options);
    this.policy = {
      retry: connection.retry,
      settingName: connection.settingName,
      onRetry: options.onRetry,
      signal: options.signal,
    };
    this.explainForbidden = options.explainForbidden ?? explainByRoles;
    this.pageSource = {
      get: (target, url) =>
        this.perform({ target, endpoint: "api", expected: "json", request: (token) => this.get(url, token) }),
      failed: (target, answer, init) => this.failed(target, answer, init),
    };
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
  async listSessions(user: UserRef): Promise<Session[]> {
    assertIds(user, ["environmentId", "userId"]);
    return this.explained(user, async () => {
      const sessions = new Map<string, Session>();
      const list: ListSpec<Session> = {
        target: { action: "list sessions", ...user },
        firstPage: `${this.userUrl(user)}/sessions`,
        noun: "session list",
        read: readSessionPage,
        maxPages: MAX_LIST_PAGES,
      };
      for await (const page of pages(this.pageSource, list)) {
        for (const session of page)
          if (!sessions.has(session.id.toLowerCase())) sessions.set(session.id.toLowerCase(), session);
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
    const target: OperationTarget = {
      action: filter === undefined ? "list users" : `list users matching ${filter}`,
      environmentId,
    };
    try {
      const firstPage = `${this.connection.apiUrl}/environments/${environmentId}/users?${query}`;
      yield* pages(this.pageSource, {
        target,
        firstPage,
        noun: "user list",
        read: readUserPage,
        maxPages: MAX_USER_PAGES,
        check: usersPageChecker(filter),
      });
    } catch (error) {
      throw await this.explanation(error, { environmentId });
    }
  }

  /** Reads one user (with `population.id`); `undefined` on PingOne's own 404. */
  async getUser(user: UserRef): Promise<PingOneUser | undefined> {
    assertIds(user, ["environmentId", "userId"]);
    return this.readObject({ action: "read user", ...user }, this.userUrl(user), (json) => readUser(json, user.userId));
  }

  /** Reads a population's name; `undefined` on PingOne's own 404. */
  async getPopulation(environmentId: string, populationId: string): Promise<PingOnePopulation | undefined> {
    assertIds({ environmentId, userId: populationId }, ["environmentId", "userId"]);
    const url = `${this.connection.apiUrl}/environments/${environmentId}/populations/${populationId}`;
    return this.readObject({ action: `read population ${populationId}`, environmentId }, url, (json) =>
      readNamed(json, populationId, "population"),
    );
  }

  /** Reads a role's name (`Identity Data Admin`, ...); `undefined` on PingOne's own 404. */
  async getRole(roleId: string): Promise<PingOneRole | undefined> {
    assertIds({ environmentId: roleId }, ["environmentId"]);
    return this.readObject({ action: `read role ${roleId}` }, `${this.connection.apiUrl}/roles/${roleId}`, (json) =>
      readNamed(json, roleId, "role"),
    );
  }

  /** The role assignments of an application (a worker application's client id is its application id); `undefined` on PingOne's own 404. */
  async listRoleAssignments(
    environmentId: string,
    applicationId: string,
  ): Promise<PingOneRoleAssignment[] | undefined> {
    assertIds({ environmentId, userId: applicationId }, ["environmentId", "userId"]);
    const target: OperationTarget = {
      action: `read the role assignments of application ${applicationId}`,
      environmentId,
    };
    const all: PingOneRoleAssignment[] = [];
    try {
      const firstPage = `${this.connection.apiUrl}/environments/${environmentId}/applications/${applicationId}/roleAssignments`;
      const list: ListSpec<PingOneRoleAssignment> = {
        target,
        firstPage,
        noun: "role assignment list",
        read: readRoleAssignmentPage,
        maxPages: MAX_LIST_PAGES,
      };
      for await (const page of pages(this.pageSource, list)) all.push(...page);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    return all;
  }

  /** Reads one session; `undefined` when PingOne answers its own 404 (the session, or its user, is gone). */
  async getSession(ref: SessionRef): Promise<Session | undefined> {
    assertIds(ref, ["environmentId", "userId", "sessionId"]);
    return this.explained(ref, () =>
      this.readObject({ action: "read session", ...ref }, this.sessionUrl(ref), (json) =>
        readSession(json, ref.sessionId),
      ),
    );
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
        request: (token) => ({ method: "DELETE", url: this.sessionUrl(ref), headers: apiHeaders(token!) }),
      }),
    );
    return answer.kind === "not-found" ? "absent" : "deleted";
  }

  /**
   * Every form of every secret this client holds or was issued (its client
   * secret or static token, and the access tokens the token endpoint gave
   * it), for a caller that shows server text: pass them to `redact`, since a
   * server may echo a token in any field. Read it when writing, not once:
   * tokens issued later count too.
   */
  secrets(): string[] {
    return this.pipeline.secretTexts();
  }

  /** The pacer's window and rate now, for benchmarks and progress lines. */
  pacerSnapshot(): PacerSnapshot {
    return this.pipeline.pacerSnapshot();
  }

  /** A copy of the counters (of the pipeline: every client sharing it counts there). */
  stats(): ClientStats {
    return this.pipeline.stats();
  }

  /** Frees keep-alive sockets; the client can still be used (new sockets are opened). */
  close(): void {
    this.pipeline.close();
  }

  /** Runs one operation under this client's policy. */
  private perform(spec: OperationSpec): Promise<Accepted> {
    return this.pipeline.perform(spec, this.policy);
  }

  /** GETs one object: `undefined` on PingOne's own 404, a `MALFORMED_ANSWER` failure when `read` finds a problem. */
  private async readObject<T extends object>(
    target: OperationTarget,
    url: string,
    read: (json: unknown) => T | { problem: string },
  ): Promise<T | undefined> {
    const answer = await this.perform({
      target,
      endpoint: "api",
      expected: "json",
      request: (token) => this.get(url, token),
    });
    if (answer.kind === "not-found") return undefined;
    const value = read(answer.json);
    if ("problem" in value) {
      const advice = "Check that the API URL points at PingOne's management API.";
      throw this.failed(target, answer, {
        status: answer.status,
        reason: value.problem,
        failure: "MALFORMED_ANSWER",
        advice,
      });
    }
    return value;
  }

  /**
   * An error about an answer `perform` accepted but the caller cannot use. PingOne's 404 to a list that
   * names a user (the user's sessions) says the user does not exist; to any other list, nothing about a user.
   */
  private failed(target: OperationTarget, answer: Accepted, init: FailureInit): PingOneApiError {
    const listing = target.userId !== undefined;
    return this.pipeline.error({ target, endpoint: "api", listing }, answer, init, this.policy);
  }

  /** Runs a session or users call; PingOne's 403 comes back with the role rule explained for `target`. */
  private async explained<T>(target: { environmentId: string; userId?: string }, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw await this.explanation(error, target);
    }
  }

  /** `error` with the exact 403 explanation when it is PingOne's 403 to client credentials; otherwise `error` itself. */
  private async explanation(error: unknown, target: { environmentId: string; userId?: string }): Promise<unknown> {
    const forbidden = PingOneApiError.isInstance(error) && error.status === 403 && error.code === "HTTP_STATUS";
    if (!forbidden || this.pipeline.staticToken || this.policy.signal?.aborted) return error;
    // The lookups are operations of their own, with the same retries and pacer. The 403 waits for
    // them only as long as its own operation had left, so neither a slow server nor a busy one can
    // stretch a refusal past the deadline the user set.
    const retry = this.connection.retry;
    const waitMs = Math.max(0, retry.operationTimeoutMs - error.elapsedMs);
    const timedOut = new Error("explanation timed out");
    // The lookups end with the 403: bounded by its deadline, and cancelled once it is reported.
    const cancel = new AbortController();
    try {
      const bounds = { deadline: this.pipeline.clock.now() + waitMs, signal: cancel.signal };
      return await withinLookupBounds(bounds, () =>
        beforeDeadline(this.explainForbidden(this, error, target), waitMs, () => timedOut),
      );
    } catch (failure) {
      if (failure !== timedOut) throw failure;
      return error.withAdvice(
        `${error.advice} The exact check (the application's roles, the user's population) did not answer ` +
          `before the operation deadline of ${formatSeconds(retry.operationTimeoutMs)}; pingone-sessions access runs it on its own.`,
      );
    } finally {
      cancel.abort();
    }
  }

  /** One attempt's GET of `url`. */
  private get(url: string, token: Secret | undefined): Omit<HttpRequest, "timeoutMs"> {
    return { method: "GET", url, headers: apiHeaders(token!) };
  }

  private userUrl(user: UserRef): string {
    return `${this.connection.apiUrl}/environments/${user.environmentId}/users/${user.userId}`;
  }

  private sessionUrl(ref: SessionRef): string {
    return `${this.userUrl(ref)}/sessions/${ref.sessionId}`;
  }
}

function apiHeaders(token: Secret): Record<string, string> {
  return { Authorization: `Bearer ${token.reveal()}`, Accept: "application/json" };
}
