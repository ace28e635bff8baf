/**
 * SessionRevocation: a declarative "this session must not exist".
 */
import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, secretConnection } from "./connection";
import { ProviderOf, shimProvider } from "./shim";
import { hasTypeToken, RESOURCE_MODULE, typeTokenOf } from "./typeToken";

/** Arguments of a `SessionRevocation`. */
export interface SessionRevocationArgs {
  /** The environment holding the user (a UUID). Changing it targets another session: replace. */
  environmentId: pulumi.Input<string>;
  /** The user who owns the session (a UUID). Changing it replaces. */
  userId: pulumi.Input<string>;
  /** The session to revoke (a UUID). Changing it replaces. */
  sessionId: pulumi.Input<string>;
  /** Connection settings overriding stack config and the environment; see `ConnectionArgs`. */
  connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * The dynamic provider behind `SessionRevocation`: a thin shim that loads the
 * installed package's runtime at call time. Create, update and delete all
 * send `DELETE .../sessions/{sessionId}` (404 means already gone); read
 * reports `present: true` when the session exists again.
 */
export const sessionRevocationProvider: ProviderOf<"SessionRevocation"> = shimProvider("SessionRevocation");

/**
 * Ensures one PingOne session is absent. `pulumi up` revokes it (an absent
 * session is fine), `pulumi refresh` notices when it is present again and the
 * next `up` revokes it again, `pulumi destroy` revokes it once more.
 * Resource id: `${environmentId}/${userId}/${sessionId}`.
 *
 * ## Example Usage
 *
 * ```typescript
 * import { SessionRevocation } from "pulumi-pingone-sessions";
 *
 * // Credentials from stack config: pingone:clientId, pingone:clientSecret (--secret), pingone:environmentId.
 * const stolenLaptop = new SessionRevocation("stolen-laptop", {
 *     environmentId: "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f",
 *     userId: "0f8fad5b-d9cb-469f-a165-70867728950e",
 *     sessionId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
 *     connection: { regionCode: "EU" },
 * });
 * export const outcome = stolenLaptop.outcome; // "revoked" or "already-absent"
 * ```
 */
export class SessionRevocation extends pulumi.dynamic.Resource {
  /** @internal The type token this class registers under: what `isInstance` compares. */
  public static readonly __pulumiType: string = typeTokenOf("SessionRevocation");

  /**
   * True when `obj` is a `SessionRevocation`, also one made by another copy of this package (where
   * `instanceof` fails): compares the type token Pulumi records on every resource.
   */
  public static isInstance(obj: unknown): obj is SessionRevocation {
    return hasTypeToken(obj, SessionRevocation.__pulumiType);
  }

  /** The environment holding the user. */
  declare public readonly environmentId: pulumi.Output<string>;
  /** The user who owned the session. */
  declare public readonly userId: pulumi.Output<string>;
  /** The revoked session. */
  declare public readonly sessionId: pulumi.Output<string>;
  /** `revoked` when this run deleted it, `already-absent` when PingOne no longer had it. */
  declare public readonly outcome: pulumi.Output<"revoked" | "already-absent">;
  /** True only after a refresh found the session present again (the next `up` revokes it). */
  declare public readonly present: pulumi.Output<boolean>;
  /** When PingOne was last asked (ISO 8601). */
  declare public readonly checkedAt: pulumi.Output<string>;

  /** Declares the revocation; ids are checked (UUIDs) before anything is sent. */
  constructor(name: string, args: SessionRevocationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      sessionRevocationProvider,
      name,
      {
        environmentId: args.environmentId,
        userId: args.userId,
        sessionId: args.sessionId,
        connection: secretConnection(args.connection),
        outcome: undefined,
        present: undefined,
        checkedAt: undefined,
      },
      opts,
      RESOURCE_MODULE,
      "SessionRevocation",
    );
  }
}
