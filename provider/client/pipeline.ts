/**
 * The operation pipeline: what every request of one licence goes through.
 * One operation (`perform`) is a loop of small steps, each in its own module:
 * get a token (`token.ts`), send one attempt through the pacer
 * (`transport.ts`, `pacer.ts`), classify the result (`outcome.ts`), decide
 * what comes next (`decide.ts`), pause. Reading an accepted answer's body is
 * the caller's (`answers.ts`); the body is parsed once, here.
 *
 * One pipeline serves one licence (API URL, auth URL, credentials): its
 * transport, token, pacer and Retry-After pause are shared by every client
 * of that licence, for PingOne's rate limit and its token are the licence's,
 * not a client's. How an operation retries is the operation's own
 * (`OperationPolicy`), so clients that differ only in retry settings share one
 * pipeline.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { adviceFor, AdviceContext } from "./advice";
import { parseBody, readTokenAnswer } from "./answers";
import { decide } from "./decide";
import { FailureCode, OperationTarget, PingOneApiError, PingOneApiErrorInit } from "./errors";
import { classify, Expected, Outcome } from "./outcome";
import { AdaptivePacer, PacerDeadlineError, PacerOptions, PacerPauseError, PacerSnapshot } from "./pacer";
import { Clock, ResolvedRetry, systemClock } from "./retry";
import { Secret } from "./secret";
import type { ResolvedConnection, SettingName } from "./settings";
import { formatSeconds, scrub, secretForms } from "./text";
import { clientCredentialsGrant, IssuedToken, TokenCache } from "./token";
import { createTransport, HttpRequest, HttpResult, Transport } from "./transport";
import { PingOneErrorBody } from "./types";
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

/** Counters a pipeline keeps (every client of the licence counts here), for benchmarks, tests and the CLI's summary. */
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

/** How one operation retries and reports: its client's, so two clients of one licence may differ. */
export interface OperationPolicy {
  /** Attempts, deadlines, backoff and Retry-After limits. */
  retry: ResolvedRetry;
  /** How messages name a setting. */
  settingName: SettingName;
  /** Told before each wait for a retry. */
  onRetry?: (notice: RetryNotice) => void;
  /** Once aborted, no further request of this operation is sent (failure code `ABORTED`). */
  signal?: AbortSignal;
}

/** How to perform one logical operation. */
export interface OperationSpec {
  target: OperationTarget;
  endpoint: AdviceContext["endpoint"];
  /** The success this operation accepts. */
  expected: Expected;
  /** Builds one attempt's request; `token` is absent for the token endpoint. */
  request: (token: Secret | undefined) => Omit<HttpRequest, "timeoutMs">;
}

/** An answer `perform` accepted (the expected success, or PingOne's own 404), with what an error about it needs. */
export interface Accepted {
  kind: "success" | "not-found";
  status: number;
  headers: Record<string, string>;
  /** The body's length in characters, for a message that describes it without quoting it. */
  bytes: number;
  /** The body's JSON value, parsed once (`undefined` when it is not JSON). */
  json: unknown;
  /** PingOne's error body, for a not-found. */
  body?: PingOneErrorBody;
  transactionId: string;
  attempts: number;
  startedAt: number;
}

/**
 * What a failure adds to what the operation knows: the fields of `PingOneApiErrorInit` that describe
 * it (the operation supplies the rest), with advice chosen by `advice.ts` when none is given.
 */
export type FailureInit = Pick<PingOneApiErrorInit, "status" | "body" | "reason" | "networkCode" | "failure"> &
  Partial<Pick<PingOneApiErrorInit, "advice">>;

/** What builds a pipeline; the defaults are the real collaborators. */
interface PipelineOptions {
  /** Time and randomness for retry waits and pauses (tests pass a fake one). */
  clock?: Clock;
  /** Pacing tunables; `maxConcurrency` defaults to the connection's. */
  pacer?: PacerOptions;
  /** The source address outgoing connections bind to (default: the system's choice). */
  localAddress?: string;
}

/**
 * The bounds of the lookups that explain a 403: every operation started
 * under them ends by the 403's own deadline (pipeline clock), and is
 * cancelled (no further attempt, no further wait) once `signal` aborts, when
 * the 403 has been reported. Carried by `withinLookupBounds` without
 * widening the public methods the explanation calls.
 */
const lookupBounds = new AsyncLocalStorage<{ deadline: number; signal: AbortSignal }>();

/** Runs `run` with every API operation it starts bounded by `deadline` (epoch ms) and cancelled once `signal` aborts. */
export function withinLookupBounds<T>(
  bounds: { deadline: number; signal: AbortSignal },
  run: () => Promise<T>,
): Promise<T> {
  return lookupBounds.run(bounds, run);
}

/** One operation under way: what it does, when it must end, and which attempt it is on. */
interface OperationRun {
  spec: OperationSpec;
  policy: OperationPolicy;
  startedAt: number;
  /** Epoch ms (pipeline clock) after which nothing more is sent. */
  deadline: number;
  /** The `X-Ping-External-Transaction-ID` of every attempt. */
  transactionId: string;
  /** The attempt under way, from 1. */
  attempt: number;
}

/**
 * The shared half of a client: one transport (keep-alive pool), one token,
 * one pacer (and with it the licence's Retry-After pause), one set of
 * counters, for one licence. Runs operations to an accepted answer or a
 * `PingOneApiError`, each under its caller's `OperationPolicy`.
 */
export class OperationPipeline {
  /** Time and randomness of every wait. */
  readonly clock: Clock;
  private readonly transport: Transport;
  private readonly pacer: AdaptivePacer;
  private readonly tokens?: TokenCache;
  /** Tokens issued lately, to scrub from anything a server echoes; `#` keeps them out of `inspect`. */
  readonly #issuedTokens: string[] = [];
  private readonly counters: ClientStats = {
    apiRequests: 0,
    tokenRequests: 0,
    statuses: {},
    networkFailures: 0,
    retries: 0,
  };

  /** A pipeline for the licence of `connection`; its retry settings are not used here (they are each operation's). */
  constructor(
    private readonly connection: Pick<ResolvedConnection, "authUrl" | "credentials" | "maxConcurrency">,
    options: PipelineOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.transport = createTransport(USER_AGENT, options.localAddress);
    // The pacer keeps a Retry-After's pause in the pipeline's clock, as the retries' waits are.
    this.pacer = new AdaptivePacer(
      { maxConcurrency: connection.maxConcurrency, ...options.pacer },
      undefined,
      options.clock && this.clock,
    );
    // Every `get` passes its own fetch, under the asking operation's policy (see `tokenFor`).
    if (connection.credentials.kind === "client-credentials") this.tokens = new TokenCache(() => this.clock.now());
  }

  /** True when the credentials are a static access token (no token endpoint, no refresh). */
  get staticToken(): boolean {
    return this.tokens === undefined;
  }

  /**
   * Runs one operation to an accepted answer: the expected success, or
   * PingOne's own 404. Each attempt is: token, send through the pacer,
   * classify, decide (accept, refresh the token once, wait and retry, or
   * fail). Throws `PingOneApiError` with the true attempt count and time.
   */
  async perform(spec: OperationSpec, policy: OperationPolicy): Promise<Accepted> {
    const retry = policy.retry;
    const startedAt = this.clock.now();
    // A token fetch is shared by every operation (see `tokenFor`), so it is never bound to one 403's lookups.
    const bounds = spec.endpoint === "api" ? lookupBounds.getStore() : undefined;
    const deadline = Math.min(startedAt + retry.operationTimeoutMs, bounds?.deadline ?? Infinity);
    const run: OperationRun = {
      spec,
      policy,
      startedAt,
      deadline,
      transactionId: `pulumi-pingone-sessions-${randomUUID()}`,
      attempt: 0,
    };
    const cancelled = () =>
      this.runError(run, {
        reason: "cancelled: the 403 this lookup was to explain had already been reported",
        failure: "DEADLINE",
        advice: "pingone-sessions access runs the exact check on its own.",
      });
    let mayRefreshToken = this.tokens !== undefined && spec.endpoint === "api";
    let faults = 0;
    let throttles = 0;
    /** The last attempt that was really sent, and what it got: an interrupt before a retry must not hide it. */
    let lastSent: { result: HttpResult; outcome: Outcome } | undefined;
    for (run.attempt = 1; ; run.attempt++) {
      if (bounds?.signal.aborted) throw cancelled();
      const token = spec.endpoint === "api" ? await this.tokenFor(run) : undefined;
      const { result, outcome, json } = await this.attempt(run, token);
      if (result.kind === "no-answer" && result.code === "ERR_ABORTED" && lastSent !== undefined) {
        throw this.runError(run, interruptedRetry(run.attempt - 1, lastSent));
      }
      lastSent = { result, outcome };
      if (outcome.kind === "transient") {
        if (outcome.throttled) throttles++;
        else faults++;
      }
      const state = {
        attempt: run.attempt,
        mayRefreshToken,
        msLeft: run.deadline - this.clock.now(),
        faults,
        throttles,
      };
      const decision = decide(outcome, state, {
        settings: retry,
        random: () => this.clock.random(),
        name: policy.settingName,
      });
      switch (decision.action) {
        case "accept": {
          const answer = result.kind === "answer" ? result : undefined;
          return {
            kind: outcome.kind as Accepted["kind"],
            status: answer?.status ?? 0,
            headers: answer?.headers ?? {},
            bytes: answer?.text.length ?? 0,
            json,
            body: outcome.body,
            transactionId: run.transactionId,
            attempts: run.attempt,
            startedAt,
          };
        }
        case "refresh-token":
          mayRefreshToken = false;
          this.tokens!.invalidate(token!);
          continue;
        case "fail":
          throw this.runError(run, failureOf(result, outcome, decision));
        case "retry": {
          this.counters.retries++;
          const seen =
            result.kind === "answer"
              ? [`HTTP ${result.status}`, outcome.body?.code, outcome.reason].filter(Boolean).join(" ")
              : (outcome.reason ?? result.code);
          policy.onRetry?.({
            target: spec.target,
            attempt: run.attempt,
            maxAttempts: retry.maxAttempts,
            delayMs: decision.delayMs,
            retryAfter: decision.retryAfter,
            throttled: outcome.throttled === true,
            reason: scrub(seen, this.secretTexts()),
          });
          await sleepUnless(this.clock, decision.delayMs, bounds?.signal);
        }
      }
    }
  }

  /**
   * The error for an operation, with the true attempt count and time, and
   * every secret this pipeline knows scrubbed. The one place where a
   * failure's advice is chosen (`advice.ts`) when the failure gives none.
   */
  error(
    spec: Pick<OperationSpec, "target" | "endpoint"> & Pick<AdviceContext, "listing">,
    at: { transactionId: string; attempts: number; startedAt: number },
    init: FailureInit,
    policy: Pick<OperationPolicy, "settingName">,
  ): PingOneApiError {
    const name = policy.settingName;
    const context: AdviceContext = {
      endpoint: spec.endpoint,
      staticToken: this.staticToken,
      listing: spec.listing,
      session: spec.target.sessionId !== undefined,
      settingName: name,
    };
    const slow =
      `The server answered too slowly for the per-attempt timeout (${name("requestTimeoutSeconds")}): it may be overloaded, or not PingOne; ` +
      "run again, or raise the timeout if answers are merely slow.";
    return new PingOneApiError({
      target: spec.target,
      ...init,
      advice:
        init.advice ??
        (init.networkCode === "ERR_ATTEMPT_TIMEOUT" ? slow : adviceFor(init.status, context, init.failure)),
      transactionId: at.transactionId,
      attempts: at.attempts,
      elapsedMs: this.clock.now() - at.startedAt,
      secrets: this.secretTexts(),
    });
  }

  /** Every form of every secret this pipeline holds or was issued, for scrubbing server text. */
  secretTexts(): string[] {
    const credentials = this.connection.credentials;
    const forms =
      credentials.kind === "client-credentials"
        ? secretForms(credentials.clientSecret.reveal(), credentials.clientId)
        : secretForms(credentials.accessToken.reveal());
    return [...forms, ...this.#issuedTokens.flatMap((t) => secretForms(t))];
  }

  /** The pacer's window and rate now. */
  pacerSnapshot(): PacerSnapshot {
    return this.pacer.snapshot();
  }

  /** A copy of the counters. */
  stats(): ClientStats {
    return { ...this.counters, statuses: { ...this.counters.statuses } };
  }

  /** Frees keep-alive sockets; the pipeline can still be used (new sockets are opened). */
  close(): void {
    this.transport.close();
  }

  /** The error of `run` at its current attempt. */
  private runError(run: OperationRun, init: FailureInit): PingOneApiError {
    return this.error(
      run.spec,
      { transactionId: run.transactionId, attempts: run.attempt, startedAt: run.startedAt },
      init,
      run.policy,
    );
  }

  /**
   * The token for the next API attempt, waited for no longer than the
   * operation's deadline. A fetch is shared by every operation that asks
   * while it is under way, and runs under the policy of the one that started it.
   */
  private async tokenFor(run: OperationRun): Promise<Secret> {
    const credentials = this.connection.credentials;
    if (credentials.kind === "access-token") return credentials.accessToken;
    const { policy } = run;
    try {
      // A token fetch is shared and bounded by its own deadline; this operation stops waiting at its own.
      return await beforeDeadline(
        this.tokens!.get(() => this.fetchToken(policy)),
        run.deadline - this.clock.now(),
        () =>
          this.runError(run, {
            reason: `no access token before the operation deadline of ${formatSeconds(policy.retry.operationTimeoutMs)}`,
            failure: "DEADLINE",
            advice: `Check the auth URL and the network path; raise ${policy.settingName("operationTimeoutSeconds")}.`,
          }),
      );
    } catch (error) {
      // A failed token fetch is reported against each operation that needed it.
      if (PingOneApiError.isInstance(error) && error.target.action !== run.spec.target.action)
        throw error.forOperation(run.spec.target);
      throw error;
    }
  }

  /** One attempt through the pacer, its time bounded by the attempt timeout and the operation deadline. */
  private async attempt(
    run: OperationRun,
    token: Secret | undefined,
  ): Promise<{ result: HttpResult; outcome: Outcome; json: unknown }> {
    const { spec, deadline, transactionId, policy } = run;
    const fail = (init: FailureInit) => this.runError(run, init);
    const retry = policy.retry;
    const name = policy.settingName;
    const remaining = deadline - this.clock.now();
    if (remaining <= 0) {
      throw fail({
        reason: `the operation deadline of ${formatSeconds(retry.operationTimeoutMs)} passed`,
        failure: "DEADLINE",
        advice: `Raise ${name("operationTimeoutSeconds")} or run again.`,
      });
    }
    const paused = (pauseMs: number, leftMs: number) =>
      fail({
        reason:
          `PingOne asked this client to wait ${formatSeconds(pauseMs)} (Retry-After) ` +
          `but only ${formatSeconds(leftMs)} remain before the operation deadline`,
        failure: "DEADLINE",
        advice: `Run again later, or raise ${name("operationTimeoutSeconds")}.`,
      });
    const request = spec.request(token);
    request.headers["X-Ping-External-Transaction-ID"] = transactionId;
    try {
      return await this.pacer.run(
        async () => {
          // The budget is taken when the slot is granted, after any wait in the queue: the deadline bounds the send too.
          const left = deadline - this.clock.now();
          if (left <= 0) throw new PacerDeadlineError(this.pacer.snapshot().queued);
          const result = await this.send(
            { ...request, timeoutMs: Math.min(retry.requestTimeoutMs, left) },
            spec.endpoint,
            policy.signal,
          );
          // The body is parsed here once: the classifier, the error body and the caller's reader all use this value.
          const parsed = result.kind === "answer" ? parseBody(result.text) : undefined;
          const outcome = classify(result, spec.endpoint, spec.expected, this.clock.now(), parsed);
          // A server's Retry-After holds the whole licence, queued requests too, for the licence is one for all of
          // them. Set before this request's slot is given back, so that no queued request slips out in between.
          if (outcome.kind === "transient" && outcome.retryAfterMs !== undefined) {
            this.pacer.pauseUntil(this.clock.now() + Math.min(outcome.retryAfterMs, retry.maxRetryAfterMs));
          }
          return { result, outcome, json: parsed?.json };
        },
        {
          deadlineAt: deadline,
          signalOf: ({ result }) => (result.kind === "no-answer" ? "none" : result.status === 429 ? "throttled" : "ok"),
        },
      );
    } catch (error) {
      // A pause that outlasts the deadline fails the operation now, whether it began before or while it queued.
      if (error instanceof PacerPauseError) throw paused(error.pauseMs, error.leftMs);
      if (!(error instanceof PacerDeadlineError)) throw error;
      throw fail({
        reason: `${error.message}; the operation deadline of ${formatSeconds(retry.operationTimeoutMs)} passed`,
        failure: "DEADLINE",
        advice: `Lower the amount of work per run, raise ${name("maxConcurrency")}, or raise ${name("operationTimeoutSeconds")}.`,
      });
    }
  }

  private async send(
    request: HttpRequest,
    endpoint: AdviceContext["endpoint"],
    signal: AbortSignal | undefined,
  ): Promise<HttpResult> {
    // Checked when the pacer grants the slot: after an interrupt, queued requests drain without being sent.
    if (signal?.aborted)
      return { kind: "no-answer", code: "ERR_ABORTED", reason: "the run was interrupted before this request was sent" };
    if (endpoint === "token") this.counters.tokenRequests++;
    else this.counters.apiRequests++;
    const result = await this.transport.send(request);
    if (result.kind === "answer")
      this.counters.statuses[result.status] = (this.counters.statuses[result.status] ?? 0) + 1;
    else this.counters.networkFailures++;
    return result;
  }

  /** Gets a token with the client-credentials grant, retried like any call under `policy`. */
  private async fetchToken(policy: OperationPolicy): Promise<IssuedToken> {
    const credentials = this.connection.credentials;
    if (credentials.kind !== "client-credentials") throw new Error("no client credentials configured");
    const grant = clientCredentialsGrant(credentials, this.connection.authUrl);
    const spec: OperationSpec = { target: grant.target, endpoint: "token", expected: "json", request: grant.request };
    const answer = await this.perform(spec, policy);
    const token = readTokenAnswer(answer.json, { contentType: answer.headers["content-type"], bytes: answer.bytes });
    if ("problem" in token)
      throw this.error(spec, answer, { status: answer.status, reason: token.problem, failure: "NOT_PINGONE" }, policy);
    this.#issuedTokens.unshift(token.accessToken);
    this.#issuedTokens.length = Math.min(this.#issuedTokens.length, 3);
    return { accessToken: new Secret(token.accessToken), expiresInSeconds: token.expiresInSeconds };
  }
}

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
  const aborted = new Promise<void>((resolve) =>
    signal.addEventListener("abort", (onAbort = () => resolve()), { once: true }),
  );
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
  const { result } = last;
  const got =
    result.kind === "answer"
      ? [`HTTP ${result.status}`, last.outcome.body?.code].filter(Boolean).join(" ")
      : `no answer (${result.code})`;
  const requests = `${sent} request${sent === 1 ? " was" : "s were"} sent`;
  const reason = [last.outcome.reason, `interrupted before attempt ${sent + 1}: ${requests}, the last got ${got}`]
    .filter(Boolean)
    .join("; ");
  const advice =
    `The run was interrupted while retrying, after ${requests} for this one: whether it took effect is not known. ` +
    "Run the command again to finish the work.";
  if (last.result.kind === "no-answer") return { reason, networkCode: last.result.code, failure: "ABORTED", advice };
  return { status: last.result.status, body: last.outcome.body, reason, failure: "ABORTED", advice };
}

/** The failure an outcome and a decision describe. */
function failureOf(
  result: HttpResult,
  outcome: Outcome,
  decision: { action: "fail"; reason?: string; failure?: FailureCode; advice?: string },
): FailureInit {
  const reason = [outcome.reason, decision.reason].filter(Boolean).join("; ") || undefined;
  if (result.kind === "no-answer") {
    const failure = result.code === "ERR_ABORTED" ? "ABORTED" : (decision.failure ?? outcome.failure);
    return { reason, networkCode: result.code, failure, advice: decision.advice };
  }
  return {
    status: result.status,
    body: outcome.body,
    reason,
    failure: decision.failure ?? outcome.failure,
    advice: decision.advice,
  };
}
