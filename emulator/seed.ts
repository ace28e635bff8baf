// The demo story: a compromised user in a population the worker application administers, a
// bystander in the same population, and a user in a population it must not touch; plus a second
// worker application that administers the whole environment, so both levels of the role can be shown.

import { BUILT_IN_ROLES } from "./roles";
import type { EmulatorState } from "./state";

/**
 * Fixed ids and credentials of the demo story. Every id is a UUID so the API accepts it; the
 * secret is fake on purpose. Session ids are listed newest first, the order the API lists them.
 */
export const DEMO = {
  environmentId: "de000000-0000-4000-8000-000000000001",
  populations: {
    staff: "de000000-0000-4000-8001-000000000001",
    contractors: "de000000-0000-4000-8001-000000000002",
  },
  users: {
    alice: "de000000-0000-4000-8002-00000000a11c",
    bob: "de000000-0000-4000-8002-000000000b0b",
    carol: "de000000-0000-4000-8002-0000000ca201",
  },
  sessions: {
    alice: [
      "de000000-0000-4000-8003-a11c00000001",
      "de000000-0000-4000-8003-a11c00000002",
      "de000000-0000-4000-8003-a11c00000003",
      "de000000-0000-4000-8003-a11c00000004",
    ],
    bob: ["de000000-0000-4000-8003-0b0b00000001", "de000000-0000-4000-8003-0b0b00000002"],
    carol: ["de000000-0000-4000-8003-ca2010000001", "de000000-0000-4000-8003-ca2010000002"],
  },
  /**
   * The population-level worker application (`applications.staffAdmin`): issued by the demo
   * environment, authenticating with client_secret_basic, holding Identity Data Admin for "Staff"
   * only, plus Identity Data Read Only at environment level so it can read any user's population.
   */
  clientId: "de000000-0000-4000-8004-000000000001",
  clientSecret: "demo-not-a-secret",
  tokenAuthMethod: "client_secret_basic",
  /** Both worker applications of the story, by the level of their Identity Data Admin role. */
  applications: {
    /** Identity Data Admin for population Staff (and Identity Data Read Only for the environment): the same as `clientId`. */
    staffAdmin: {
      clientId: "de000000-0000-4000-8004-000000000001",
      clientSecret: "demo-not-a-secret",
      tokenAuthMethod: "client_secret_basic",
    },
    /** Identity Data Admin at environment level: may revoke anyone's sessions. */
    environmentAdmin: {
      clientId: "de000000-0000-4000-8004-000000000002",
      clientSecret: "demo-secret-env-app",
      tokenAuthMethod: "client_secret_basic",
    },
  },
} as const;

/** What `seedDemo` created: the `DEMO` constant. */
export type DemoSeed = typeof DEMO;

const HOUR_MS = 3_600_000;

/**
 * Seeds the demo story into `state`. Session times are relative to now (an hour apart, the first
 * listed the newest) so the story looks current. Throws `EmulatorStateError` ("conflict") if the
 * demo environment already exists in this state.
 */
export function seedDemo(state: EmulatorState, now: number = Date.now()): DemoSeed {
  const env = state.addEnvironment({ id: DEMO.environmentId });
  state.addPopulation(env, { id: DEMO.populations.staff, name: "Staff" });
  state.addPopulation(env, { id: DEMO.populations.contractors, name: "Contractors" });
  state.addUser(env, { id: DEMO.users.alice, populationId: DEMO.populations.staff, username: "alice" });
  state.addUser(env, { id: DEMO.users.bob, populationId: DEMO.populations.staff, username: "bob" });
  state.addUser(env, { id: DEMO.users.carol, populationId: DEMO.populations.contractors, username: "carol" });
  for (const name of ["alice", "bob", "carol"] as const) {
    const ids = DEMO.sessions[name];
    ids.forEach((id, i) =>
      state.addSession(env, DEMO.users[name], { id, createdAt: new Date(now - (i + 1) * HOUR_MS) }),
    );
  }
  const { staffAdmin, environmentAdmin } = DEMO.applications;
  state.addApplication({
    environmentId: env,
    ...staffAdmin,
    name: "Revoker (Staff)",
    roleAssignments: [
      { role: { id: BUILT_IN_ROLES.identityDataAdmin.id }, scope: { type: "POPULATION", id: DEMO.populations.staff } },
      { role: { id: BUILT_IN_ROLES.identityDataReadOnly.id }, scope: { type: "ENVIRONMENT", id: env } },
    ],
  });
  state.addApplication({
    environmentId: env,
    ...environmentAdmin,
    name: "Revoker (environment)",
    roleAssignments: [{ role: { id: BUILT_IN_ROLES.identityDataAdmin.id }, scope: { type: "ENVIRONMENT", id: env } }],
  });
  return DEMO;
}
