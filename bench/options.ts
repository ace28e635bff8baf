/**
 * The bench's command line: its flags, their defaults, and the checks that
 * turn a bad value into a usage error before anything starts.
 */
import { parseArgs } from "node:util";

/** Which run to measure: the provider with or without the emulator's rate limit, or the curl baseline. */
export type RunKind = "limited" | "unlimited" | "curl";

/** Every run, in the order the bench measures them. */
export const RUN_KINDS: readonly RunKind[] = ["limited", "unlimited", "curl"];

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
  /** Run only this one; all three when unset. */
  only?: RunKind;
  /** Passed as pingone:maxConcurrency when set; the headline runs use the default (unset). */
  maxConcurrency?: number;
  /** curl processes at a time in the baseline. */
  curlConcurrency: number;
  /** Hard bound of one run; past it the run is aborted and reported as broken. */
  runTimeoutS: number;
  /** NODE_OPTIONS for the provider host, e.g. "--max-semi-space-size=1", to see how much of its memory is garbage not yet collected. */
  hostNodeOptions?: string;
}

/** The headline configuration (docs/benchmarks.md). */
export const DEFAULT_OPTIONS = {
  users: 200,
  sessions: 10,
  latencyMs: 20,
  rate: 200,
  burst: 20,
  curlConcurrency: 32,
  runTimeoutS: 240,
} satisfies Partial<BenchOptions>;

/** Printed by `--help` and after a usage error. */
export const USAGE = `Usage: npm run bench -- [--users 200] [--sessions 10] [--latency-ms 20] [--rate 200]
         [--burst 20] [--only limited|unlimited|curl] [--max-concurrency N]
         [--curl-concurrency 32] [--run-timeout-s 240] [--host-node-options=--max-semi-space-size=1] [--help]`;

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
  help: { type: "boolean", short: "h" },
} as const;

/** The bench's options, or `"help"` when `--help` was given. Throws `UsageError` naming the flag on an unknown flag or a bad value. */
export function parseBenchArgs(argv: string[]): BenchOptions | "help" {
  const values = parseFlags(argv);
  if (values.help) return "help";
  const read = (flag: Exclude<keyof typeof FLAGS, "only" | "host-node-options" | "help">, valid: (n: number) => boolean, rule: string): number | undefined => {
    const raw = values[flag];
    if (raw === undefined) return undefined;
    const n = raw.trim() === "" ? NaN : Number(raw);
    if (!valid(n)) throw new UsageError(`--${flag} must be ${rule}; got ${JSON.stringify(raw)}`);
    return n;
  };
  const positiveInteger = (n: number) => Number.isInteger(n) && n >= 1;
  const positive = (n: number) => n > 0 && Number.isFinite(n);
  if (values.only !== undefined && !(RUN_KINDS as readonly string[]).includes(values.only)) {
    throw new UsageError(`--only must be ${RUN_KINDS.join(", ")}; got ${JSON.stringify(values.only)}`);
  }
  return {
    users: read("users", positiveInteger, "a positive integer") ?? DEFAULT_OPTIONS.users,
    // The emulator, like PingOne, keeps at most 10 sessions per user.
    sessions: read("sessions", (n) => positiveInteger(n) && n <= 10, "an integer 1..10 (PingOne keeps at most 10 per user)") ?? DEFAULT_OPTIONS.sessions,
    latencyMs: read("latency-ms", (n) => n >= 0 && Number.isFinite(n), "a non-negative number") ?? DEFAULT_OPTIONS.latencyMs,
    rate: read("rate", positive, "a positive number") ?? DEFAULT_OPTIONS.rate,
    burst: read("burst", (n) => n >= 1 && Number.isFinite(n), "at least 1") ?? DEFAULT_OPTIONS.burst,
    only: values.only as RunKind | undefined,
    maxConcurrency: read("max-concurrency", positive, "a positive number"),
    curlConcurrency: read("curl-concurrency", positiveInteger, "a positive integer") ?? DEFAULT_OPTIONS.curlConcurrency,
    runTimeoutS: read("run-timeout-s", positive, "a positive number") ?? DEFAULT_OPTIONS.runTimeoutS,
    hostNodeOptions: values["host-node-options"],
  };
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
