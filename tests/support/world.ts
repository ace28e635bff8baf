/**
 * A seeded emulator tenant for tests: one environment, a worker application
 * with Identity Data Administrator at environment level, a user with
 * sessions, and a fake clock that makes retry waits instant and recorded.
 * The one setup of the client, CLI and provider tests: each reaches the same
 * tenant its own way (a client, PINGONE_* variables, a provider host).
 */
import { startEmulator, RunningEmulator, EmulatorOptions } from "../../emulator";
import { ProviderHost } from "../../harness/providerHost";
import { PingOneClient, PingOneClientOptions } from "../../provider/client/client";
import { ConnectionOptions } from "../../provider/client/settings";
import { Clock } from "../../provider/client/retry";

/** A client secret that must never appear outside the token request. */
export const SENTINEL_SECRET = "sentinel-client-secret-7c3e9b21d4";

/** Where a `FakeClock` starts and what its randomness returns. */
export interface FakeClockOptions {
  /**
   * Epoch milliseconds `now()` starts at. Default: the real time when the clock is made. The
   * client's pacer waits in real time for deadlines read from this clock, so a start far in the
   * past leaves a queued request no time at all.
   */
  startAt?: number;
  /** What `random()` always returns. Default 0.5 (half of every full-jitter backoff). */
  random?: number;
}

/**
 * A clock that moves only when the client sleeps: `sleep` advances it at once
 * and records the wait. Real time never moves it, so what a test reads from
 * it (elapsed time, "2 s remain") is exact however slow the machine is.
 */
export class FakeClock implements Clock {
  /** Every wait requested, in milliseconds, in order. */
  readonly slept: number[] = [];
  private current: number;
  private readonly randomValue: number;

  /** A clock at `options.startAt` (default: now). */
  constructor(options: FakeClockOptions = {}) {
    this.current = options.startAt ?? Date.now();
    this.randomValue = options.random ?? 0.5;
  }

  /** The virtual time, epoch milliseconds. */
  now(): number {
    return this.current;
  }

  /** Records the wait and advances virtual time by `ms`; resolves without waiting. */
  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.current += ms;
  }

  /** The fixed value given at construction. */
  random(): number {
    return this.randomValue;
  }
}

/** Everything a client test needs. */
export interface World {
  emulator: RunningEmulator;
  environmentId: string;
  userId: string;
  sessionIds: string[];
  clientId: string;
  /** Settings that reach the emulator with the seeded worker application. */
  connection: ConnectionOptions;
  /** The PINGONE_* variables that point the CLI at the seeded worker application. */
  env: Record<string, string>;
  /** Starts a dynamic-provider host configured for the seeded worker application (plus `extraConfig`); `stop` stops it. */
  startHost(extraConfig?: Record<string, string>): Promise<ProviderHost>;
  /** A client on `options.clock`, or on a fresh fake clock; returns the clock it uses. */
  client(
    overrides?: ConnectionOptions,
    options?: Omit<PingOneClientOptions, "clock"> & { clock?: FakeClock },
  ): { client: PingOneClient; clock: FakeClock };
  /** Requests the emulator logged for the API (not the token endpoint). */
  apiRequests(): ReturnType<RunningEmulator["requests"]>;
  /** Requests the emulator logged for the token endpoint. */
  tokenRequests(): ReturnType<RunningEmulator["requests"]>;
  stop(): Promise<void>;
}

/** The namespaced stack config that points a provider host at an emulator with a worker application. */
export function stackConfig(
  emulator: Pick<RunningEmulator, "apiUrl" | "authUrl">,
  app: { clientId: string; clientSecret: string; environmentId: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    "pingone:apiUrl": emulator.apiUrl,
    "pingone:authUrl": emulator.authUrl,
    "pingone:clientId": app.clientId,
    "pingone:clientSecret": app.clientSecret,
    "pingone:environmentId": app.environmentId,
    ...extra,
  };
}

/** PINGONE_* variables that reach `emulator` with the given worker application. */
export function emulatorEnv(
  emulator: Pick<RunningEmulator, "apiUrl" | "authUrl">,
  app: { clientId: string; clientSecret: string; environmentId: string },
): Record<string, string> {
  return {
    PINGONE_API_URL: emulator.apiUrl,
    PINGONE_AUTH_URL: emulator.authUrl,
    PINGONE_CLIENT_ID: app.clientId,
    PINGONE_CLIENT_SECRET: app.clientSecret,
    PINGONE_ENVIRONMENT_ID: app.environmentId,
  };
}

/** Starts an emulator and seeds it; `sessions` sessions for the one user. */
export async function startWorld(options: EmulatorOptions = {}, sessions = 3): Promise<World> {
  const emulator = await startEmulator(options);
  const environmentId = emulator.state.addEnvironment();
  const userId = emulator.state.addUser(environmentId);
  const sessionIds: string[] = [];
  for (let i = 0; i < sessions; i++)
    sessionIds.push(
      emulator.state.addSession(environmentId, userId, { createdAt: new Date(Date.now() - (sessions - i) * 60_000) })
        .id,
    );
  const { clientId } = emulator.state.addApplication({
    environmentId,
    clientSecret: SENTINEL_SECRET,
    roles: [{ role: "Identity Data Administrator", environmentId }],
  });
  const connection: ConnectionOptions = {
    apiUrl: emulator.apiUrl,
    authUrl: emulator.authUrl,
    clientId,
    clientSecret: SENTINEL_SECRET,
    environmentId,
  };
  const app = { clientId, clientSecret: SENTINEL_SECRET, environmentId };
  const made: PingOneClient[] = [];
  const hosts: ProviderHost[] = [];
  return {
    emulator,
    environmentId,
    userId,
    sessionIds,
    clientId,
    connection,
    env: emulatorEnv(emulator, app),
    async startHost(extraConfig = {}) {
      const host = await ProviderHost.start({ config: stackConfig(emulator, app, extraConfig) });
      hosts.push(host);
      return host;
    },
    client(overrides = {}, options = {}) {
      const clock = options.clock ?? new FakeClock();
      const client = PingOneClient.fromSettings({ explicit: { ...connection, ...overrides } }, { ...options, clock });
      made.push(client);
      return { client, clock };
    },
    apiRequests: () => emulator.requests().filter((r) => r.path.startsWith("/v1/")),
    tokenRequests: () => emulator.requests().filter((r) => r.path.endsWith("/as/token")),
    async stop() {
      for (const c of made) c.close();
      await Promise.all(hosts.map((h) => h.stop()));
      await emulator.stop();
    },
  };
}
