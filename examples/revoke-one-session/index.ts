/**
 * Revoke one PingOne session and keep it revoked: every `pulumi up` after a
 * `pulumi refresh` that found it again revokes it again.
 *
 *   pulumi config set environmentId <environment UUID>
 *   pulumi config set userId <user UUID>
 *   pulumi config set sessionId <session UUID>
 *   pulumi config set pingone:clientId <worker app client id>
 *   pulumi config set --secret pingone:clientSecret <worker app secret>
 *   pulumi config set pingone:environmentId <worker app environment UUID>
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { SessionRevocation } from "pulumi-pingone-sessions";

const config = new pulumi.Config();

const revocation = new SessionRevocation("stolen-laptop-session", {
  environmentId: config.require("environmentId"),
  userId: config.require("userId"),
  sessionId: config.require("sessionId"),
});

/** "revoked" when this run deleted it, "already-absent" when it was gone. */
export const outcome = revocation.outcome;
/** True only after a refresh found the session back. */
export const present = revocation.present;
