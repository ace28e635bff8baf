/**
 * The bench's command line: its flags, their defaults, and the checks that
 * turn a bad value into a usage error before anything starts.
 */
import { parseArgs } from "node:util";

/** Which run to measure: the provider with or without the emulator's rate limit, or the curl baseline. */
export type RunKind = "limited" | "unlimited" | "curl";

/** Every run, in the order the bench measures them. */
export const RUN_KINDS: readonly RunKind[] = ["limited", "unlimited", "curl"];

/**
 * The population sweeps (issue 11), each beside its baseline:
 *   sweep         one process sweeps a large tenant at the rate limit
 *   small-bucket  one process at 100 req/s with a burst of 10, beside today's per-user bulk
 *   shards        N shard processes at once from N source addresses, beside one shard alone
 *   memory        peak RSS of the sweeping process for a small and a large population
 *   one-user      one user's 10 sessions from the CLI, beside the curl loop a person writes
 *   matrix        issue 16: sweep and per-user bulk at 0-100 ms, busy, two licences, two 429 styles;
 *                 four processes on one licence (bench/matrix.ts)
 */
export type SweepKind = "sweep" | "small-bucket" | "shards" | "memory" | "one-user" | "matrix";

/** Every sweep scenario, in the order the bench measures them. */
export const SWEEP_KINDS: readonly SweepKind[] = ["sweep", "small-bucket", "shards", "memory", "one-user", "matrix"];

/** Anything `--only` may name. */
export type ScenarioKind = RunKind | SweepKind;

/** What one bench invocation measures, defaults applied. Written as given into the results file. */
export interface BenchOptions {
  /** Users seeded. */
  users: number;
  /** Sessions per user (1..10: PingOne keeps at most 10). */
  sessions: number;
  /** Emulator latency added to every request, ms. */
  latencyMs: number;
  /** Rate limit of the rate-limited run, requests per second. */
  rate: number;
  /** Token-bucket burst of the rate-limited run. */
  burst: number;
  /** Run only these (`--only a,b`); every scenario when unset. */
  only?: ScenarioKind[];
  /** Passed as pingone:maxConcurrency when set; the headline runs use the default (unset). */
  maxConcurrency?: number;
  /** curl processes at a time in the baseline. */
  curlConcurrency: number;
  /** Hard bound of one run; past it the run is aborted and reported as broken. */
  runTimeoutS: number;
  /** NODE_OPTIONS for the provider host, e.g. "--max-semi-space-size=1", to see how much of its memory is garbage not yet collected. */
  hostNodeOptions?: string;
  /** Users of the one-process sweep (20% with no session, the others 1-10), at `rate`, `burst` and `latencyMs`. */
  sweepUsers: number;
  /** Users of the small-bucket sweep and its per-user baseline (at `SMALL_BUCKET`). */
  bucketUsers: number;
  /** Users of the population the shards split, at `rate` and `burst` with the per-source share applying to every shard. */
  shardUsers: number;
  /** Shard processes run at once (each from its own loopback address, 127.0.0.2 upwards). */
  shards: number;
  /** The two populations whose sweeps' peak RSS is compared, smaller first. */
  memoryUsers: [number, number];
  /** Seed of the drawn tenants (`seedTenant`): the same seed, the same users and sessions. */
  tenantSeed: number;
}

/** The small bucket of issue 11: where today's per-user bulk met 5.2-5.7% of 429s. */
export const SMALL_BUCKET = { requestsPerSecond: 100, burst: 10, latencyMs: 10 } as const;

/** The latency of the one-user figure: a distant region, where round trips dominate. */
export const ONE_USER_LATENCY_MS = 50;

/** The headline configuration (docs/benchmarks.md). */
export const DEFAULT_OPTIONS = {
  users: 200,
  sessions: 10,
  latencyMs: 20,
  rate: 200,
  burst: 20,
  curlConcurrency: 32,
  runTimeoutS: 600,
  sweepUsers: 2000,
  bucketUsers: 200,
  // 2,000 users a shard, as the one-process sweep. The hash split gives each shard a random share of
  // the work, whose spread shrinks as one over the square root of the population: the most and the
  // least loaded of four shards differ by 4 % to 16 % of requests at 3,200 users (tenant seeds 1 to 3),
  // by 2 % to 5 % at 8,000. The finish-time figure is to measure the pacers, not that draw.
  shardUsers: 8000,
  shards: 4,
  memoryUsers: [2000, 20000],
  tenantSeed: 1,
} satisfies Partial<BenchOptions>;

/** Printed by `--help` and after a usage error. */
export const USAGE = `Usage: npm run bench -- [--users 200] [--sessions 10] [--latency-ms 20] [--rate 200]
         [--burst 20] [--only ${[...RUN_KINDS, ...SWEEP_KINDS].join("|")}[,...]] [--max-concurrency N]
         [--curl-concurrency 32] [--run-timeout-s 600] [--host-node-options=--max-semi-space-size=1]
         [--sweep-users 2000] [--bucket-users 200] [--shard-users 8000] [--shards 4]
         [--memory-users 2000,20000] [--tenant-seed 1] [--help]`;

/** A bad command line: reported with the usage and without a stack. */
export class UsageError extends Error {
  /** Always `UsageError`. */
  override readonly name = "UsageError";
}

const FLAGS = {
  users: { type: "string" },
  sessions: { type: "string" },
  "latency-ms": { type: "string" },
  rate: { type: "string" },
  burst: { type: "string" },
  only: { type: "string" },
  "max-concurrency": { type: "string" },
  "curl-concurrency": { type: "string" },
  "run-timeout-s": { type: "string" },
  "host-node-options": { type: "string" },
  "sweep-users": { type: "string" },
  "bucket-users": { type: "string" },
  "shard-users": { type: "string" },
  shards: { type: "string" },
  "memory-users": { type: "string" },
  "tenant-seed": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The bench's options, or `"help"` when `--help` was given. Throws `UsageError` naming the flag on an unknown flag or a bad value. */
export function parseBenchArgs(argv: string[]): BenchOptions | "help" {
  const values = parseFlags(argv);
  if (values.help) return "help";
  const read = (
    flag: Exclude<keyof typeof FLAGS, "only" | "host-node-options" | "memory-users" | "help">,
    valid: (n: number) => boolean,
    rule: string,
  ): number | undefined => {
    const raw = values[flag];
    if (raw === undefined) return undefined;
    const n = raw.trim() === "" ? NaN : Number(raw);
    if (!valid(n)) throw new UsageError(`--${flag} must be ${rule}; got ${JSON.stringify(raw)}`);
    return n;
  };
  const positiveInteger = (n: number) => Number.isInteger(n) && n >= 1;
  const positive = (n: number) => n > 0 && Number.isFinite(n);
  const only = values.only === undefined ? undefined : scenarioList(values.only);
  const shards = read(
    "shards",
    (n) => Number.isInteger(n) && n >= 2 && n <= 200,
    "an integer 2..200 (one loopback address each, from 127.0.0.2)",
  );
  return {
    users: read("users", positiveInteger, "a positive integer") ?? DEFAULT_OPTIONS.users,
    // The emulator, like PingOne, keeps at most 10 sessions per user.
    sessions:
      read("sessions", (n) => positiveInteger(n) && n <= 10, "an integer 1..10 (PingOne keeps at most 10 per user)") ??
      DEFAULT_OPTIONS.sessions,
    latencyMs:
      read("latency-ms", (n) => n >= 0 && Number.isFinite(n), "a non-negative number") ?? DEFAULT_OPTIONS.latencyMs,
    rate: read("rate", positive, "a positive number") ?? DEFAULT_OPTIONS.rate,
    burst: read("burst", (n) => n >= 1 && Number.isFinite(n), "at least 1") ?? DEFAULT_OPTIONS.burst,
    only,
    maxConcurrency: read("max-concurrency", positive, "a positive number"),
    curlConcurrency: read("curl-concurrency", positiveInteger, "a positive integer") ?? DEFAULT_OPTIONS.curlConcurrency,
    runTimeoutS: read("run-timeout-s", positive, "a positive number") ?? DEFAULT_OPTIONS.runTimeoutS,
    hostNodeOptions: values["host-node-options"],
    // seedTenant takes up to 1,000,000 users.
    sweepUsers: read("sweep-users", tenantSize, TENANT_SIZE_RULE) ?? DEFAULT_OPTIONS.sweepUsers,
    bucketUsers: read("bucket-users", tenantSize, TENANT_SIZE_RULE) ?? DEFAULT_OPTIONS.bucketUsers,
    shardUsers: read("shard-users", tenantSize, TENANT_SIZE_RULE) ?? DEFAULT_OPTIONS.shardUsers,
    shards: shards ?? DEFAULT_OPTIONS.shards,
    memoryUsers:
      values["memory-users"] === undefined ? [...DEFAULT_OPTIONS.memoryUsers] : memoryUsers(values["memory-users"]),
    tenantSeed:
      read("tenant-seed", (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, "an integer 0..4294967295") ??
      DEFAULT_OPTIONS.tenantSeed,
  };
}

const TENANT_SIZE_RULE = "an integer 1..1000000";
const tenantSize = (n: number) => Number.isInteger(n) && n >= 1 && n <= 1_000_000;

/** `--only a,b`: known scenario names, each once. */
function scenarioList(raw: string): ScenarioKind[] {
  const known: readonly string[] = [...RUN_KINDS, ...SWEEP_KINDS];
  const names = raw.split(",").map((n) => n.trim());
  const bad = names.find((n) => !known.includes(n));
  if (bad !== undefined)
    throw new UsageError(`--only takes a comma-separated list of ${known.join(", ")}; got ${JSON.stringify(bad)}`);
  return [...new Set(names)] as ScenarioKind[];
}

/** `--memory-users SMALL,LARGE`: two population sizes, the smaller first. */
function memoryUsers(raw: string): [number, number] {
  const parts = raw.split(",");
  const sizes = parts.map((p) => (p.trim() === "" ? NaN : Number(p)));
  if (sizes.length !== 2 || !sizes.every(tenantSize) || sizes[0] >= sizes[1]) {
    throw new UsageError(
      `--memory-users must be two population sizes SMALL,LARGE (each ${TENANT_SIZE_RULE}, SMALL < LARGE); got ${JSON.stringify(raw)}`,
    );
  }
  return [sizes[0], sizes[1]];
}

/** True when `kind` is to be measured in this invocation. */
export function selected(o: Pick<BenchOptions, "only">, kind: ScenarioKind): boolean {
  return o.only === undefined || o.only.includes(kind);
}

/** Node's own parser: an unknown flag, a stray argument or a flag without its value is a usage error. */
function parseFlags(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // Node's messages run over several lines (the ambiguous-value one gives its advice on the last); one line here.
    throw new UsageError((error as Error).message.replace(/\s*\n\s*/g, " "));
  }
}
