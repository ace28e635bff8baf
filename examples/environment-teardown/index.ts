/**
 * Declarative environment teardown: one UserSessionsRevocation per user
 * listed in stack config. `pulumi up` signs them all out; `pulumi destroy`
 * signs out whatever sessions exist at that moment, so a torn-down stack
 * leaves no one signed in.
 *
 *   pulumi config set environmentId <environment UUID>
 *   pulumi config set --path 'userIds[0]' <user UUID>
 *   pulumi up        # revoke now
 *   pulumi destroy   # revoke again, as part of the teardown
 */
import * as pulumi from "@pulumi/pulumi";
import { UserSessionsRevocation } from "pulumi-pingone-sessions";

const config = new pulumi.Config();
const environmentId = config.require("environmentId");
const userIds = config.requireObject<string[]>("userIds");

const revocations = userIds.map(
  (userId) => new UserSessionsRevocation(`teardown-${userId}`, { environmentId, userId }),
);

/** How many sessions the last `up` revoked, in all. */
export const sessionsRevoked = pulumi
  .all(revocations.map((r) => r.revokedSessionIds))
  .apply((lists) => lists.reduce((sum, ids) => sum + ids.length, 0));
