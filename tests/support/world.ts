/**
 * A seeded emulator tenant for tests: one environment, a worker application
 * with Identity Data Administrator at environment level, a user with
 * sessions, and a fake clock that makes retry waits instant and recorded.
 */
import { startEmulator, RunningEmulator, EmulatorOptions } from "../../emulator";
import { PingOneClient, PingOneClientOptions } from "../../provider/client/client";
import { ConnectionOptions } from "../../provider/client/settings";
import { Clock } from "../../provider/client/retry";

/** A client secret that must never appear outside the token request. */
export const SENTINEL_SECRET = "sentinel-client-secret-7c3e9b21d4";

/** A clock whose `sleep` only advances virtual time and records the wait. */
export class FakeClock implements Clock {
  /** Every wait requested, in milliseconds, in order. */
  readonly slept: number[] = [];
  private offset = 0;
  constructor(private readonly randomValue = 0.5) {}
  now(): number {
    return Date.now() + this.offset;
  }
  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.offset += ms;
  }
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
  /** A client with a fresh fake clock. */
  client(overrides?: ConnectionOptions, options?: PingOneClientOptions): { client: PingOneClient; clock: FakeClock };
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

/** Starts an emulator and seeds it; `sessions` sessions for the one user. */
export async function startWorld(options: EmulatorOptions = {}, sessions = 3): Promise<World> {
  const emulator = await startEmulator(options);
  const environmentId = emulator.state.addEnvironment();
  const userId = emulator.state.addUser(environmentId);
  const sessionIds: string[] = [];
  for (let i = 0; i < sessions; i++) sessionIds.push(emulator.state.addSession(environmentId, userId, { createdAt: new Date(Date.now() - (sessions - i) * 60_000) }).id);
  const { clientId } = emulator.state.addApplication({
    environmentId,
    clientSecret: SENTINEL_SECRET,
    roles: [{ role: "Identity Data Administrator", environmentId }],
  });
  const connection: ConnectionOptions = { apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, clientId, clientSecret: SENTINEL_SECRET, environmentId };
  const made: PingOneClient[] = [];
  return {
    emulator,
    environmentId,
    userId,
    sessionIds,
    clientId,
    connection,
    client(overrides = {}, options = {}) {
      const clock = new FakeClock();
      const client = PingOneClient.fromSettings({ explicit: { ...connection, ...overrides } }, { clock, ...options });
      made.push(client);
      return { client, clock };
    },
    apiRequests: () => emulator.requests().filter((r) => r.path.startsWith("/v1/")),
    tokenRequests: () => emulator.requests().filter((r) => r.path.endsWith("/as/token")),
    async stop() {
      for (const c of made) c.close();
      await emulator.stop();
    },
  };
}
