/**
 * Helpers shared by the resource implementations: reading inputs that
 * arrive as untyped property bags, and keeping secrets out of outputs.
 */
import { ConnectionOptions, PingOneConfigError, SETTING_SOURCES, validateConnectionOptions } from "../client/settings";
import { invalidIdReason } from "../client/ids";

/**
 * How the host passes a value that is not known yet (an output of a resource
 * still to be created) during preview: Pulumi's `rpc.unknownValue`, copied
 * here so the runtime does not load @pulumi/pulumi. `check` accepts it.
 */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A property bag as the dynamic-provider host hands it over. */
export type Props = Record<string, unknown>;

/** One `check` failure, in the host's shape. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** Failures for each named property that is not a PingOne id. */
export function idFailures(props: Props, names: string[]): CheckFailure[] {
  return names.flatMap((name) => {
    const reason = invalidIdReason(name, props[name]);
    return reason ? [{ property: name, reason }] : [];
  });
}

/** Failures for a malformed `connection`, each naming `connection.<field>`. */
export function connectionFailures(props: Props): CheckFailure[] {
  const connection = props.connection;
  if (connection === undefined || connection === null || connection === UNKNOWN_VALUE) return [];
  if (typeof connection !== "object") return [{ property: "connection", reason: "connection must be an object of connection settings" }];
  const known = Object.fromEntries(Object.entries(connection).filter(([, value]) => value !== UNKNOWN_VALUE)) as ConnectionOptions;
  return validateConnectionOptions(known).map((p) => ({ property: `connection.${p.field}`, reason: p.reason }));
}

/** The connection settings in a property bag (inputs or stored outputs). */
export function connectionOf(props: Props): ConnectionOptions | undefined {
  const connection = props.connection;
  return connection && typeof connection === "object" ? (connection as ConnectionOptions) : undefined;
}

/**
 * The part of a connection that may be stored in outputs: routing and
 * tuning, never a credential. Destroy and refresh receive only the stored
 * outputs, so this is what lets them reach the same tenant; their
 * credentials come from stack config or the environment at that time.
 */
export function publicConnection(props: Props): Record<string, string | number> {
  const connection = connectionOf(props);
  const kept: Record<string, string | number> = {};
  if (!connection) return kept;
  for (const source of SETTING_SOURCES) {
    const value = connection[source.field];
    if (!source.secret && value !== undefined && value !== null && value !== "") kept[source.field] = value;
  }
  return kept;
}

/** Now, as stored in `checkedAt`. */
export function nowIso(): string {
  return new Date().toISOString();
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
        `${error.message} Refresh and destroy read credentials from stack config or the environment: a secret given in a resource's connection is never stored in state.`,
        error.missingCredentials,
      );
    }
    throw error;
  }
}
