#!/usr/bin/env node
// Command line: run the emulator in the foreground and print the settings a client needs.

import { parseArgs } from "node:util";

import { DEMO } from "./seed";
import { startEmulator } from "./index";
import type { RunningEmulator } from "./types";

/** Usage text printed by --help and on bad arguments. */
export const USAGE = `Usage: pingone-emulator [--port P] [--seed demo] [--latency-ms N]

Runs a local PingOne emulator on 127.0.0.1 until SIGINT or SIGTERM.
  --port P        TCP port (default 0: pick a free one)
  --seed demo     seed the demo story and print its ids and credentials
  --latency-ms N  add N milliseconds before every API and token answer
Admin API (JSON): http://127.0.0.1:P/__emulator/...`;

/** Where `main` writes and what stops it; defaults are stdout and SIGINT/SIGTERM. */
export interface CliIo {
  /** Receives each output line. Default: `console.log`. */
  write?: (line: string) => void;
  /** Stops the emulator when aborted, in addition to SIGINT/SIGTERM. */
  signal?: AbortSignal;
}

/**
 * Parses `argv` (without node and script), starts the emulator, prints the `export` lines and the
 * seeded ids, and resolves once it has stopped on SIGINT, SIGTERM or `io.signal`. Rejects with a
 * TypeError carrying the usage on unknown or malformed arguments, and with the listen error if the
 * port is taken.
 */
export async function main(argv: string[], io: CliIo = {}): Promise<void> {
  const write = io.write ?? ((line: string) => console.log(line));
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      seed: { type: "string" },
      "latency-ms": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    write(USAGE);
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`--port must be an integer 0..65535, got ${values.port}\n\n${USAGE}`);
  if (values.seed !== undefined && values.seed !== "demo") throw new TypeError(`--seed accepts only "demo", got ${values.seed}\n\n${USAGE}`);
  const latencyMs = values["latency-ms"] === undefined ? 0 : Number(values["latency-ms"]);
  if (!(latencyMs >= 0 && Number.isFinite(latencyMs))) throw new TypeError(`--latency-ms must be a non-negative number, got ${values["latency-ms"]}\n\n${USAGE}`);

  const emulator = await startEmulator({ port, latencyMs, seed: values.seed === "demo" ? "demo" : undefined });
  for (const line of describe(emulator, values.seed === "demo")) write(line);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      io.signal?.removeEventListener("abort", stop);
      void emulator.stop().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener("abort", stop);
  });
  write("PingOne emulator stopped.");
}

/** The lines printed at start: where it listens, what to export, and the demo ids. */
function describe(emulator: RunningEmulator, seeded: boolean): string[] {
  const lines = [`PingOne emulator listening on ${emulator.url}`, "", `export PINGONE_API_URL=${emulator.apiUrl}`, `export PINGONE_AUTH_URL=${emulator.authUrl}`];
  if (!seeded) {
    lines.push("", "No seed: create environments, users and a worker application with POST /__emulator/... or start with --seed demo.");
    return lines;
  }
  lines.push(
    `export PINGONE_ENVIRONMENT_ID=${DEMO.environmentId}`,
    `export PINGONE_CLIENT_ID=${DEMO.clientId}`,
    `export PINGONE_CLIENT_SECRET=${DEMO.clientSecret}`,
    "",
    "Demo story (the worker application administers population Staff only):",
    `  environment         ${DEMO.environmentId}`,
    `  population Staff    ${DEMO.populations.staff}`,
    `  population Contractors ${DEMO.populations.contractors}`,
    `  user alice (Staff, compromised) ${DEMO.users.alice}  sessions: ${DEMO.sessions.alice.join(" ")}`,
    `  user bob   (Staff)       ${DEMO.users.bob}  sessions: ${DEMO.sessions.bob.join(" ")}`,
    `  user carol (Contractors) ${DEMO.users.carol}  sessions: ${DEMO.sessions.carol.join(" ")}`,
  );
  return lines;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 2;
  });
}
