/**
 * The `connection` argument every resource takes, and how the resource
 * classes pass it on without exposing a credential.
 */
import * as pulumi from "@pulumi/pulumi";
import { RegionCode } from "../client/regions";
import { ConnectionOptions, TokenAuthMethod } from "../client/settings";

/**
 * The type each setting has in a program: what the resolver accepts as text
 * (from stack config, flags or the environment), narrowed to what a program
 * can check at compile time. A region is a `RegionCode`, the token method a
 * `TokenAuthMethod`, a count or a number of seconds a `number`.
 */
type ConnectionArgType<K extends keyof ConnectionOptions> = K extends "regionCode"
  ? RegionCode
  : K extends "tokenAuthMethod"
    ? TokenAuthMethod
    : number extends NonNullable<ConnectionOptions[K]>
      ? number
      : NonNullable<ConnectionOptions[K]>;

/**
 * Per-resource connection settings; each field overrides stack config
 * (`pingone:*`), which overrides the environment (`PINGONE_*`). Every field
 * of `ConnectionOptions`, each accepting a `pulumi.Input`. Credentials
 * given here are used by create and update and never stored: refresh and
 * destroy read them from stack config or the environment. Of the rest, only
 * `regionCode`, `apiUrl` and `authUrl` are stored, so refresh and destroy
 * reach the same tenant unless stack config or the environment now routes
 * elsewhere.
 */
export type ConnectionArgs = { [K in keyof ConnectionOptions]?: pulumi.Input<ConnectionArgType<K>> };

/**
 * Wraps the whole connection as a Pulumi secret when it is given, so a
 * credential inside it is encrypted in the stack's inputs and never shown
 * in a preview.
 */
export function secretConnection(
  connection: pulumi.Input<ConnectionArgs> | undefined,
): pulumi.Output<ConnectionArgs> | undefined {
  return connection === undefined ? undefined : (pulumi.secret(connection) as pulumi.Output<ConnectionArgs>);
}
