/**
 * Process-wide state of a dynamic-provider host: the stack config handed to
 * `configure`, and one client per distinct connection, shared by every
 * resource the process serves (one token, one keep-alive pool, one pacer).
 */
import { createHash } from "node:crypto";
import { PingOneClient } from "../client/client";
import {
  API_HOSTNAME_ENV,
  AUTH_HOSTNAME_ENV,
  ConnectionOptions,
  resolveConnection,
  ResolvedConnection,
  SettingName,
  SettingsInput,
  SETTING_SOURCES,
} from "../client/settings";
import { ROUTING_FIELDS, StoredRouting } from "./common";
import { watchEngine } from "./lifeline";

/** The subset of Pulumi's dynamic `Config` the provider reads. */
export interface ConfigReader {
  get(key: string): string | undefined;
}

// One object, not module-level `let`s: state must be shared, whatever copies the serializer makes.
const state: { config?: Map<string, string>; naming?: SettingName; clients: Map<string, PingOneClient>; watching?: boolean } = { clients: new Map() };

/**
 * Keeps the `pingone:*` stack config values for later calls. Called once per provider by the host.
 * From then on the process exits when the engine that started it does (see `watchEngine`): a
 * killed `pulumi up` leaves no host sweeping on behind it. `naming` is how messages name a setting
 * when the configuration comes under other names (the provider plugin's `pingone-sessions:*`).
 */
export function configure(config: ConfigReader | undefined, naming?: SettingName): void {
  if (!state.watching) {
    state.watching = true;
    watchEngine((reason) => {
      process.stderr.write(`pulumi-pingone-sessions: stopping this provider process: ${reason}, so no engine is left to record what it does.\n`);
      process.exit(1);
    });
  }
  const values = new Map<string, string>();
  for (const source of SETTING_SOURCES) {
    const value = config?.get(source.configKey);
    if (typeof value === "string" && value !== "") values.set(source.configKey, value);
  }
  state.config = values;
  state.naming = naming;
}

/**
 * The shared client for `connection` merged over stack config and the
 * environment: what create and update use. Throws `PingOneConfigError` when
 * settings are missing or wrong.
 */
export function clientFor(connection: ConnectionOptions | undefined): PingOneClient {
  return sharedClient({ explicit: connection, config: configValue, env: process.env });
}

/**
 * The shared client for refresh and destroy, which receive only stored
 * outputs. Precedence: stack config, then the environment, then the stored
 * routing, then the defaults. Credentials and tuning always come from stack
 * config and the environment as they are now (a rotated worker application
 * or a static token takes effect at once). The stored routing counts only
 * when neither stack config nor the environment sets any routing (region,
 * API or auth URL or hostname): routing is one choice, so a region set on
 * purpose in stack config is never mixed with a URL stored from an old run.
 */
export function clientForStored(routing: StoredRouting): PingOneClient {
  const env = process.env;
  const routedNow =
    SETTING_SOURCES.some((s) => (ROUTING_FIELDS as readonly string[]).includes(s.field) && (isSet(configValue(s.configKey)) || isSet(env[s.envVar]))) ||
    isSet(env[API_HOSTNAME_ENV]) ||
    isSet(env[AUTH_HOSTNAME_ENV]);
  return sharedClient({ explicit: routedNow ? undefined : routing, config: configValue, env });
}

function sharedClient(input: SettingsInput): PingOneClient {
  const resolved = resolveConnection({ ...input, naming: input.naming ?? state.naming });
  const key = cacheKey(resolved);
  let client = state.clients.get(key);
  if (!client) {
    client = new PingOneClient(resolved);
    state.clients.set(key, client);
  }
  return client;
}

function configValue(key: string): string | undefined {
  return state.config?.get(key);
}

/** Set as the resolver counts it: blank text is unset. */
function isSet(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== "";
}

/** A digest of the resolved settings, secrets included, so the map key never holds a secret in plain text. */
function cacheKey(resolved: ResolvedConnection): string {
  const credentials =
    resolved.credentials.kind === "access-token"
      ? ["token", resolved.credentials.accessToken.reveal()]
      : ["client", resolved.credentials.clientId, resolved.credentials.clientSecret.reveal(), resolved.credentials.environmentId, resolved.credentials.tokenAuthMethod];
  return createHash("sha256")
    .update(JSON.stringify([resolved.apiUrl, resolved.authUrl, resolved.retry, resolved.maxConcurrency, credentials]))
    .digest("hex");
}
