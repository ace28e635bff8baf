// Public entry of the PingOne emulator: start one, get back its URLs and controls.

import { MAX_USER_PAGE_SIZE } from "./api";
import { checkUserPageSize, EmulatorServer } from "./server";
import { seedDemo } from "./seed";
import type { EmulatorOptions, ResolvedEmulatorOptions, RunningEmulator } from "./types";

export type {
  ChaosKind,
  ChaosOptions,
  EmulatorOptions,
  FaultSpec,
  RateLimit,
  RequestLogEntry,
  ResolvedEmulatorOptions,
  RunningEmulator,
} from "./types";
export {
  EmulatorState,
  EmulatorStateError,
  MAX_SESSIONS_PER_USER,
  MAX_LOCATIONS,
  isUuid,
  type AccessDecision,
  type Actor,
  type ApplicationSpec,
  type EmulatorStateOptions,
  type IdentityDataAdminGrant,
  type LocationSpec,
  type PopulationView,
  type Reach,
  type ReadDecision,
  type RoleAssignment,
  type RoleAssignmentSpec,
  type RoleAssignmentView,
  type RoleView,
  type Session,
  type SessionLocation,
  type SessionSpec,
  type TokenAuthMethod,
  type UserSpec,
  type UserView,
} from "./state";
export { BUILT_IN_ROLES, IDENTITY_DATA_ADMIN, SCOPE_TYPES, type Permission, type Role, type ScopeType } from "./roles";
export { DEMO, seedDemo, type DemoSeed } from "./seed";
export { seedTenant, type TenantSeed, type TenantSeedOptions } from "./bulk";
export { mulberry32, DEFAULT_PER_SOURCE_IP_SHARE, DEFAULT_ALLOWED_SOURCE_IPS } from "./faults";
export { MAX_USER_PAGE_SIZE, DEFAULT_USER_LIMIT } from "./api";
export { EmulatorUsageError } from "./usage";
export type { P1Error, P1ErrorDetail, OAuthError, QuotaState } from "./errors";

/** Every default, in one place. */
export const DEFAULT_OPTIONS = {
  port: 0,
  latencyMs: 0,
  rateLimit: undefined,
  tokenLifetimeSeconds: 3600,
  listPageSize: undefined,
  userPageSize: MAX_USER_PAGE_SIZE,
  chaos: undefined,
  seed: undefined,
  requestLogLimit: 100_000,
} satisfies ResolvedEmulatorOptions;

/** Applies `DEFAULT_OPTIONS`. Throws RangeError naming the first option out of range. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedEmulatorOptions {
  const resolved: ResolvedEmulatorOptions = {
    port: options.port ?? DEFAULT_OPTIONS.port,
    latencyMs: options.latencyMs ?? DEFAULT_OPTIONS.latencyMs,
    rateLimit: options.rateLimit ?? DEFAULT_OPTIONS.rateLimit,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? DEFAULT_OPTIONS.tokenLifetimeSeconds,
    listPageSize: options.listPageSize ?? DEFAULT_OPTIONS.listPageSize,
    userPageSize: options.userPageSize ?? DEFAULT_OPTIONS.userPageSize,
    chaos: options.chaos ?? DEFAULT_OPTIONS.chaos,
    seed: options.seed ?? DEFAULT_OPTIONS.seed,
    requestLogLimit: options.requestLogLimit ?? DEFAULT_OPTIONS.requestLogLimit,
  };
  if (!(Number.isInteger(resolved.port) && resolved.port >= 0 && resolved.port <= 65535))
    throw new RangeError(`port must be an integer 0..65535, got ${options.port}`);
  if (!(resolved.latencyMs >= 0 && Number.isFinite(resolved.latencyMs)))
    throw new RangeError(`latencyMs must be a non-negative number, got ${options.latencyMs}`);
  if (!(resolved.tokenLifetimeSeconds >= 0 && Number.isFinite(resolved.tokenLifetimeSeconds))) {
    throw new RangeError(`tokenLifetimeSeconds must be a non-negative number, got ${options.tokenLifetimeSeconds}`);
  }
  if (resolved.listPageSize !== undefined && !(Number.isInteger(resolved.listPageSize) && resolved.listPageSize >= 1)) {
    throw new RangeError(`listPageSize must be a positive integer, got ${options.listPageSize}`);
  }
  checkUserPageSize(resolved.userPageSize);
  if (!(Number.isInteger(resolved.requestLogLimit) && resolved.requestLogLimit >= 1)) {
    throw new RangeError(`requestLogLimit must be a positive integer, got ${options.requestLogLimit}`);
  }
  if (resolved.seed !== undefined && resolved.seed !== "demo")
    throw new RangeError(`seed must be "demo", got ${JSON.stringify(options.seed)}`);
  return resolved;
}

/**
 * Starts a PingOne emulator on 127.0.0.1 (emulator/README.md says what it models and each choice).
 * Rejects with RangeError on an invalid option, or with the listen error (e.g. EADDRINUSE) if the
 * port cannot be bound. Call `stop()` when done; a running emulator keeps the process alive.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const server = await EmulatorServer.start(resolveOptions(options));
  try {
    if (options.seed === "demo") seedDemo(server.state);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    url: server.url,
    apiUrl: server.apiUrl,
    authUrl: server.authUrl,
    state: server.state,
    setLatency: (ms) => server.setLatency(ms),
    setRateLimit: (limit) => server.setRateLimit(limit),
    setUserPageSize: (size) => server.setUserPageSize(size),
    setChaos: (chaos) => server.setChaos(chaos),
    injectFault: (fault) => server.injectFault(fault),
    clearFaults: () => server.clearFaults(),
    requests: () => server.requests(),
    clearRequests: () => server.clearRequests(),
    stop: () => server.stop(),
  };
}
