/**
 * The role rule, explained exactly. An Identity Data Admin at population
 * level may revoke sessions only of the users in its populations; at
 * environment (or organization) level, of any user. When PingOne answers
 * 403, this module looks up the facts (the worker application's role
 * assignments, the roles' names, the user's population and the populations'
 * names) and says which case it is, in one read. `pingone-sessions access`
 * asks the same question before anything is revoked.
 *
 * Lookups go through the same client (retries, deadlines, pacer), each at
 * most once per client: the answers are cached as promises, failures too, so
 * a run of 100 refused users in one population costs about one user read
 * each, plus a handful of reads for the application.
 */
import { PingOneApiError } from "./errors";
import { UserRef } from "./ids";
import type { ResolvedConnection } from "./settings";
import { printable, quote, redact } from "./text";
import { PingOnePopulation, PingOneRole, PingOneRoleAssignment, PingOneUser } from "./types";

/**
 * The reads the exact check makes, through a client (`PingOneClient` is
 * one): named here, not imported, so this module never imports the client
 * that injects it (see `PingOneClientOptions.explainForbidden`).
 */
export interface AccessLookups {
  /** The client's settings: the credentials say which worker application is asking. */
  readonly connection: Pick<ResolvedConnection, "credentials">;
  listRoleAssignments(environmentId: string, applicationId: string): Promise<PingOneRoleAssignment[] | undefined>;
  getRole(roleId: string): Promise<PingOneRole | undefined>;
  getPopulation(environmentId: string, populationId: string): Promise<PingOnePopulation | undefined>;
  getUser(user: UserRef): Promise<PingOneUser | undefined>;
  /** Every form of every secret the client holds or was issued, to remove from server text it shows (`PingOneClient.secrets`). */
  secrets(): string[];
}

/** The name PingOne's API gives the role the rule is about. */
export const IDENTITY_DATA_ADMIN = "Identity Data Admin";

/** One scope over which the application holds Identity Data Admin. */
export interface AccessScope {
  type: "ORGANIZATION" | "ENVIRONMENT" | "POPULATION";
  id: string;
  /** The population's name, when it could be read. */
  name?: string;
}

/** What the configured worker application holds in one environment. */
export interface AccessFacts {
  environmentId: string;
  /** The worker application (its client id); undefined with a static access token. */
  applicationId?: string;
  /** Its Identity Data Admin scopes that reach `environmentId`. */
  scopes: AccessScope[];
  /** False when the role assignments could not be read (then `scopes` is empty and says nothing). */
  readable: boolean;
  /** Why they could not be read. */
  refusal?: PingOneApiError;
  /**
   * Role assignments whose role could not be read (`GET /roles/{id}` refused,
   * failed or timed out): each might be Identity Data Admin, so no "no" is
   * concluded while any is left.
   */
  uncheckedRoles: { roleId: string; error: PingOneApiError }[];
  /**
   * False when nothing shows the application can see `environmentId`: it is
   * not the application's own environment, no role assignment (of any role)
   * is scoped to it, and none of its population scopes could be read there.
   * PingOne answers 403 (sometimes 404) for an environment the token cannot
   * see, including one that does not exist (a mistyped id). Organization
   * scopes count as seeing it (they reach every environment of the
   * organization). True when the role assignments could not be read (then
   * nothing is known either way).
   */
  environmentVisible: boolean;
}

/** Whether the application may revoke sessions of a user or population, and why. */
export interface AccessVerdict {
  /** undefined when the facts could not be read. */
  may: boolean | undefined;
  /** One sentence that says why, naming the scopes and the population. */
  reason: string;
  facts: AccessFacts;
  /** The user's population (for a user target), or the population asked about. */
  population?: { id: string; name?: string };
}

/** Per-client caches of lookups, so each fact is asked for once in a run. */
const caches = new WeakMap<AccessLookups, Map<string, Promise<unknown>>>();

function cached<T>(client: AccessLookups, key: string, load: () => Promise<T>): Promise<T> {
  let cache = caches.get(client);
  if (!cache) caches.set(client, (cache = new Map()));
  if (!cache.has(key)) cache.set(key, load());
  return cache.get(key) as Promise<T>;
}

/**
 * The configured application's Identity Data Admin scopes in
 * `environmentId`. Its role assignments are read in the application's own
 * environment (a worker application's client id is its application id);
 * a population scope counts when the population is one of `environmentId`'s.
 * Never throws for a refused or failed lookup: it says `readable: false`.
 */
export function accessFacts(client: AccessLookups, environmentId: string): Promise<AccessFacts> {
  return cached(client, `facts/${environmentId}`, async () => {
    const credentials = client.connection.credentials;
    const unknown = { scopes: [], readable: false, uncheckedRoles: [], environmentVisible: true };
    if (credentials.kind !== "client-credentials") return { environmentId, ...unknown };
    const applicationId = credentials.clientId;
    let assignments: PingOneRoleAssignment[] | undefined;
    try {
      assignments = await client.listRoleAssignments(credentials.environmentId, applicationId);
    } catch (error) {
      if (!PingOneApiError.isInstance(error)) throw error;
      return { environmentId, applicationId, ...unknown, refusal: error };
    }
    if (assignments === undefined) return { environmentId, applicationId, ...unknown };
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    let environmentVisible =
      same(credentials.environmentId, environmentId) ||
      assignments.some(
        ({ scope }) => scope.type === "ORGANIZATION" || (scope.type === "ENVIRONMENT" && same(scope.id, environmentId)),
      );
    const scopes: AccessScope[] = [];
    const uncheckedRoles: AccessFacts["uncheckedRoles"] = [];
    for (const assignment of assignments) {
      const role = await roleName(client, assignment.role.id);
      if (typeof role !== "string" && role !== undefined) {
        uncheckedRoles.push({ roleId: assignment.role.id, error: role.failed });
        continue;
      }
      if (role !== IDENTITY_DATA_ADMIN) continue;
      const { type, id } = assignment.scope;
      if (type === "ORGANIZATION" || (type === "ENVIRONMENT" && same(id, environmentId))) scopes.push({ type, id });
      if (type === "POPULATION") {
        const population = await populationOf(client, environmentId, id);
        if (population === "elsewhere") continue;
        // Only a population read there shows the environment exists and is visible; a refused read shows nothing.
        if (population !== undefined) environmentVisible = true;
        scopes.push({ type, id, name: population?.name });
      }
    }
    // In an environment nothing shows it can see, no scope was verified: none is claimed.
    return {
      environmentId,
      applicationId,
      scopes: environmentVisible ? scopes : [],
      readable: true,
      uncheckedRoles,
      environmentVisible,
    };
  });
}

/**
 * Whether the configured application may revoke sessions of `target` (a
 * user, a population, or, when undefined, anyone at all in the environment).
 */
export async function mayRevoke(
  client: AccessLookups,
  environmentId: string,
  target: { userId: string } | { populationId: string } | undefined,
): Promise<AccessVerdict> {
  const facts = await accessFacts(client, environmentId);
  const app = facts.applicationId ? `The worker application ${facts.applicationId}` : "The access token's application";
  if (!facts.readable) {
    const why = facts.refusal
      ? roleAssignmentsFailure(facts.refusal)
      : facts.applicationId
        ? "its role assignments were not found"
        : "a static access token does not say which application it belongs to";
    return {
      may: undefined,
      reason: `${app}'s roles could not be checked: ${why}; the exact check needs read access to role assignments (a role such as Identity Data Admin or Environment Admin).`,
      facts,
    };
  }
  if (!facts.environmentVisible) {
    return {
      may: undefined,
      reason:
        `Environment ${environmentId} may not exist, or may not be visible to ${app.replace(/^The /, "the ")}: it is not the application's own environment, and none of its role assignments reaches it ` +
        `(PingOne answers 403, sometimes 404, for an environment the token cannot see). Check the environment id; if it is right, give the application a role there.`,
      facts,
    };
  }
  const wide = facts.scopes.find((s) => s.type !== "POPULATION");
  const populations = facts.scopes.filter((s) => s.type === "POPULATION");
  const held = populations.map(describePopulation).join(", ");
  if (wide) {
    return {
      may: true,
      reason: `${app} holds ${IDENTITY_DATA_ADMIN} at ${wide.type === "ORGANIZATION" ? "organization" : "environment"} level for environment ${environmentId}, so it may revoke any user's sessions there.`,
      facts,
    };
  }
  // A role that could not be read might be Identity Data Admin at any level: no "no" is concluded past it.
  const unknown = (): AccessVerdict => {
    const n = facts.uncheckedRoles.length;
    const failures = facts.uncheckedRoles.map(({ roleId, error }) => `role ${roleId}: ${error.observed}`).join("; ");
    return {
      may: undefined,
      reason: `${app}'s roles could not be checked: the role of ${n} of its role assignments could not be read (${failures}); any of them may be ${IDENTITY_DATA_ADMIN}, so whether it may revoke here is unknown. Run again, or give the application read access to roles.`,
      facts,
    };
  };
  if (facts.uncheckedRoles.length > 0 && facts.scopes.length === 0) return unknown();
  if (facts.scopes.length === 0) {
    return {
      may: false,
      reason: `${app} holds no ${IDENTITY_DATA_ADMIN} role in environment ${environmentId}: assign it at environment level, or for the users' populations.`,
      facts,
    };
  }
  if (target === undefined) {
    return {
      may: true,
      reason: `${app} holds ${IDENTITY_DATA_ADMIN} for ${plural("population", populations.length)} ${held} of environment ${environmentId} only: it may revoke sessions of their users, and of no one else.`,
      facts,
    };
  }
  let population: { id: string; name?: string } | undefined;
  if ("populationId" in target) {
    const found = await populationOf(client, environmentId, target.populationId);
    population = { id: target.populationId, name: found === "elsewhere" ? undefined : found?.name };
  } else {
    const user = await userPopulation(client, environmentId, target.userId);
    if (user === "unreadable") {
      if (facts.uncheckedRoles.length > 0) return unknown();
      return {
        may: false,
        reason: `${app} holds ${IDENTITY_DATA_ADMIN} for ${plural("population", populations.length)} ${held} of environment ${environmentId} only, and may not even read user ${target.userId}: the user is outside those populations. Assign the role for the user's population, or at environment level.`,
        facts,
      };
    }
    if (user === "absent")
      return { may: false, reason: `User ${target.userId} does not exist in environment ${environmentId}.`, facts };
    population = user;
  }
  const inScope = populations.some((s) => s.id.toLowerCase() === population!.id.toLowerCase());
  const subject =
    "userId" in target
      ? `user ${target.userId} is in population ${describePopulation(population)}`
      : `population ${describePopulation(population)}`;
  if (inScope) {
    return {
      may: true,
      reason: `${app} holds ${IDENTITY_DATA_ADMIN} for ${describePopulation(population)}, and ${subject}.`,
      facts,
      population,
    };
  }
  if (facts.uncheckedRoles.length > 0) return { ...unknown(), population };
  return {
    may: false,
    reason: `${app} holds ${IDENTITY_DATA_ADMIN} for ${plural("population", populations.length)} ${held} of environment ${environmentId}; ${subject}${"userId" in target ? "" : " is not among them"}: assign the role for ${describePopulation(population)}, or at environment level.`,
    facts,
    population,
  };
}

/**
 * `error` (a 403 from a session or users call) with its advice replaced by
 * the exact case, for `target`. The original's status, PingOne error id,
 * code and transaction id stay; it is never turned into a success. When a
 * lookup itself fails, the general advice stays and says the exact check
 * needs read access to role assignments.
 */
export async function explainForbidden(
  client: AccessLookups,
  error: PingOneApiError,
  target: { environmentId: string; userId?: string },
): Promise<PingOneApiError> {
  let verdict: AccessVerdict;
  try {
    verdict = await mayRevoke(client, target.environmentId, target.userId ? { userId: target.userId } : undefined);
  } catch {
    return error;
  }
  // An environment the application cannot see is said first: no role reasoning applies to it.
  if (!verdict.facts.environmentVisible) return error.withAdvice(verdict.reason);
  if (verdict.may === undefined) return error.withAdvice(`${error.advice} ${verdict.reason}`);
  if (verdict.may === false) return error.withAdvice(verdict.reason);
  const codes = [error.pingOne?.code, ...(error.pingOne?.details ?? []).map((d) => d.code)].filter(Boolean).join("/");
  return error.withAdvice(
    `${verdict.reason.replace(/, so it may revoke any user's sessions there\.$|\.$/, "")}; so this 403 has another cause: a licence limit, a token issued by another environment, or an environment created moments ago (PingOne said ${codes || "nothing more"}). Run again in a minute; if it persists, quote the ids here to Ping support.`,
  );
}

/** A role's name; `undefined` when PingOne says it does not exist (404) or gives no name; `{ failed }` when the read failed. */
async function roleName(
  client: AccessLookups,
  roleId: string,
): Promise<string | undefined | { failed: PingOneApiError }> {
  return cached(client, `role/${roleId}`, async () => {
    try {
      return (await client.getRole(roleId))?.name;
    } catch (error) {
      if (!PingOneApiError.isInstance(error)) throw error;
      return { failed: error };
    }
  });
}

/**
 * Why the role assignments could not be read, in words: PingOne's refusal
 * ("was refused (HTTP 403 ACCESS_FAILED)"), or what was wrong with the answer
 * (an HTML page, a null entry, a cycling next link, no answer).
 */
function roleAssignmentsFailure(error: PingOneApiError): string {
  const pingOneCode = error.pingOne?.code ? ` ${error.pingOne.code}` : "";
  if (error.code === "HTTP_STATUS")
    return `reading its role assignments was refused (HTTP ${error.status ?? "-"}${pingOneCode})`;
  return `reading its role assignments gave an answer that could not be used (${error.code}: ${error.observed})`;
}

/**
 * A population of `environmentId` as read there, `undefined` when it could not be read, or "elsewhere" when it is
 * not one of that environment's (404). Its name is the one server text the explanation quotes: every secret the
 * client holds is removed from it here, where it is read, so no fact, verdict or advice can carry one.
 */
async function populationOf(
  client: AccessLookups,
  environmentId: string,
  populationId: string,
): Promise<{ id: string; name?: string } | undefined | "elsewhere"> {
  return cached(client, `population/${environmentId}/${populationId}`, async () => {
    try {
      const population = await client.getPopulation(environmentId, populationId);
      if (population === undefined) return "elsewhere";
      const name = population.name === undefined ? undefined : redact(population.name, client.secrets());
      return { id: population.id, name };
    } catch {
      return undefined;
    }
  });
}

/** The population a user is in, "absent" when the user does not exist, "unreadable" when PingOne refuses to say. */
async function userPopulation(
  client: AccessLookups,
  environmentId: string,
  userId: string,
): Promise<{ id: string; name?: string } | "absent" | "unreadable"> {
  return cached(client, `user/${environmentId}/${userId}`, async () => {
    let user;
    try {
      user = await client.getUser({ environmentId, userId });
    } catch (error) {
      // Only PingOne's own 403 says the user is out of reach; a proxy's or an HTML 403 says nothing, and fails the check.
      if (PingOneApiError.isInstance(error) && error.status === 403 && error.code === "HTTP_STATUS")
        return "unreadable";
      throw error;
    }
    if (user === undefined) return "absent";
    if (!user.population) return "unreadable";
    const population = await populationOf(client, environmentId, user.population.id);
    return population === undefined || population === "elsewhere" ? { id: user.population.id } : population;
  });
}

/** A population as a message names it; its name is PingOne's text, so it is escaped and cut. */
function describePopulation(population: { id: string; name?: string }): string {
  return population.name ? `${quote(printable(population.name))} (${population.id})` : population.id;
}

function plural(noun: string, n: number): string {
  return n === 1 ? noun : `${noun}s`;
}
