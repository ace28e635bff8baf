/**
 * UserSessionsRevocation: a declarative "this user has no sessions" (or none
 * created before a given time).
 */
import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, secretConnection } from "./connection";
import { ProviderOf, shimProvider } from "./shim";
import { hasTypeToken, RESOURCE_MODULE, typeTokenOf } from "./typeToken";

/** Arguments of a `UserSessionsRevocation`. */
export interface UserSessionsRevocationArgs {
  /** The environment holding the user (a UUID). Changing it replaces. */
  environmentId: pulumi.Input<string>;
  /** The user whose sessions are revoked (a UUID). Changing it replaces. */
  userId: pulumi.Input<string>;
  /**
   * Only sessions created strictly before this moment (for example when a
   * credential leaked): a full ISO 8601 date-time with a zone, such as
   * `2026-11-28T12:00:00Z`; dates alone and impossible times (`2026-02-30`,
   * `T24:00`) are refused by `check`. Sessions without a creation time are
   * revoked too. Omitted: every session. Changing it updates.
   */
  createdBefore?: pulumi.Input<string>;
  /** Connection settings overriding stack config and the environment; see `ConnectionArgs`. */
  connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * The dynamic provider behind `UserSessionsRevocation`: a thin shim loading
 * the installed runtime at call time. Create, update and delete list the
 * user's sessions and delete the matching ones (a user or session already
 * gone is fine); read lists again to find sessions that appeared since.
 */
export const userSessionsRevocationProvider: ProviderOf<"UserSessionsRevocation"> =
  shimProvider("UserSessionsRevocation");

/**
 * Ensures a user has no (matching) sessions. `pulumi up` signs the user out
 * everywhere, `pulumi refresh` notices new sign-ons and the next `up` revokes
 * them, `pulumi destroy` revokes whatever matches at that moment (environment
 * teardown). Resource id: `${environmentId}/${userId}`.
 *
 * ## Example Usage
 *
 * ```typescript
 * import { UserSessionsRevocation } from "pulumi-pingone-sessions";
 *
 * // Every session Alice opened before the incident was contained.
 * const alice = new UserSessionsRevocation("alice", {
 *     environmentId: "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f",
 *     userId: "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
 *     createdBefore: "2026-11-28T12:00:00Z",
 *     connection: { regionCode: "EU", maxAttempts: 5 },
 * });
 * export const revoked = alice.revokedSessionIds;
 * ```
 */
export class UserSessionsRevocation extends pulumi.dynamic.Resource {
  /** @internal The type token this class registers under: what `isInstance` compares. */
  public static readonly __pulumiType: string = typeTokenOf("UserSessionsRevocation");

  /**
   * True when `obj` is a `UserSessionsRevocation`, also one made by another copy of this package (where
   * `instanceof` fails): compares the type token Pulumi records on every resource.
   */
  public static isInstance(obj: unknown): obj is UserSessionsRevocation {
    return hasTypeToken(obj, UserSessionsRevocation.__pulumiType);
  }

  /** The environment holding the user. */
  declare public readonly environmentId: pulumi.Output<string>;
  /** The user. */
  declare public readonly userId: pulumi.Output<string>;
  /** The cutoff, when one was given. */
  declare public readonly createdBefore: pulumi.Output<string | undefined>;
  /** Sessions the last create or update deleted (404s, already gone, are not listed). */
  declare public readonly revokedSessionIds: pulumi.Output<string[]>;
  /** Matching sessions found by the last refresh; empty after create and update. */
  declare public readonly remainingSessionIds: pulumi.Output<string[]>;
  /** True when a refresh found matching sessions (the next `up` revokes them). */
  declare public readonly present: pulumi.Output<boolean>;
  /** When PingOne was last asked (ISO 8601). */
  declare public readonly checkedAt: pulumi.Output<string>;

  /** Declares the revocation; ids and `createdBefore` are checked before anything is sent. */
  constructor(name: string, args: UserSessionsRevocationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      userSessionsRevocationProvider,
      name,
      {
        environmentId: args.environmentId,
        userId: args.userId,
        createdBefore: args.createdBefore,
        connection: secretConnection(args.connection),
        revokedSessionIds: undefined,
        remainingSessionIds: undefined,
        present: undefined,
        checkedAt: undefined,
      },
      opts,
      RESOURCE_MODULE,
      "UserSessionsRevocation",
    );
  }
}
