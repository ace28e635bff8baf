#!/usr/bin/env node
// Command line: run the emulator in the foreground and print the settings a client needs. It stops
// on SIGINT, SIGTERM or SIGHUP, and when the process that started it goes away (see lifecycle.ts).

import { columns, OptionSpec, optionLines, parseOptions } from "../cli/options";
import { seedTenant, type TenantSeed } from "./bulk";
import { startEmulator } from "./index";
import { watchParent } from "./lifecycle";
import { DEMO } from "./seed";
import type { RateLimit, RunningEmulator } from "./types";
import { EmulatorUsageError } from "./usage";

/**
 * The emulator's options: what its command line is parsed with, what --help lists and where an
 * unknown option's suggestion is looked up (one table, so the three agree).
 */
export const OPTIONS: readonly OptionSpec[] = [
  { name: "port", type: "string", value: "P", help: "TCP port (default 0: pick a free one)" },
  { name: "seed", type: "string", value: "demo", help: "seed the demo story and print its ids and credentials" },
  { name: "users", type: "string", value: "N", help: "seed a large tenant of N users (sessions drawn per user)" },
  { name: "random-seed", type: "string", value: "S", help: "PRNG seed of --users (default 1): same seed, same tenant" },
  { name: "latency-ms", type: "string", value: "N", help: "add N milliseconds before every API and token answer" },
  { name: "rate-limit", type: "string", value: "R", help: "licence rate limit, R requests per second (default: none)" },
  { name: "burst", type: "string", value: "B", help: "bucket size of the rate limit (default: R)" },
  {
    name: "per-ip-share",
    type: "string",
    value: "X",
    help: "share of the licence one source address may use (default 0.35; 127.0.0.1 is exempt, 127.0.0.2 and up are not)",
  },
  {
    name: "retry-after-header",
    type: "string",
    value: "H",
    help: "the rate limit's 429 header: whole-seconds (default: the wait rounded up, at least 1) or zero (Retry-After: 0); the body has the exact wait",
  },
  {
    name: "user-page-size",
    type: "string",
    value: "N",
    help: "most users one page of GET .../users holds (default 200)",
  },
  { name: "outlive-parent", type: "boolean", help: "keep running when the parent process exits" },
  { name: "help", type: "boolean", short: "h", help: "print this help" },
];

/** Usage text printed by --help and, by the standalone script, after a usage error. */
export const USAGE = `Usage: npm run emulator -- [options]        (from a checkout)
       pingone-sessions emulator [options]     (installed package)

Runs a local PingOne emulator on 127.0.0.1 until SIGINT, SIGTERM or SIGHUP,
or until the process that started it exits.

Options:
${optionLines(OPTIONS).join("\n")}

Example:
  pingone-sessions emulator --seed demo --latency-ms 20 --rate-limit 100

Admin API (JSON): http://127.0.0.1:P/__emulator/...`;

/** Where `main` writes and what stops it. */
export interface CliIo {
  /** Receives each output line. Default: `console.log`. */
  write?: (line: string) => void;
  /** Stops the emulator when aborted, in addition to SIGINT, SIGTERM and SIGHUP. */
  signal?: AbortSignal;
}

/** The parsed command line. */
interface CliOptions {
  port: number;
  seed: "demo" | undefined;
  users: number | undefined;
  randomSeed: number;
  latencyMs: number;
  rateLimit: RateLimit | undefined;
  userPageSize: number | undefined;
  outliveParent: boolean;
}

/**
 * Parses `argv` (without node and script), starts the emulator, prints the `export` lines and the
 * seeded ids, and resolves once it has stopped (SIGINT, SIGTERM, SIGHUP, `io.signal`, or the parent
 * process gone unless `--outlive-parent`). Rejects with `EmulatorUsageError` (code "ERR_USAGE") on
 * unknown or malformed arguments, before anything starts; with the listen error if the port is taken.
 */
export async function main(argv: string[], io: CliIo = {}): Promise<void> {
  const write = io.write ?? ((line: string) => console.log(line));
  const options = parseCommandLine(argv);
  if (options === "help") {
    write(USAGE);
    return;
  }
  // Listening for stop requests before anything starts: a signal that arrives while the first lines
  // are printed (or while a large tenant is seeded) must stop the emulator, not kill it mid-write.
  const stopRequest = stopRequested(io.signal, options.outliveParent);
  let emulator: RunningEmulator;
  let tenant: TenantSeed | undefined;
  try {
    emulator = await startEmulator({
      port: options.port,
      latencyMs: options.latencyMs,
      seed: options.seed,
      rateLimit: options.rateLimit,
      userPageSize: options.userPageSize,
    });
  } catch (err) {
    stopRequest.cancel();
    throw err;
  }
  try {
    if (options.users !== undefined)
      tenant = seedTenant(emulator.state, { users: options.users, seed: options.randomSeed });
  } catch (err) {
    stopRequest.cancel();
    await emulator.stop();
    throw err;
  }
  for (const line of describe(emulator, options, tenant)) write(line);
  const why = await stopRequest.reason;
  await emulator.stop();
  write(why === undefined ? "PingOne emulator stopped." : `PingOne emulator stopped: ${why}.`);
}

/**
 * Resolves `reason` on the first of SIGINT, SIGTERM, SIGHUP, `signal` aborting (reason undefined)
 * or, unless `outliveParent`, the parent process going; then stops listening. `cancel` stops
 * listening without resolving.
 */
function stopRequested(
  signal: AbortSignal | undefined,
  outliveParent: boolean,
): { reason: Promise<string | undefined>; cancel: () => void } {
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  let settle: (reason: string | undefined) => void = () => undefined;
  const reason = new Promise<string | undefined>((resolve) => (settle = resolve));
  const onSignal = (name: NodeJS.Signals): void => finish(`received ${name}`);
  const onAbort = (): void => finish(undefined);
  const unwatch = outliveParent ? () => undefined : watchParent((why) => finish(why));
  const cancel = (): void => {
    for (const s of signals) process.off(s, onSignal);
    signal?.removeEventListener("abort", onAbort);
    unwatch();
  };
  function finish(why: string | undefined): void {
    cancel();
    settle(why);
  }
  for (const s of signals) process.on(s, onSignal);
  if (signal?.aborted) finish(undefined);
  else signal?.addEventListener("abort", onAbort);
  return { reason, cancel };
}

function parseCommandLine(argv: string[]): CliOptions | "help" {
  // parseArgs reports with TypeError and an ERR_PARSE_ARGS_* code (kept as the cause); a usage error must not look like a bug.
  const values = parseOptions(OPTIONS, argv, (message, cause) => new EmulatorUsageError(message, { cause })) as Partial<
    Record<string, string | boolean>
  >;
  if (values.help) return "help";
  const number = (flag: keyof typeof values, ok: (n: number) => boolean, what: string): number | undefined => {
    const text = values[flag];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (typeof text !== "string" || text.trim() === "" || !ok(n))
      throw new EmulatorUsageError(`--${flag} must be ${what}, got ${String(text)}`);
    return n;
  };
  const integer = (min: number, max: number) => (n: number) => Number.isInteger(n) && n >= min && n <= max;
  const port = number("port", integer(0, 65535), "an integer 0..65535") ?? 0;
  if (values.seed !== undefined && values.seed !== "demo")
    throw new EmulatorUsageError(`--seed accepts only "demo", got ${values.seed}`);
  const users = number("users", integer(0, 1_000_000), "an integer 0..1000000");
  if (users !== undefined && values.seed !== undefined)
    throw new EmulatorUsageError("--users and --seed demo cannot go together: run two emulators");
  const randomSeed = number("random-seed", integer(-2147483648, 4294967295), "a 32-bit integer");
  if (randomSeed !== undefined && users === undefined) throw new EmulatorUsageError("--random-seed needs --users");
  const latencyMs = number("latency-ms", (n) => n >= 0 && Number.isFinite(n), "a non-negative number") ?? 0;
  const rate = number("rate-limit", (n) => n > 0 && Number.isFinite(n), "a positive number of requests per second");
  const burst = number("burst", (n) => n >= 1 && Number.isFinite(n), "a number of at least 1");
  const share = number("per-ip-share", (n) => n > 0 && n <= 1, "a number in (0, 1]");
  const header = values["retry-after-header"];
  if (header !== undefined && header !== "whole-seconds" && header !== "zero")
    throw new EmulatorUsageError(`--retry-after-header accepts whole-seconds or zero, got ${header}`);
  if (rate === undefined && (burst !== undefined || share !== undefined || header !== undefined)) {
    throw new EmulatorUsageError("--burst, --per-ip-share and --retry-after-header need --rate-limit");
  }
  const userPageSize = number("user-page-size", integer(1, 200), "an integer 1..200");
  return {
    port,
    seed: values.seed === "demo" ? "demo" : undefined,
    users,
    randomSeed: randomSeed ?? 1,
    latencyMs,
    rateLimit:
      rate === undefined
        ? undefined
        : {
            requestsPerSecond: rate,
            burst,
            perSourceIpShare: share,
            ...(header !== undefined && { retryAfterHeader: header }),
          },
    userPageSize,
    outliveParent: values["outlive-parent"] === true,
  };
}

/** The lines printed at start: where it listens, what to export, and the seeded ids, aligned. */
function describe(emulator: RunningEmulator, options: CliOptions, tenant: TenantSeed | undefined): string[] {
  const lines = [
    `PingOne emulator listening on ${emulator.url}`,
    "",
    `export PINGONE_API_URL=${emulator.apiUrl}`,
    `export PINGONE_AUTH_URL=${emulator.authUrl}`,
  ];
  if (options.seed === "demo") {
    const envAdmin = DEMO.applications.environmentAdmin;
    lines.push(
      `export PINGONE_ENVIRONMENT_ID=${DEMO.environmentId}`,
      `export PINGONE_CLIENT_ID=${DEMO.clientId}`,
      `export PINGONE_CLIENT_SECRET=${DEMO.clientSecret}`,
      "",
      "Demo story (the exported worker application administers population Staff only):",
      ...columns([
        ["environment", DEMO.environmentId],
        ["population Staff", DEMO.populations.staff],
        ["population Contractors", DEMO.populations.contractors],
        ["user alice (Staff, compromised)", `${DEMO.users.alice}  sessions: ${DEMO.sessions.alice.join(" ")}`],
        ["user bob (Staff)", `${DEMO.users.bob}  sessions: ${DEMO.sessions.bob.join(" ")}`],
        ["user carol (Contractors)", `${DEMO.users.carol}  sessions: ${DEMO.sessions.carol.join(" ")}`],
        ["application, Staff only", `${DEMO.clientId}  (exported above)`],
        ["application, environment level", `${envAdmin.clientId}  secret ${envAdmin.clientSecret}`],
      ]),
    );
  } else if (tenant) {
    const { environmentAdmin, populationAdmin } = tenant.applications;
    lines.push(
      `export PINGONE_ENVIRONMENT_ID=${tenant.environmentId}`,
      `export PINGONE_CLIENT_ID=${environmentAdmin.clientId}`,
      `export PINGONE_CLIENT_SECRET=${environmentAdmin.clientSecret}`,
      "",
      `Large tenant (random seed ${options.randomSeed}): ${tenant.users} users (${tenant.sessionless} without a session), ${tenant.sessions} sessions, seeded in ${(tenant.elapsedMs / 1000).toFixed(1)} s`,
      ...columns([
        ["environment", tenant.environmentId],
        ...tenant.populations.map((p): [string, string] => [`population ${p.name} (${p.users} users)`, p.id]),
        ...tenant.groups.map((g): [string, string] => [`group ${g.name} (${g.members} members)`, g.id]),
        ["application, environment level", `${environmentAdmin.clientId}  (exported above)`],
        [
          `application, ${populationAdmin.populationName} only`,
          `${populationAdmin.clientId}  secret ${populationAdmin.clientSecret}`,
        ],
      ]),
    );
  } else {
    lines.push(
      "",
      "No seed: create environments, users and a worker application with POST /__emulator/... or start with --seed demo or --users N.",
    );
  }
  return lines;
}

if (require.main === module) {
  // A reader that went away (a closed pipe) must not turn the shutdown into a crash.
  process.stdout.on("error", () => undefined);
  main(process.argv.slice(2)).catch((err: unknown) => {
    if (EmulatorUsageError.isInstance(err)) {
      console.error(`${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    }
  });
}
