/**
 * PopulationSessionsRevocation: a declarative "nobody in this population (or
 * filter, or environment) keeps a matching session", swept at the rate limit
 * and, when one runner is not enough, sharded across several.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, secretConnection } from "./connection";
import { ProviderOf, shimProvider } from "./shim";
import { hasTypeToken, RESOURCE_MODULE, typeTokenOf } from "./typeToken";

/**
 * Which users a sweep covers: exactly one of a population, a SCIM filter,
 * or every user. Changing the selection replaces the resource (other users
 * are another resource). Giving none or two does not compile; `check`
 * refuses it too, for values only known at run time.
 */
export type SweepUsersArgs =
  | {
      /** The users of this population (a UUID). */
      populationId: pulumi.Input<string>;
      userFilter?: never;
      allUsers?: never;
    }
  | {
      populationId?: never;
      /**
       * The users matching this PingOne SCIM filter: `attribute eq|sw "value"`
       * over `population.id`, `username`, `email`, `accountId`, `externalId`,
       * `name.given`, `name.family`, `nickname`, `title`, `type`, `enabled`,
       * or `memberOfGroups[id eq "…"]`, joined by `and`/`or`, with
       * parentheses. For example `population.id eq "…" and username sw "contractor-"`.
       * Anything else is refused by `check`, before any request.
       */
      userFilter: pulumi.Input<string>;
      allUsers?: never;
    }
  | {
      populationId?: never;
      userFilter?: never;
      /** Every user of the environment. Must be asked for: no selection never means everyone. */
      allUsers: pulumi.Input<true>;
    };

/** Arguments of a `PopulationSessionsRevocation`: the environment, the users (`SweepUsersArgs`), which of their sessions, a shard, a connection. */
export type PopulationSessionsRevocationArgs = SweepUsersArgs & {
  /** The environment holding the users (a UUID). Changing it replaces. */
  environmentId: pulumi.Input<string>;
  /**
   * Only sessions created strictly before this moment: a full ISO 8601
   * date-time with a zone (`2026-11-28T12:00:00Z`); dates alone and
   * impossible times are refused by `check`. A session without a readable
   * creation time matches. Changing it updates.
   */
  createdBefore?: pulumi.Input<string>;
  /** Only sessions whose last sign-on was strictly before this moment (same form as `createdBefore`). Changing it updates. */
  lastSignOnBefore?: pulumi.Input<string>;
  /**
   * Only sessions seen from one of these IPv4 or IPv6 ranges (`203.0.113.0/24`,
   * `2001:db8::/32`; a bare address is a /32 or /128), matched against
   * `lastSignOn.remoteIp` and every `locations[].remoteIp`. A session that
   * carries no address at all matches. Changing it updates.
   */
  remoteIps?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * This runner's part of the users: `count` runners (stacks, CI jobs, pods),
   * each with its own `index` from 0, split the selected users by a stable
   * hash of the user id, disjointly and completely. Changing it replaces.
   */
  shard?: pulumi.Input<{ index: pulumi.Input<number>; count: pulumi.Input<number> }>;
  /** Connection settings overriding stack config and the environment; see `ConnectionArgs`. */
  connection?: pulumi.Input<ConnectionArgs>;
};

/**
 * The dynamic provider behind `PopulationSessionsRevocation`: a thin shim
 * loading the installed runtime at call time. Create, update and delete
 * sweep (list users, list each one's sessions, delete the matching ones);
 * read sweeps without deleting, counting what matches now.
 */
export const populationSessionsRevocationProvider: ProviderOf<"PopulationSessionsRevocation"> =
  shimProvider("PopulationSessionsRevocation");

/**
 * Ensures that no selected user keeps a matching session: the sessions of a
 * population, of the users a SCIM filter selects, or of every user, narrowed
 * by creation time, last sign-on time and source address ranges.
 *
 * - `pulumi up` (create, update) sweeps: pages through the users, lists each
 *   one's sessions (at most 10) and deletes those that match. When some
 *   cannot be listed or revoked, it fails after attempting every one, with a
 *   `SweepIncompleteError` that counts the failures by code.
 * - `pulumi refresh` (read) sweeps without deleting: `sessionsRemaining` and
 *   `present` say what matches now, and the next `up` sweeps again. A refresh
 *   is a full scan: about `users / 200 + users` requests (one users page per
 *   200 users, one session list per user).
 * - `pulumi destroy` (delete) sweeps once more: the teardown.
 * - Replace or update: another environment, selection or shard is another
 *   resource (replace: the new one sweeps, then the old one's delete sweeps
 *   its users once more); new criteria update, which sweeps again.
 *
 * Resource id: `{environmentId}/sweep/{16 hex digits}`, a digest of the
 * selection and the shard. Outputs are counts and a digest, never id lists,
 * so state stays small at any population size. A worker application with
 * Identity Data Administrator at population level sweeps the users of its
 * populations; users outside them are refused (HTTP 403) and counted as failed.
 *
 * ## Example Usage
 *
 * ```typescript
 * import { PopulationSessionsRevocation } from "pulumi-pingone-sessions";
 *
 * // Incident response: every contractor session signed on from the attacker's range.
 * const contained = new PopulationSessionsRevocation("contractors-from-range", {
 *     environmentId: "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f",
 *     userFilter: 'username sw "contractor-"',
 *     remoteIps: ["203.0.113.0/24"],
 *     createdBefore: "2026-11-28T12:00:00Z",
 * });
 * export const revoked = contained.sessionsRevoked;
 * ```
 */
export class PopulationSessionsRevocation extends pulumi.dynamic.Resource {
  /** @internal The type token this class registers under: what `isInstance` compares. */
  public static readonly __pulumiType: string = typeTokenOf("PopulationSessionsRevocation");

  /**
   * True when `obj` is a `PopulationSessionsRevocation`, also one made by another copy of this package (where
   * `instanceof` fails): compares the type token Pulumi records on every resource.
   */
  public static isInstance(obj: unknown): obj is PopulationSessionsRevocation {
    return hasTypeToken(obj, PopulationSessionsRevocation.__pulumiType);
  }

  /** The environment holding the users. */
  declare public readonly environmentId: pulumi.Output<string>;
  /** The population swept, when one was given. */
  declare public readonly populationId: pulumi.Output<string | undefined>;
  /** The SCIM filter that selected the users, when one was given. */
  declare public readonly userFilter: pulumi.Output<string | undefined>;
  /** True when every user of the environment was selected. */
  declare public readonly allUsers: pulumi.Output<true | undefined>;
  /** The creation-time cutoff, when one was given. */
  declare public readonly createdBefore: pulumi.Output<string | undefined>;
  /** The last-sign-on cutoff, when one was given. */
  declare public readonly lastSignOnBefore: pulumi.Output<string | undefined>;
  /** The address ranges, when given. */
  declare public readonly remoteIps: pulumi.Output<string[] | undefined>;
  /** This runner's part of the users, when sharded. */
  declare public readonly shard: pulumi.Output<{ index: number; count: number } | undefined>;
  /** Users in this shard the last sweep (create, update or refresh) looked at. */
  declare public readonly usersScanned: pulumi.Output<number>;
  /** Sessions the last create or update deleted. */
  declare public readonly sessionsRevoked: pulumi.Output<number>;
  /** Matching sessions the last create or update found already gone. */
  declare public readonly sessionsAlreadyAbsent: pulumi.Output<number>;
  /** Matching sessions the last create or update could not revoke (0 in state: such an operation fails). */
  declare public readonly sessionsFailed: pulumi.Output<number>;
  /** Sessions that matched when the last refresh ran; 0 after create and update. */
  declare public readonly sessionsRemaining: pulumi.Output<number>;
  /** True when a refresh found matching sessions (the next `up` sweeps again). */
  declare public readonly present: pulumi.Output<boolean>;
  /** When PingOne was last asked (ISO 8601). */
  declare public readonly checkedAt: pulumi.Output<string>;
  /**
   * A SHA-256 digest of the set of session ids the last create or update
   * revoked (the XOR of each id's SHA-256): the same set gives the same
   * digest, and the digests of disjoint shards XOR to the digest of their
   * union, so runs can be compared without the lists.
   */
  declare public readonly revokedDigest: pulumi.Output<string>;

  /** Declares the sweep; the selection, filter, dates, ranges and shard are checked before anything is sent. */
  constructor(name: string, args: PopulationSessionsRevocationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      populationSessionsRevocationProvider,
      name,
      {
        environmentId: args.environmentId,
        populationId: args.populationId,
        userFilter: args.userFilter,
        allUsers: args.allUsers,
        createdBefore: args.createdBefore,
        lastSignOnBefore: args.lastSignOnBefore,
        remoteIps: args.remoteIps,
        shard: args.shard,
        connection: secretConnection(args.connection),
        usersScanned: undefined,
        sessionsRevoked: undefined,
        sessionsAlreadyAbsent: undefined,
        sessionsFailed: undefined,
        sessionsRemaining: undefined,
        present: undefined,
        checkedAt: undefined,
        revokedDigest: undefined,
      },
      opts,
      RESOURCE_MODULE,
      "PopulationSessionsRevocation",
    );
  }
}
