/**
 * Connection settings: what users pass, where each setting may come from, and
 * the resolved form the client works with. The names are the ones users of
 * Ping's Terraform provider already know (`PINGONE_CLIENT_ID`, ...).
 *
 * Precedence, per setting: explicit options (a resource's `connection`, CLI
 * flags), then stack config (`pingone:*`), then the process environment.
 */
import { DEFAULT_REGION, isRegionCode, regionApiUrl, regionAuthUrl, REGION_TLDS, RegionCode } from "./regions";
import { DEFAULT_RETRY, ResolvedRetry } from "./retry";
import { Secret } from "./secret";
import { isPingOneId } from "./ids";
import { quote, redactUrl } from "./text";
import { PingOneSessionsError } from "./errors";
import { isLoopbackHost } from "./transport";

/**
 * How messages name a setting for the person reading them: the provider says
 * `pingone:maxAttempts / PINGONE_MAX_ATTEMPTS`, the CLI `--max-attempts /
 * PINGONE_MAX_ATTEMPTS`, since that is what each user typed.
 */
export type SettingName = (field: keyof ConnectionOptions) => string;

/** How the worker application authenticates at the token endpoint. */
export type TokenAuthMethod = "client_secret_basic" | "client_secret_post";

/** Connection settings a user may pass; every field is optional and falls back to stack config, then the environment. */
export interface ConnectionOptions {
  /** The worker application's client id. */
  clientId?: string;
  /** The worker application's client secret. Treated as a secret everywhere. */
  clientSecret?: string;
  /** The environment of the worker application, where tokens are issued (may differ from the sessions' environment). */
  environmentId?: string;
  /** `NA` (default), `EU`, `CA`, `AP`, `AU` or `SG`. */
  regionCode?: string;
  /** A ready bearer token, instead of client credentials. Treated as a secret everywhere. */
  apiAccessToken?: string;
  /** Management API base; default `https://api.pingone.{tld}/v1`. `/v1` is added when missing. */
  apiUrl?: string;
  /** Authorization service base; default `https://auth.pingone.{tld}`. */
  authUrl?: string;
  /** `client_secret_basic` (default) or `client_secret_post`. */
  tokenAuthMethod?: string;
  /** Attempts per HTTP operation (default 10). */
  maxAttempts?: number | string;
  /** Deadline of one operation, in seconds (default 600). */
  operationTimeoutSeconds?: number | string;
  /** Deadline of one HTTP attempt, in seconds (default 30). */
  requestTimeoutSeconds?: number | string;
  /** First backoff step in seconds; retry n waits a random time below `base * 2^n` (default 1). */
  retryBaseDelaySeconds?: number | string;
  /** Ceiling of one backoff wait, in seconds (default 30). */
  retryMaxDelaySeconds?: number | string;
  /** Ceiling of a server's Retry-After, in seconds (default 30). */
  maxRetryAfterSeconds?: number | string;
  /**
   * Most requests in flight at once for the licence (default 32): the pacer is the pipeline's, shared by every
   * client of the licence (the first settings to reach it set it); adaptive pacing stays at or below it.
   */
  maxConcurrency?: number | string;
}

/** Where one setting may come from. */
interface SettingSource {
  /** The field of `ConnectionOptions`. */
  field: keyof ConnectionOptions;
  /** Its stack config key. */
  configKey: string;
  /** Its environment variable. */
  envVar: string;
  /** True for credentials: never printed, never stored in state. */
  secret: boolean;
}

/** Every setting, its stack config key and its environment variable: the single table the resolver, the docs and the errors use. */
export const SETTING_SOURCES: readonly SettingSource[] = [
  { field: "clientId", configKey: "pingone:clientId", envVar: "PINGONE_CLIENT_ID", secret: false },
  { field: "clientSecret", configKey: "pingone:clientSecret", envVar: "PINGONE_CLIENT_SECRET", secret: true },
  { field: "environmentId", configKey: "pingone:environmentId", envVar: "PINGONE_ENVIRONMENT_ID", secret: false },
  { field: "regionCode", configKey: "pingone:regionCode", envVar: "PINGONE_REGION_CODE", secret: false },
  { field: "apiAccessToken", configKey: "pingone:apiAccessToken", envVar: "PINGONE_API_ACCESS_TOKEN", secret: true },
  { field: "apiUrl", configKey: "pingone:apiUrl", envVar: "PINGONE_API_URL", secret: false },
  { field: "authUrl", configKey: "pingone:authUrl", envVar: "PINGONE_AUTH_URL", secret: false },
  {
    field: "tokenAuthMethod",
    configKey: "pingone:tokenAuthMethod",
    envVar: "PINGONE_TOKEN_AUTH_METHOD",
    secret: false,
  },
  { field: "maxAttempts", configKey: "pingone:maxAttempts", envVar: "PINGONE_MAX_ATTEMPTS", secret: false },
  {
    field: "operationTimeoutSeconds",
    configKey: "pingone:operationTimeoutSeconds",
    envVar: "PINGONE_OPERATION_TIMEOUT_SECONDS",
    secret: false,
  },
  {
    field: "requestTimeoutSeconds",
    configKey: "pingone:requestTimeoutSeconds",
    envVar: "PINGONE_REQUEST_TIMEOUT_SECONDS",
    secret: false,
  },
  {
    field: "retryBaseDelaySeconds",
    configKey: "pingone:retryBaseDelaySeconds",
    envVar: "PINGONE_RETRY_BASE_DELAY_SECONDS",
    secret: false,
  },
  {
    field: "retryMaxDelaySeconds",
    configKey: "pingone:retryMaxDelaySeconds",
    envVar: "PINGONE_RETRY_MAX_DELAY_SECONDS",
    secret: false,
  },
  {
    field: "maxRetryAfterSeconds",
    configKey: "pingone:maxRetryAfterSeconds",
    envVar: "PINGONE_MAX_RETRY_AFTER_SECONDS",
    secret: false,
  },
  { field: "maxConcurrency", configKey: "pingone:maxConcurrency", envVar: "PINGONE_MAX_CONCURRENCY", secret: false },
];

/** Ping's Terraform provider takes bare hostnames; honoured when no URL is set. */
export const API_HOSTNAME_ENV = "PINGONE_API_SERVICE_HOSTNAME";
/** The auth service's bare hostname, Terraform style; honoured when no auth URL is set. */
export const AUTH_HOSTNAME_ENV = "PINGONE_AUTH_SERVICE_HOSTNAME";

/** How the client proves who it is. */
type ResolvedCredentials =
  | {
      /** A worker application's client credentials, exchanged for a token. */
      kind: "client-credentials";
      /** The worker application's client id. */
      clientId: string;
      /** Its secret, revealed only to the token request. */
      clientSecret: Secret;
      /** The worker application's environment (token issuer). */
      environmentId: string;
      /** How the secret is presented at the token endpoint. */
      tokenAuthMethod: TokenAuthMethod;
    }
  | {
      /** A ready bearer token: used as is, never refreshed. */
      kind: "access-token";
      /** The token, revealed only to the Authorization header. */
      accessToken: Secret;
    };

/** Settings with every default applied and every value checked. Holds secrets as `Secret`. */
export interface ResolvedConnection {
  /** The region, which also gave the default URLs. */
  regionCode: RegionCode;
  /** API base ending in `/v1`, no trailing slash. */
  apiUrl: string;
  /** Auth base, no trailing slash. */
  authUrl: string;
  /** Exactly one kind of credentials. */
  credentials: ResolvedCredentials;
  /** Retry timing, with defaults applied. */
  retry: ResolvedRetry;
  /** Most requests in flight at once, for the pacer of the pipeline this connection creates. */
  maxConcurrency: number;
  /** How messages about this connection name a setting. */
  settingName: SettingName;
}

/** Default most requests in flight at once. */
const DEFAULT_MAX_CONCURRENCY = 32;

/** A setting is missing or malformed (code `CONFIG`). The message names the config key and the environment variable to set. */
export class PingOneConfigError extends PingOneSessionsError {
  /** Always `PingOneConfigError`. */
  override readonly name = "PingOneConfigError";
  /** Always `CONFIG`. */
  readonly code = "CONFIG";

  /** `missingCredentials` lists the credential settings that were set nowhere, when that is the problem. */
  constructor(
    message: string,
    readonly missingCredentials: (keyof ConnectionOptions)[] = [],
  ) {
    super(message);
  }
}

/** Where settings are looked up. */
export interface SettingsInput {
  /** Highest precedence: a resource's `connection`, CLI flags. */
  explicit?: ConnectionOptions;
  /** Stack config by namespaced key (`pingone:clientId`); absent in the CLI. */
  config?: (key: string) => string | undefined;
  /** Lowest precedence; defaults to nothing (pass `process.env` explicitly). */
  env?: Record<string, string | undefined>;
  /** How messages name settings; default `stackConfigName` (`pingone:x / PINGONE_X`). */
  naming?: SettingName;
}

/**
 * Merges the three sources and checks the result: a region code from the
 * list, https URLs (http only for loopback hosts), positive numbers, and
 * exactly one kind of credentials. Throws `PingOneConfigError` naming the
 * config key and environment variable of whatever is wrong. Makes no request.
 */
export function resolveConnection(input: SettingsInput): ResolvedConnection {
  const env = input.env ?? {};
  const raw = pickSettings(input);
  const describe = input.naming ?? stackConfigName;

  const regionText = (raw.regionCode ?? DEFAULT_REGION).trim().toUpperCase();
  if (!isRegionCode(regionText)) {
    throw new PingOneConfigError(
      `Unknown PingOne region ${quote(raw.regionCode ?? "")} (${describe("regionCode")}): use one of ${Object.keys(REGION_TLDS).join(", ")}.`,
    );
  }
  const regionCode = regionText;

  const apiHost = env[API_HOSTNAME_ENV]?.trim();
  const authHost = env[AUTH_HOSTNAME_ENV]?.trim();
  const apiUrl = withV1(
    checkUrl(
      raw.apiUrl ?? (apiHost ? `https://${apiHost}` : regionApiUrl(regionCode)),
      raw.apiUrl ? "apiUrl" : API_HOSTNAME_ENV,
      describe,
    ),
  );
  const authUrl = checkUrl(
    raw.authUrl ?? (authHost ? `https://${authHost}` : regionAuthUrl(regionCode)),
    raw.authUrl ? "authUrl" : AUTH_HOSTNAME_ENV,
    describe,
  );

  const number = (field: keyof typeof NUMBER_LIMITS, fallback: number) =>
    boundedNumber(raw[field], field, fallback, describe);
  const retry: ResolvedRetry = {
    maxAttempts: number("maxAttempts", DEFAULT_RETRY.maxAttempts),
    operationTimeoutMs: number("operationTimeoutSeconds", DEFAULT_RETRY.operationTimeoutMs / 1000) * 1000,
    requestTimeoutMs: number("requestTimeoutSeconds", DEFAULT_RETRY.requestTimeoutMs / 1000) * 1000,
    baseDelayMs: number("retryBaseDelaySeconds", DEFAULT_RETRY.baseDelayMs / 1000) * 1000,
    maxDelayMs: number("retryMaxDelaySeconds", DEFAULT_RETRY.maxDelayMs / 1000) * 1000,
    maxRetryAfterMs: number("maxRetryAfterSeconds", DEFAULT_RETRY.maxRetryAfterMs / 1000) * 1000,
  };
  const maxConcurrency = number("maxConcurrency", DEFAULT_MAX_CONCURRENCY);

  return {
    regionCode,
    apiUrl,
    authUrl,
    credentials: resolveCredentials(raw, describe),
    retry,
    maxConcurrency,
    settingName: describe,
  };
}

/**
 * Checks the fields present in `options` without looking anywhere else and
 * without requiring credentials: what `check` can say during preview. Each
 * problem names its field; an empty list means nothing is wrong. `naming` is
 * how the reasons name a setting (`pingone:x / PINGONE_X` unless the caller,
 * such as the provider plugin, has its own configuration keys).
 */
export function validateConnectionOptions(
  options: ConnectionOptions | undefined,
  naming: SettingName = stackConfigName,
): { field: keyof ConnectionOptions; reason: string }[] {
  const problems: { field: keyof ConnectionOptions; reason: string }[] = [];
  if (!options) return problems;
  const given = (field: keyof ConnectionOptions) => settingText(options[field]);
  const shaped: (keyof ConnectionOptions)[] = [
    "regionCode",
    "apiUrl",
    "authUrl",
    "maxAttempts",
    "operationTimeoutSeconds",
    "requestTimeoutSeconds",
    "retryBaseDelaySeconds",
    "retryMaxDelaySeconds",
    "maxRetryAfterSeconds",
    "maxConcurrency",
  ];
  for (const field of shaped) {
    if (given(field) === undefined) continue;
    try {
      // Resolve this one field beside a placeholder credential, so each failure is reported on its own field.
      resolveConnection({ explicit: { apiAccessToken: "placeholder", [field]: options[field] }, naming });
    } catch (error) {
      if (!(error instanceof PingOneConfigError)) throw error;
      problems.push({ field, reason: error.message });
    }
  }
  const environmentId = given("environmentId");
  if (environmentId !== undefined && !isPingOneId(environmentId)) {
    problems.push({
      field: "environmentId",
      reason: `${naming("environmentId")} must be the worker application's environment id (a UUID); got ${quote(environmentId)}.`,
    });
  }
  const method = given("tokenAuthMethod");
  if (method !== undefined && method !== "client_secret_basic" && method !== "client_secret_post") {
    problems.push({
      field: "tokenAuthMethod",
      reason: `${naming("tokenAuthMethod")} must be client_secret_basic or client_secret_post; got ${quote(method)}.`,
    });
  }
  if (
    given("apiAccessToken") !== undefined &&
    (given("clientId") !== undefined || given("clientSecret") !== undefined)
  ) {
    problems.push({
      field: "apiAccessToken",
      reason: "Both an access token and client credentials are set in connection: set only one of them.",
    });
  }
  return problems;
}

/** The setting's stack config key and environment variable (`pingone:x / PINGONE_X`): how the provider's messages name it. */
function stackConfigName(field: keyof ConnectionOptions): string {
  const source = SETTING_SOURCES.find((s) => s.field === field);
  return source ? `${source.configKey} / ${source.envVar}` : field;
}

function pickSettings(input: SettingsInput): Record<keyof ConnectionOptions, string | undefined> {
  const sources = settingSources(input);
  const picked = {} as Record<keyof ConnectionOptions, string | undefined>;
  for (const source of SETTING_SOURCES) {
    picked[source.field] = sources.map((values) => values[source.field]).find((value) => value !== undefined);
  }
  // Credentials come as a kind, not field by field: a token on a resource must not
  // collide with client credentials in stack config. The first source naming any
  // credential decides the kind; the other kind's fields from lower sources are ignored.
  const decider = sources.find((values) => CREDENTIAL_FIELDS.some((field) => values[field] !== undefined));
  if (decider && decider.apiAccessToken === undefined) picked.apiAccessToken = undefined;
  if (
    decider &&
    decider.apiAccessToken !== undefined &&
    decider.clientId === undefined &&
    decider.clientSecret === undefined
  ) {
    picked.clientId = undefined;
    picked.clientSecret = undefined;
  }
  return picked;
}

const CREDENTIAL_FIELDS = ["apiAccessToken", "clientId", "clientSecret"] as const;

/** Each source's present values, highest precedence first. */
function settingSources(input: SettingsInput): Partial<Record<keyof ConnectionOptions, string>>[] {
  const read = (lookup: (source: SettingSource) => string | number | undefined) =>
    Object.fromEntries(
      SETTING_SOURCES.map((source) => [source.field, settingText(lookup(source))]).filter(
        ([, value]) => value !== undefined,
      ),
    );
  return [
    read((s) => input.explicit?.[s.field]),
    read((s) => input.config?.(s.configKey)),
    read((s) => input.env?.[s.envVar]),
  ];
}

/** Empty strings count as unset, so `PINGONE_CLIENT_SECRET=` does not shadow stack config. */
function settingText(value: string | number | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  return text === "" ? undefined : text;
}

function resolveCredentials(
  raw: Record<keyof ConnectionOptions, string | undefined>,
  describe: SettingName,
): ResolvedCredentials {
  const hasClientCredentials = raw.clientId !== undefined || raw.clientSecret !== undefined;
  if (raw.apiAccessToken !== undefined) {
    if (hasClientCredentials) {
      throw new PingOneConfigError(
        `Both an access token (${describe("apiAccessToken")}) and client credentials (${describe("clientId")}, ${describe("clientSecret")}) are set: set only one of them.`,
      );
    }
    return { kind: "access-token", accessToken: new Secret(raw.apiAccessToken) };
  }
  const missing = (["clientId", "clientSecret", "environmentId"] as const).filter((f) => raw[f] === undefined);
  if (missing.length > 0) {
    throw new PingOneConfigError(
      `PingOne credentials are missing: set ${missing.map(describe).join(", ")} ` +
        `(a worker application's client credentials and its environment), or set an access token with ${describe("apiAccessToken")}.`,
      missing,
    );
  }
  if (!isPingOneId(raw.environmentId)) {
    throw new PingOneConfigError(
      `${describe("environmentId")} must be the worker application's environment id (a UUID); got ${quote(raw.environmentId!)}.`,
    );
  }
  const method = raw.tokenAuthMethod ?? "client_secret_basic";
  if (method !== "client_secret_basic" && method !== "client_secret_post") {
    throw new PingOneConfigError(
      `${describe("tokenAuthMethod")} must be client_secret_basic or client_secret_post; got ${quote(method)}.`,
    );
  }
  return {
    kind: "client-credentials",
    clientId: raw.clientId!,
    clientSecret: new Secret(raw.clientSecret!),
    environmentId: raw.environmentId!,
    tokenAuthMethod: method,
  };
}

function checkUrl(
  value: string,
  field: "apiUrl" | "authUrl" | typeof API_HOSTNAME_ENV | typeof AUTH_HOSTNAME_ENV,
  describe: SettingName,
): string {
  const name = field === "apiUrl" || field === "authUrl" ? describe(field) : field;
  // A URL may carry a password: it is never repeated, in any message.
  const shown = quote(redactUrl(value));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PingOneConfigError(`${name} is not a valid URL: ${shown}.`);
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new PingOneConfigError(
      `${name} ${shown} uses http://: https:// is required (plain http is allowed only for loopback hosts such as 127.0.0.1, where the emulator runs).`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new PingOneConfigError(`${name} ${shown} must be an https:// URL.`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new PingOneConfigError(`${name} ${shown} must be a plain base URL, without credentials, query or fragment.`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

/** PingOne documents `{apiPath}` both with and without `/v1`; accept both, never produce `/v1/v1`. */
function withV1(base: string): string {
  return base.endsWith("/v1") ? base : `${base}/v1`;
}

/**
 * The range each numeric setting must fall in. The maxima keep every value
 * workable: Node fires a timer longer than 2^31-1 ms (about 24.8 days) at
 * once, and a fractional concurrency below 1 would never send anything.
 */
const NUMBER_LIMITS = {
  maxAttempts: { min: 1, max: 100, integer: true },
  operationTimeoutSeconds: { min: 0.001, max: 86_400, integer: false },
  requestTimeoutSeconds: { min: 0.001, max: 3_600, integer: false },
  retryBaseDelaySeconds: { min: 0.001, max: 3_600, integer: false },
  retryMaxDelaySeconds: { min: 0.001, max: 3_600, integer: false },
  maxRetryAfterSeconds: { min: 0, max: 86_400, integer: false },
  maxConcurrency: { min: 1, max: 1_024, integer: true },
} as const satisfies Partial<Record<keyof ConnectionOptions, { min: number; max: number; integer: boolean }>>;

function boundedNumber(
  value: string | undefined,
  field: keyof typeof NUMBER_LIMITS,
  fallback: number,
  describe: SettingName,
): number {
  if (value === undefined) return fallback;
  const limits = NUMBER_LIMITS[field];
  const parsed = /^[+]?(\d+(\.\d*)?|\.\d+)$/.test(value) ? Number(value) : NaN;
  const kind = limits.integer ? "a whole number" : "a number";
  if (
    !Number.isFinite(parsed) ||
    (limits.integer && !Number.isInteger(parsed)) ||
    parsed < limits.min ||
    parsed > limits.max
  ) {
    throw new PingOneConfigError(
      `${describe(field)} must be ${kind} from ${limits.min} to ${limits.max}; got ${quote(value)}.`,
    );
  }
  return parsed;
}
