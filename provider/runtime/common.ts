/**
 * What the lifecycle and the three kinds share: turning the property bags the
 * host hands over into typed values (one parser for every field kind), what
 * of a connection may be stored, and the rules of errors at the host's edge.
 * Only type imports of Pulumi: the runtime never loads @pulumi/pulumi.
 */
import type { dynamic } from "@pulumi/pulumi";
import { ConnectionOptions, PingOneConfigError, validateConnectionOptions } from "../client/settings";
import { SessionRef } from "../client/ids";
import { invalidDateTimeReason, invalidIdReason } from "../client/inputs";
import { PingOneApiError } from "../client/errors";
import { settingNaming } from "./naming";

/**
 * How the host passes a value that is not known yet (an output of a resource
 * still to be created) during preview: Pulumi's `rpc.unknownValue`, copied
 * here so the runtime does not load @pulumi/pulumi. `check` accepts it
 * wherever it stands. It happens to be a UUID, so an id field holding it
 * would pass the id check anyway; every other field must skip it explicitly.
 */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A property bag as the host hands it over, before it is parsed. */
export type PropertyBag = Record<string, unknown>;

/** A property bag parsed into `T`, with every reason it fails `check`. */
export interface Parsed<T> {
  /** The typed value; fields that failed hold what was given, as text. */
  value: T;
  /** One entry per refused property, named as the user wrote it (`connection.regionCode`). */
  failures: dynamic.CheckFailure[];
}

/** The id properties a resource may carry, in the order its resource id joins them. */
export type IdKey = keyof SessionRef;

/** `undefined` for what Pulumi and users write as "not set": absent, `null`, `""`. */
export function presentValue(value: unknown): unknown {
  return value === null || value === "" ? undefined : value;
}

/** True for the preview placeholder of a value not known yet. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN_VALUE;
}

/**
 * Reads the id properties `keys` from `bag`. Stored outputs written by a
 * failed or older run may lack them: then the resource `id` (the same ids
 * joined by `/`) supplies them.
 */
export function parseIds<K extends IdKey>(
  keys: readonly K[],
  bag: PropertyBag,
  id?: string,
): Parsed<Pick<SessionRef, K>> {
  const fromId = (id ?? "").split("/");
  const value = {} as Pick<SessionRef, K>;
  const failures: dynamic.CheckFailure[] = [];
  keys.forEach((key, index) => {
    const given = bag[key] ?? fromId[index];
    value[key] = String(given ?? "") as SessionRef[K];
    const reason = isUnknown(given) ? undefined : invalidIdReason(key, given);
    if (reason) failures.push({ property: key, reason });
  });
  return { value, failures };
}

/** Reads `createdBefore`: absent, or a date-time that `invalidDateTimeReason` accepts. */
export function parseCreatedBefore(bag: PropertyBag): Parsed<string | undefined> {
  const given = presentValue(bag.createdBefore);
  if (given === undefined) return { value: undefined, failures: [] };
  const reason = isUnknown(given) ? undefined : invalidDateTimeReason("createdBefore", given);
  return { value: String(given), failures: reason ? [{ property: "createdBefore", reason }] : [] };
}

/**
 * Reads `connection`: absent, or an object of connection settings, each
 * checked on its own without looking at stack config (what preview can
 * say). Fields not known yet are left out of the checks.
 */
export function parseConnection(bag: PropertyBag): Parsed<ConnectionOptions | undefined> {
  const given = bag.connection;
  if (given === undefined || given === null || isUnknown(given)) return { value: undefined, failures: [] };
  if (typeof given !== "object" || Array.isArray(given)) {
    return {
      value: undefined,
      failures: [{ property: "connection", reason: "connection must be an object of connection settings" }],
    };
  }
  const value = given as ConnectionOptions;
  const known = Object.fromEntries(Object.entries(value).filter(([, field]) => !isUnknown(field))) as ConnectionOptions;
  return {
    value,
    failures: validateConnectionOptions(known, settingNaming()).map((p) => ({
      property: `connection.${p.field}`,
      reason: p.reason,
    })),
  };
}

/**
 * The settings of a connection that route to a tenant, and so the only ones
 * stored in outputs: refresh and destroy receive nothing but the stored
 * outputs, and must reach the tenant the resource was created in. A
 * credential (client id and secret, the worker application's environment,
 * a token, the token authentication method, which belongs to the worker
 * application) is never stored; neither is tuning, which is the operator's
 * choice at the time of each run.
 */
export const ROUTING_FIELDS = ["regionCode", "apiUrl", "authUrl"] as const;

/** The routing part of a connection, as stored in the `connection` output. */
export type StoredRouting = Partial<Record<(typeof ROUTING_FIELDS)[number], string>>;

/**
 * The routing fields of `connection` that are set, as text. Anything else in
 * it, such as the credentials older versions stored, is dropped.
 */
export function routingOf(connection: unknown): StoredRouting {
  const routing: StoredRouting = {};
  if (!connection || typeof connection !== "object") return routing;
  for (const field of ROUTING_FIELDS) {
    const value = (connection as Record<string, unknown>)[field];
    if ((typeof value === "string" || typeof value === "number") && String(value).trim() !== "")
      routing[field] = String(value);
  }
  return routing;
}

/**
 * True when the stored `connection` output is not what the new inputs would
 * store: other routing, or fields an older version stored that are no longer
 * kept. A connection not known yet (preview) counts as a change. Either way
 * `diff` reports an update, so the stored value is rewritten.
 */
export function storedConnectionDiffers(stored: unknown, connection: unknown): boolean {
  if (
    isUnknown(connection) ||
    (connection && typeof connection === "object" && Object.values(connection).some(isUnknown))
  )
    return true;
  return deepCanonical(stored ?? {}) !== deepCanonical(routingOf(connection));
}

/** Now, as stored in `checkedAt`. */
export function nowIso(): string {
  return new Date().toISOString();
}

/**
 * The outputs a `read` records: what it saw, with `checkedAt` moved to now only when that differs
 * from what state holds. `checkedAt` is when the recorded state was last established (by create,
 * update, or the refresh that found it changed), not when PingOne was last asked. So a refresh of
 * an unchanged stack shows no change, and `pulumi refresh --expect-no-changes` is a drift check a
 * pipeline can gate on; a refresh that finds a session back shows `present` and `checkedAt`
 * changing together.
 */
export function observed<S extends object>(stored: { checkedAt?: unknown }, seen: S): S & { checkedAt: string } {
  const { checkedAt, ...before } = stored;
  const { checkedAt: _spread, ...after } = seen as { checkedAt?: unknown };
  const unchanged = typeof checkedAt === "string" && deepCanonical(before) === deepCanonical(after);
  return { ...seen, checkedAt: unchanged ? checkedAt : nowIso() };
}

/**
 * Refresh and destroy get only stored outputs, which never hold a credential:
 * when credentials are missing then, the error says where they must come from.
 */
export function withStoredConnection<T>(resolve: () => T): T {
  try {
    return resolve();
  } catch (error) {
    if (error instanceof PingOneConfigError && error.missingCredentials.length > 0) {
      throw new PingOneConfigError(
        `${error.message} Refresh and destroy read credentials from stack config or the environment as they are at that time: credentials given in a resource's connection are never stored in state.`,
        error.missingCredentials,
      );
    }
    throw error;
  }
}

/**
 * What a refresh or destroy adds to a refused credential (HTTP 401). Pulumi configures the
 * provider of a refresh or destroy with the stack config stored by the last `pulumi up`, not the
 * stack config as it is now (unless the program runs), so a worker application rotated since
 * then is not what these steps use.
 */
export const STORED_CONFIG_ADVICE =
  "Refresh and destroy use the provider configuration stored by the last pulumi up: " +
  "after rotating the worker application's credentials, run them with --run-program " +
  "(or run pulumi up first) so they use the stack config as it is now.";

/**
 * The read and delete of `provider`, so that a 401 they meet also says `STORED_CONFIG_ADVICE`
 * (added to its advice: the error stays a `PingOneApiError`, with its code, status and ids).
 * Nothing else changes: other errors pass through as they are.
 */
export function explainingStoredConfig<P extends Pick<dynamic.ResourceProvider, "read" | "delete">>(provider: P): P {
  const explained = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      if (PingOneApiError.isInstance(error) && error.status === 401)
        throw error.withAdvice(`${error.advice} ${STORED_CONFIG_ADVICE}`);
      throw error;
    }
  };
  const read = provider.read;
  const remove = provider.delete;
  return {
    ...provider,
    ...(read ? { read: (id: string, props?: never) => explained(() => read(id, props)) } : {}),
    ...(remove ? { delete: (id: string, props: never) => explained(() => remove(id, props)) } : {}),
  };
}

/** The same value whatever the order of keys at any depth, as text for comparison. */
function deepCanonical(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) =>
    field && typeof field === "object" && !Array.isArray(field)
      ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : field,
  );
}
