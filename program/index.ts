/**
 * The root Pulumi program: incident response as configuration. It revokes
 * what `pingone-sessions:revoke` lists, one resource per entry, and keeps
 * revoking it on every `up` while the entry stays (refresh finds sessions
 * that came back). Credentials come from `pingone:*` stack config or
 * `PINGONE_*` variables (see README).
 */
import * as pulumi from "@pulumi/pulumi";
import { SessionRevocation, UserSessionsRevocation } from "../provider";
import { planRevocations, resourceName } from "./plan";

const config = new pulumi.Config();
const plan = planRevocations(config.getObject<unknown>("revoke"));

/** What each resource found, by resource name: the outcome of a session, the sessions revoked for a user. */
export const revocations = Object.fromEntries(
  plan.map((target) => {
    const name = resourceName(target);
    if (target.kind === "session") {
      const revocation = new SessionRevocation(name, target);
      return [name, pulumi.output({ outcome: revocation.outcome, present: revocation.present })];
    }
    const revocation = new UserSessionsRevocation(name, target);
    return [name, pulumi.output({ revokedSessionIds: revocation.revokedSessionIds, present: revocation.present })];
  }),
);
