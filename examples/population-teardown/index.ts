/**
 * Population teardown: no user of a population keeps a session. One
 * PopulationSessionsRevocation sweeps the population (or the users a SCIM
 * filter selects, or every user of the environment), however many users it
 * has: `pulumi up` signs them all out, `pulumi refresh` counts sessions
 * opened since, `pulumi destroy` sweeps once more.
 *
 *   pulumi config set environmentId <environment UUID>
 *   pulumi config set populationId <population UUID>   # or userFilter '<SCIM filter>', or allUsers true
 *   pulumi config set --path 'remoteIps[0]' 203.0.113.0/24   # optional, as are createdBefore and lastSignOnBefore
 *   pulumi config set --path shard.index 0 && pulumi config set --path shard.count 4   # optional: one of 4 runners
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { PopulationSessionsRevocation, SweepUsersArgs } from "pulumi-pingone-sessions";

const config = new pulumi.Config();
const environmentId = config.require("environmentId");

/** Exactly one selection; none never means everyone, so every user must be asked for with allUsers. */
function usersToSweep(): SweepUsersArgs {
  const populationId = config.get("populationId");
  const userFilter = config.get("userFilter");
  const allUsers = config.getBoolean("allUsers") === true;
  const given = [
    populationId !== undefined && "populationId",
    userFilter !== undefined && "userFilter",
    allUsers && "allUsers",
  ].filter(Boolean);
  if (given.length !== 1) {
    throw new Error(
      `Set exactly one of ${pulumi.getProject()}:populationId, ${pulumi.getProject()}:userFilter or ${pulumi.getProject()}:allUsers (true)` +
        (given.length > 1 ? `; got ${given.join(" and ")}` : ""),
    );
  }
  return populationId !== undefined ? { populationId } : userFilter !== undefined ? { userFilter } : { allUsers: true };
}

const sweep = new PopulationSessionsRevocation("population-teardown", {
  environmentId,
  ...usersToSweep(),
  createdBefore: config.get("createdBefore"),
  lastSignOnBefore: config.get("lastSignOnBefore"),
  remoteIps: config.getObject<string[]>("remoteIps"),
  shard: config.getObject<{ index: number; count: number }>("shard"),
});

/** Users this stack's shard looked at in the last sweep. */
export const usersScanned = sweep.usersScanned;
/** Sessions the last `up` revoked. */
export const sessionsRevoked = sweep.sessionsRevoked;
/** Sessions that matched at the last `pulumi refresh` (the next `up` revokes them). */
export const sessionsRemaining = sweep.sessionsRemaining;
/** A digest of the revoked session ids: the same set gives the same digest; shards' digests XOR to the whole. */
export const revokedDigest = sweep.revokedDigest;
