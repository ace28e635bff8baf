/**
 * Incident response: sign out every session of the users named in stack
 * config, or only the sessions created before the incident was contained.
 * Keep the stack while the incident is open: `pulumi refresh` shows any
 * session that came back, and `pulumi up` revokes it.
 *
 *   pulumi config set environmentId <environment UUID>
 *   pulumi config set --path 'users[0]' <user UUID>
 *   pulumi config set --path 'users[1]' <user UUID>
 *   pulumi config set createdBefore 2026-11-28T12:00:00Z   # optional
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { UserSessionsRevocation } from "pulumi-pingone-sessions";

const config = new pulumi.Config();
const environmentId = config.require("environmentId");
const users = config.requireObject<string[]>("users");
const createdBefore = config.get("createdBefore");

const revocations = users.map(
  (userId) => new UserSessionsRevocation(`signed-out-${userId}`, { environmentId, userId, createdBefore }),
);

/** Sessions revoked by the last `up`, per user. */
export const revokedSessionIds = Object.fromEntries(
  users.map((userId, i) => [userId, revocations[i].revokedSessionIds]),
);
/** Users for whom the last refresh found matching sessions again. */
export const usersWithSessions = pulumi
  .all(revocations.map((r) => r.present))
  .apply((present) => users.filter((_, i) => present[i]));
