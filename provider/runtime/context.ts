/**
 * Process-wide state of a dynamic-provider host: the stack config handed to
 * `configure`, and one pipeline per licence (API URL, auth URL, credentials),
 * shared by every resource the process serves: one token, one keep-alive
 * pool, one pacer and its Retry-After pause, however the resources' retry
 * settings differ. Each distinct set of settings gets a thin client of its
 * own over that pipeline, carrying its retry policy to each operation.
 */
import { createHash } from "node:crypto";
import { PingOneClient } from "../client/client";
import { OperationPipeline } from "../client/pipeline";
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
import { settingNaming, useSettingNaming } from "./naming";

/** The subset of Pulumi's dynamic `Config` the provider reads. */
export interface ConfigReader {
  get(key: string): string | undefined;
}

// One object, not module-level `let`s: state must be shared, whatever copies the serializer makes.
const state: {
  config?: Map<string, string>;
  pipelines: Map<string, OperationPipeline>;
  clients: Map<string, PingOneClient>;
  watching?: boolean;
} = { pipelines: new Map(), clients: new Map() };

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
      process.stderr.write(
        `pulumi-pingone-sessions: stopping this provider process: ${reason}, so no engine is left to record what it does.\n`,
      );
      process.exit(1);
    });
  }
  const values = new Map<string, string>();
  for (const source of SETTING_SOURCES) {
    const value = config?.get(source.configKey);
    if (typeof value === "string" && value !== "") values.set(source.configKey, value);
  }
  state.config = values;
  useSettingNaming(naming);
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
    SETTING_SOURCES.some(
      (s) =>
        (ROUTING_FIELDS as readonly string[]).includes(s.field) &&
        (isSet(configValue(s.configKey)) || isSet(env[s.envVar])),
    ) ||
    isSet(env[API_HOSTNAME_ENV]) ||
    isSet(env[AUTH_HOSTNAME_ENV]);
  return sharedClient({ explicit: routedNow ? undefined : routing, config: configValue, env });
}

/**
 * The client for `input`: one per distinct set of settings, each over the one
 * pipeline of its licence. The pipeline's pacer takes `maxConcurrency` from
 * the first settings that reached it: the licence's rate is one, whichever
 * resource asks.
 */
function sharedClient(input: SettingsInput): PingOneClient {
  const resolved = resolveConnection({ ...input, naming: input.naming ?? settingNaming() });
  const key = digest([licenceParts(resolved), resolved.retry, resolved.maxConcurrency]);
  let client = state.clients.get(key);
  if (!client) {
    const licence = digest(licenceParts(resolved));
    let pipeline = state.pipelines.get(licence);
    if (!pipeline) state.pipelines.set(licence, (pipeline = new OperationPipeline(resolved)));
    client = new PingOneClient(resolved, { pipeline });
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

/** What makes a licence: where requests go and whose credentials they carry (secrets included, so only ever digested). */
function licenceParts(resolved: ResolvedConnection): unknown[] {
  const credentials =
    resolved.credentials.kind === "access-token"
      ? ["token", resolved.credentials.accessToken.reveal()]
      : [
          "client",
          resolved.credentials.clientId,
          resolved.credentials.clientSecret.reveal(),
          resolved.credentials.environmentId,
          resolved.credentials.tokenAuthMethod,
        ];
  return [resolved.apiUrl, resolved.authUrl, credentials];
}

/** A SHA-256 digest of `parts`, so a map key never holds a secret in plain text. */
function digest(parts: unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}
