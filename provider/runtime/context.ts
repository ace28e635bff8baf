/**
 * Process-wide state of a dynamic-provider host: the stack config handed to
 * `configure`, and one client per distinct connection, shared by every
 * resource the process serves (one token, one keep-alive pool, one pacer).
 */
import { createHash } from "node:crypto";
import { PingOneClient } from "../client/client";
import { ConnectionOptions, resolveConnection, ResolvedConnection, SETTING_SOURCES } from "../client/settings";

/** The subset of Pulumi's dynamic `Config` the provider reads. */
export interface ConfigReader {
  get(key: string): string | undefined;
}

// One object, not module-level `let`s: state must be shared, whatever copies the serializer makes.
const state: { config?: Map<string, string>; clients: Map<string, PingOneClient> } = { clients: new Map() };

/** Keeps the `pingone:*` stack config values for later calls. Called once per provider by the host. */
export function configure(config: ConfigReader | undefined): void {
  const values = new Map<string, string>();
  for (const source of SETTING_SOURCES) {
    const value = config?.get(source.configKey);
    if (typeof value === "string" && value !== "") values.set(source.configKey, value);
  }
  state.config = values;
}

/**
 * The shared client for `connection` merged over stack config and the
 * environment. Throws `PingOneConfigError` when settings are missing or wrong.
 */
export function clientFor(connection: ConnectionOptions | undefined): PingOneClient {
  const resolved = resolveConnection({ explicit: connection, config: (key) => state.config?.get(key), env: process.env });
  const key = cacheKey(resolved);
  let client = state.clients.get(key);
  if (!client) {
    client = new PingOneClient(resolved);
    state.clients.set(key, client);
  }
  return client;
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
