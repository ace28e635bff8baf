/**
 * The `connection` argument every resource takes, and how the resource
 * classes pass it on without exposing a credential.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConnectionOptions } from "../client/settings";

/**
 * Per-resource connection settings; each field overrides stack config
 * (`pingone:*`), which overrides the environment (`PINGONE_*`). Credentials
 * given here are used by create and update and never stored: refresh and
 * destroy read them from stack config or the environment.
 */
export type ConnectionArgs = { [K in keyof ConnectionOptions]?: pulumi.Input<ConnectionOptions[K]> };

/**
 * Wraps the whole connection as a Pulumi secret when it is given, so a
 * credential inside it is encrypted in the stack's inputs and never shown
 * in a preview.
 */
export function secretConnection(connection: pulumi.Input<ConnectionArgs> | undefined): pulumi.Output<ConnectionArgs> | undefined {
  return connection === undefined ? undefined : pulumi.secret(connection as pulumi.Input<ConnectionArgs>) as pulumi.Output<ConnectionArgs>;
}
