/**
 * The root Pulumi program: incident response as configuration. It revokes
 * what `pingone-sessions:revoke` lists, one resource per entry, and keeps
 * revoking it on every `up` while the entry stays (refresh finds sessions
 * that came back). Credentials come from `pingone:*` stack config or
 * `PINGONE_*` variables (see README).
 */
import * as pulumi from "@pulumi/pulumi";
import { SessionRevocation } from "../provider";
import { planRevocations, resourceName } from "./plan";

const config = new pulumi.Config();
const plan = planRevocations(config.getObject<unknown>("revoke"));

const resources = plan.map((target) => {
  if (target.kind !== "session") {
    throw new Error(`${resourceName(target)}: revoking every session of a user needs UserSessionsRevocation, not yet available`);
  }
  return new SessionRevocation(resourceName(target), target);
});

/** What each resource found, by resource name. */
export const revocations = Object.fromEntries(
  resources.map((r, i) => [resourceName(plan[i]), pulumi.all([r.outcome, r.present]).apply(([outcome, present]) => ({ outcome, present }))]),
);
