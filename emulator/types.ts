// The public contract of the emulator: what callers pass in and what they get back.
// Kept apart from the runtime (server.ts) so that the shape can be read without the machinery.

import type { EmulatorState } from "./state";

/**
 * The licence's rate limit, as PingOne applies it: a token bucket over every API and token request
 * (`requestsPerSecond` refill rate, `burst` bucket size), and for each source address a bucket of
 * `perSourceIpShare` of both, keyed by the request's remote address. A request must pass both.
 */
export interface RateLimit {
  requestsPerSecond: number;
  /** Default: `requestsPerSecond`, at least 1. */
  burst?: number;
  /** Share of the licence one source address may use, in (0, 1]. Default 0.35, PingOne's default. */
  perSourceIpShare?: number;
  /**
   * Addresses exempt from the per-address share (PingOne's "Rate Limits and Allowed IPs" list), so
   * they may use the whole licence. Default ["127.0.0.1"]: a single local client gets the licence,
   * while shards bound to 127.0.0.2, 127.0.0.3, ... each get their share. [] applies the share to all.
   */
  allowedSourceIps?: string[];
  /**
   * The `Retry-After` header of the limiter's 429 (its body's `innerError.retryAfter` is always the
   * exact wait, in seconds to the millisecond). "whole-seconds" (default): the wait rounded up to
   * whole seconds, at least 1, as PingOne documents it. "zero": `Retry-After: 0`, as servers do
   * that leave the exact wait to the body.
   */
  retryAfterHeader?: "whole-seconds" | "zero";
}

/** What chaos may do to a request. "slow" delays the answer by `slowMs` and then answers normally. */
export type ChaosKind = "429" | "500" | "502" | "503" | "504" | "reset" | "slow";

/**
 * Seeded random faults. For a given `seed` and the same order of eligible requests, the same
 * requests get the same faults, so a failing run can be replayed.
 * Throws (from `startEmulator`/`setChaos`) if `rate` is outside 0..1 or `kinds` is empty or unknown.
 */
export interface ChaosOptions {
  /** PRNG seed (any 32-bit integer; other numbers are truncated). */
  seed: number;
  /** Share of eligible requests that get a fault, 0..1. */
  rate: number;
  /** Faults to choose from, uniformly. Default: every kind except "slow", which must be opted in because it is meant to outlast client timeouts. */
  kinds?: ChaosKind[];
  /** `Retry-After` header value sent with chaos 429 and 503 answers. Default "1" (HTTP allows whole seconds or an HTTP date only). */
  retryAfter?: string;
  /** Delay of a "slow" answer in milliseconds. Default 5000. */
  slowMs?: number;
  /** Also fault token requests (`POST /{envId}/as/token`). Default false: only `/v1` API requests. */
  includeToken?: boolean;
}

/**
 * A scripted fault. It answers in place of the normal handler for the next `count` matching
 * requests; a faulted DELETE therefore deletes nothing. A fault with only `delayMs` (no `status`,
 * no `reset`) waits and then lets the normal handler answer.
 * Throws (from `injectFault`) if `count` is not a positive integer or if it sets both `status` and `reset`.
 */
export interface FaultSpec {
  /** HTTP method to match, case-insensitive. Default: any. */
  method?: string;
  /** A string is a prefix of the request path including its query (`/v1/...` or `/{envId}/as/token`); a RegExp is tested against the same text. */
  path: string | RegExp;
  /** How many matching requests the fault applies to. Default 1. */
  count?: number;
  /** Status to answer with. */
  status?: number;
  /** `Retry-After` header value, sent as is ("2" or an HTTP date). */
  retryAfter?: string;
  /** Extra response headers (also added to the normal answer of a delay-only fault). */
  headers?: Record<string, string>;
  /** Raw body sent as is. Default: a P1Error JSON matching `status` (an HTML gateway page for 502/503/504). */
  body?: string | Buffer;
  /** Destroy the socket without any answer. */
  reset?: boolean;
  /** Wait this long (after `latencyMs`) before answering or resetting. */
  delayMs?: number;
}

/** One API or token request as the emulator received it. Admin (`/__emulator/`) requests are not logged. */
export interface RequestLogEntry {
  /** Arrival time, `Date.now()` milliseconds. */
  at: number;
  method: string;
  /** Path with query, exactly as requested. */
  path: string;
  /** Answer status; "reset" when the socket was destroyed on purpose; "pending" while the answer is still being delayed. */
  status: number | "reset" | "pending";
  /** Request headers with lower-case names, as received (including `authorization`); repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The request body as UTF-8 text ("" when none). */
  body: string;
  /** When the answer was written, `Date.now()` ms; absent when none was (a reset, or a client that had already hung up on a slow answer). */
  answeredAt?: number;
  /** The `X-Ping-External-Transaction-ID` sent by the client, if any. */
  transactionId?: string;
  /** The client's address ("127.0.0.2"), which keys the per-address rate limit. */
  remoteAddress: string;
}

/**
 * How to start the emulator. Every field is optional; defaults live in `DEFAULT_OPTIONS` (index.ts).
 * `startEmulator` rejects if the port cannot be bound or an option is out of range.
 */
export interface EmulatorOptions {
  /** TCP port on 127.0.0.1. Default 0 (ephemeral). */
  port?: number;
  /** Milliseconds added before every API/token answer, including faults and 429s. Default 0. */
  latencyMs?: number;
  /** Token bucket over all API and token requests; an excess gets 429 REQUEST_LIMITED. Default: unlimited. */
  rateLimit?: RateLimit;
  /** `expires_in` of issued tokens, and how long they stay valid. Default 3600. */
  tokenLifetimeSeconds?: number;
  /** If set, session lists are paged with this many sessions per page and an absolute `_links.next.href`. Default: one page. */
  listPageSize?: number;
  /**
   * The most users one page of `GET …/users` holds, whatever `limit` asks: PingOne's cap, 200, by
   * default. Lower it to make a client meet pages smaller than it asked for.
   */
  userPageSize?: number;
  /** Seeded random faults. Default: none. */
  chaos?: ChaosOptions;
  /** Seed a named story at start (see `DEMO` in seed.ts). */
  seed?: "demo";
  /** The request log keeps at most this many entries, dropping the oldest, so long benchmarks do not exhaust memory. Default 100000. */
  requestLogLimit?: number;
}

/** Options with every default applied; what the server actually runs with. */
export interface ResolvedEmulatorOptions {
  port: number;
  latencyMs: number;
  rateLimit: RateLimit | undefined;
  tokenLifetimeSeconds: number;
  listPageSize: number | undefined;
  userPageSize: number;
  chaos: ChaosOptions | undefined;
  seed: "demo" | undefined;
  requestLogLimit: number;
}

/** A started emulator. All setters take effect for the next request. */
export interface RunningEmulator {
  /** "http://127.0.0.1:PORT". */
  url: string;
  /** `url` + "/v1": the management API base. */
  apiUrl: string;
  /** `url`: the token endpoint is `POST {authUrl}/{envId}/as/token`. */
  authUrl: string;
  /** In-process seeding and inspection of the emulated tenant. */
  state: EmulatorState;
  /** Throws RangeError if `ms` is negative or not finite. */
  setLatency(ms: number): void;
  /**
   * `undefined` removes the limit. A new limit starts with full buckets. Throws RangeError on a
   * non-positive rate or burst, a share outside (0, 1] or a bad address.
   */
  setRateLimit(limit: RateLimit | undefined): void;
  /** Changes `userPageSize`. Throws RangeError unless it is an integer 1..200. */
  setUserPageSize(size: number): void;
  /** `undefined` turns chaos off. A new setting restarts the PRNG from its seed. Throws RangeError on invalid options. */
  setChaos(chaos: ChaosOptions | undefined): void;
  /** Queues a scripted fault; faults are tried in the order injected. Throws RangeError on an invalid spec. */
  injectFault(fault: FaultSpec): void;
  /** Drops every scripted fault not yet used up. */
  clearFaults(): void;
  /** A snapshot of the request log, oldest first. */
  requests(): RequestLogEntry[];
  clearRequests(): void;
  /** Closes the server and every keep-alive socket, and cancels delayed answers. Safe to call twice. */
  stop(): Promise<void>;
}
