/**
 * The provider plugin's configuration: the package name, its configuration keys, and how they
 * reach the runtime.
 *
 * The namespace is `pingone-sessions:`, not `pingone:`: `pingone:` belongs to Ping's own Pulumi
 * provider (and the dynamic resources of this package read it as stack config), and a program may
 * use both packages, whose schemas must not both declare `pingone:clientId`. Each key is the
 * runtime's own setting name (`SETTING_SOURCES`: `clientId`, `regionCode`, `maxAttempts`, ...),
 * and a key set nowhere falls back to the same `PINGONE_*` environment variable the dynamic
 * resources read.
 */
import { ConnectionOptions, SETTING_SOURCES, SettingName, validateConnectionOptions } from "../client/settings";
import { quote } from "../client/text";
import { ConfigReader } from "../runtime/context";
import { isUnknown as isUnknownValue } from "../runtime/common";

/** The Pulumi package name: resource tokens are `pingone-sessions:index:<Kind>`. */
export const PLUGIN_PACKAGE = "pingone-sessions";

/** The executable the engine looks for: `pulumi-resource-<package>`. */
export const PLUGIN_EXECUTABLE = `pulumi-resource-${PLUGIN_PACKAGE}`;

/** The configuration keys, one per setting of the runtime, and whether each is secret. */
export const CONFIG_KEYS: readonly { key: keyof ConnectionOptions; envVar: string; secret: boolean }[] =
  SETTING_SOURCES.map((source) => ({
    key: source.field,
    envVar: source.envVar,
    secret: source.secret,
  }));

/** How the plugin's messages name a setting: `pingone-sessions:clientId / PINGONE_CLIENT_ID`. */
export const pluginSettingName: SettingName = (field) => {
  const source = SETTING_SOURCES.find((s) => s.field === field);
  return source ? `${PLUGIN_PACKAGE}:${field} / ${source.envVar}` : field;
};

/** A provider configuration failure, on the key it concerns. */
export interface ConfigFailure {
  /** The configuration key (`clientSecret`). */
  property: string;
  /** Why it is refused. */
  reason: string;
}

/**
 * What is wrong with a provider configuration, without looking at the environment (CheckConfig,
 * which runs in preview too): unknown keys, and each setting checked on its own. Values not known
 * yet are left for the run that knows them.
 */
export function configFailures(config: Record<string, unknown>): ConfigFailure[] {
  const failures: ConfigFailure[] = [];
  const known: ConnectionOptions = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === "version") continue;
    const setting = CONFIG_KEYS.find((entry) => entry.key === key);
    if (!setting) {
      failures.push({
        property: key,
        reason: `${quote(`${PLUGIN_PACKAGE}:${key}`)} is not a configuration key of ${PLUGIN_PACKAGE}; the keys are ${CONFIG_KEYS.map((e) => e.key).join(", ")}.`,
      });
      continue;
    }
    if (value === undefined || value === null || isUnknownValue(value)) continue;
    if (typeof value !== "string" && typeof value !== "number") {
      failures.push({
        property: key,
        reason: `${pluginSettingName(setting.key)} must be a string or a number, not ${Array.isArray(value) ? "a list" : typeof value}.`,
      });
      continue;
    }
    (known as Record<string, string | number>)[key] = value;
  }
  for (const problem of validateConnectionOptions(known, pluginSettingName))
    failures.push({ property: problem.field, reason: problem.reason });
  return failures;
}

/**
 * The configuration handed over by Configure as the runtime reads it: `get("pingone:clientId")`
 * answers this provider's `clientId`. Prefers `args` (typed, and what an explicit provider
 * stored); falls back to `variables` (`pingone-sessions:config:clientId`) from older engines.
 */
export function configReader(args: Record<string, unknown> | undefined, variables: Map<string, string>): ConfigReader {
  const values = new Map<string, string>();
  for (const { key } of CONFIG_KEYS) {
    const fromArgs = args?.[key];
    const value =
      fromArgs !== undefined && fromArgs !== null ? fromArgs : variables.get(`${PLUGIN_PACKAGE}:config:${key}`);
    if ((typeof value === "string" || typeof value === "number") && !isUnknownValue(value))
      values.set(key, String(value));
  }
  return {
    get(configKey: string): string | undefined {
      const source = SETTING_SOURCES.find((s) => s.configKey === configKey);
      return source ? values.get(source.field) : undefined;
    },
  };
}
