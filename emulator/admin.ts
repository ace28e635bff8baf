// The out-of-process control surface under /__emulator/: the same seeding, fault and log controls
// as RunningEmulator, as JSON over HTTP. Never rate-limited, faulted, delayed or logged, so a test
// can set the stage without disturbing what it measures.

import type * as http from "node:http";

import { seedTenant } from "./bulk";
import type { Permission, ScopeType } from "./roles";
import {
  EmulatorStateError,
  type IdentityDataAdminGrant,
  type LocationSpec,
  type RoleAssignmentSpec,
  type TokenAuthMethod,
} from "./state";
import { seedDemo } from "./seed";
import type { ChaosOptions, FaultSpec, RateLimit, RunningEmulator } from "./types";

/** What the admin API drives; `EmulatorServer` provides it. */
export type AdminControls = Pick<
  RunningEmulator,
  | "state"
  | "injectFault"
  | "clearFaults"
  | "requests"
  | "clearRequests"
  | "setLatency"
  | "setRateLimit"
  | "setChaos"
  | "setUserPageSize"
>;

/** A request the admin API cannot honour; `status` is the HTTP answer. */
class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const PREFIX = "/__emulator";

/** Whether a path belongs to the admin API. */
export function isAdminPath(pathname: string): boolean {
  return pathname === PREFIX || pathname.startsWith(`${PREFIX}/`);
}

/**
 * Answers one admin request. Routes (JSON bodies, JSON answers; errors are `{"error": "..."}` with
 * 400 bad input, 404 unknown route or parent, 405 wrong method, 409 id taken):
 * - POST /__emulator/environments `{id?}` -> 201 `{id, defaultPopulationId}`
 * - POST /__emulator/environments/{env}/populations `{id?, name?, description?}` -> 201 `{id}`
 * - POST /__emulator/environments/{env}/groups `{id?, name?}` -> 201 `{id}`
 * - POST /__emulator/environments/{env}/groups/{group}/members `{userId}` -> 204
 * - POST /__emulator/environments/{env}/users `{id?, populationId?, username?, email?, enabled?,
 *   groupIds?, name?, accountId?, externalId?, nickname?, title?, type?}` -> 201 `{id}`
 * - POST /__emulator/environments/{env}/users/{user}/sessions `{id?, createdAt?, lastSignOnAt?,
 *   activeAt? (ISO), remoteIp?, locations?: [{at (ISO), remoteIp, city?...}], browser?}` -> 201
 *   session
 * - GET  /__emulator/environments/{env}/users/{user}/sessions -> 200 `{sessions}` newest first, no auth
 * - POST /__emulator/environments/{env}/users/{user}/sessions/{sid}/token -> 201 `{accessToken}` (user sign-on token)
 * - POST /__emulator/applications `{environmentId, clientId?, clientSecret?, tokenAuthMethod?,
 *   name?, roles?, roleAssignments?, roleAssignmentsReadable?}` -> 201 `{clientId, clientSecret}`
 * - POST /__emulator/applications/{clientId}/roleAssignments `{id?, role, scope: {type, id}}` -> 201 `{id}`
 * - POST /__emulator/applications/{clientId}/tokens `{accessToken?}` -> 201 `{accessToken, expiresIn}` (a static token when given)
 * - POST /__emulator/roles `{id?, name, description?, applicableTo?, permissions}` -> 201 `{id}`
 * - POST /__emulator/tenant TenantSeedOptions -> 201 TenantSeed (a large seeded tenant)
 * - POST /__emulator/tokens/expire -> 204 (every issued token becomes invalid)
 * - POST /__emulator/faults FaultSpec, with `path` a prefix or `pathPattern` a RegExp source, `body` a string -> 204
 * - DELETE /__emulator/faults -> 204
 * - GET /__emulator/requests -> 200 RequestLogEntry[]; DELETE -> 204
 * - PUT /__emulator/settings `{latencyMs?, rateLimit?: RateLimit|null, chaos?: ChaosOptions|null, userPageSize?}` -> 204
 * - POST /__emulator/seed/demo -> 201 DEMO, 409 if already seeded
 */
export function handleAdmin(
  controls: AdminControls,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pathname: string,
  body: string,
): void {
  try {
    const answer = route(
      controls,
      req.method ?? "GET",
      pathname.slice(PREFIX.length).split("/").filter(Boolean).map(decodeURIComponent),
      body,
    );
    reply(res, answer.status, answer.body);
  } catch (err) {
    const status =
      err instanceof AdminError
        ? err.status
        : err instanceof EmulatorStateError
          ? STATE_STATUS[err.kind]
          : err instanceof RangeError || err instanceof URIError
            ? 400
            : 500;
    reply(res, status, { error: err instanceof Error ? err.message : String(err) });
  }
}

const STATE_STATUS = { invalid: 400, not_found: 404, conflict: 409 } as const;

interface Answer {
  status: number;
  body?: unknown;
}

function route(c: AdminControls, method: string, parts: string[], rawBody: string): Answer {
  const key = parts.map((p, i) => (isParam(parts, i) ? ":" : p)).join("/");
  const input = (): Record<string, unknown> => parseObject(rawBody);
  const expect = (allowed: string): void => {
    if (method !== allowed)
      throw new AdminError(405, `${method} is not allowed on /__emulator/${parts.join("/")}; use ${allowed}`);
  };
  switch (key) {
    case "environments": {
      expect("POST");
      const id = c.state.addEnvironment({ id: optionalString(input(), "id") });
      return { status: 201, body: { id, defaultPopulationId: c.state.defaultPopulationId(id) } };
    }
    case "environments/:/populations": {
      expect("POST");
      const b = input();
      const id = c.state.addPopulation(parts[1], {
        id: optionalString(b, "id"),
        name: optionalString(b, "name"),
        description: optionalString(b, "description"),
      });
      return { status: 201, body: { id } };
    }
    case "environments/:/groups": {
      expect("POST");
      const b = input();
      return {
        status: 201,
        body: { id: c.state.addGroup(parts[1], { id: optionalString(b, "id"), name: optionalString(b, "name") }) },
      };
    }
    case "environments/:/groups/:/members": {
      expect("POST");
      const userId = optionalString(input(), "userId");
      if (userId === undefined) throw new AdminError(400, "userId is required");
      c.state.addGroupMember(parts[1], parts[3], userId);
      return { status: 204 };
    }
    case "environments/:/users": {
      expect("POST");
      const b = input();
      const name = b.name === undefined || b.name === null ? undefined : object(b.name, "name");
      const id = c.state.addUser(parts[1], {
        id: optionalString(b, "id"),
        populationId: optionalString(b, "populationId"),
        username: optionalString(b, "username"),
        email: optionalString(b, "email"),
        enabled: optionalBoolean(b, "enabled"),
        groupIds: optionalStrings(b, "groupIds"),
        name: name && { given: optionalString(name, "given"), family: optionalString(name, "family") },
        accountId: optionalString(b, "accountId"),
        externalId: optionalString(b, "externalId"),
        nickname: optionalString(b, "nickname"),
        title: optionalString(b, "title"),
        type: optionalString(b, "type"),
      });
      return { status: 201, body: { id } };
    }
    case "environments/:/users/:/sessions": {
      if (method === "GET") return { status: 200, body: { sessions: c.state.listSessions(parts[1], parts[3]) } };
      expect("POST");
      const b = input();
      const locations =
        b.locations === undefined || b.locations === null
          ? undefined
          : array(b.locations, "locations").map((l, i) => location(object(l, `locations[${i}]`), i));
      const browser = b.browser === undefined || b.browser === null ? undefined : object(b.browser, "browser");
      return {
        status: 201,
        body: c.state.addSession(parts[1], parts[3], {
          id: optionalString(b, "id"),
          createdAt: optionalDate(b, "createdAt"),
          lastSignOnAt: optionalDate(b, "lastSignOnAt"),
          activeAt: optionalDate(b, "activeAt"),
          remoteIp: optionalString(b, "remoteIp"),
          locations,
          browser: browser && {
            name: optionalString(browser, "name") ?? "",
            version: optionalString(browser, "version") ?? "",
          },
        }),
      };
    }
    case "environments/:/users/:/sessions/:/token": {
      expect("POST");
      return { status: 201, body: { accessToken: c.state.issueUserSessionToken(parts[1], parts[3], parts[5]) } };
    }
    case "applications": {
      expect("POST");
      const b = input();
      const environmentId = optionalString(b, "environmentId");
      if (environmentId === undefined) throw new AdminError(400, "environmentId is required");
      if (b.roles !== undefined && !Array.isArray(b.roles))
        throw new AdminError(400, "roles must be an array of {role, environmentId, populationId?}");
      if (b.roleAssignments !== undefined && !Array.isArray(b.roleAssignments))
        throw new AdminError(400, "roleAssignments must be an array of {role, scope: {type, id}}");
      const created = c.state.addApplication({
        environmentId,
        clientId: optionalString(b, "clientId"),
        clientSecret: optionalString(b, "clientSecret"),
        tokenAuthMethod: optionalString(b, "tokenAuthMethod") as TokenAuthMethod | undefined,
        name: optionalString(b, "name"),
        roles: b.roles as IdentityDataAdminGrant[] | undefined,
        roleAssignments: b.roleAssignments as RoleAssignmentSpec[] | undefined,
        roleAssignmentsReadable: optionalBoolean(b, "roleAssignmentsReadable"),
      });
      return { status: 201, body: created };
    }
    case "applications/:/roleAssignments": {
      expect("POST");
      return { status: 201, body: { id: c.state.assignRole(parts[1], input() as unknown as RoleAssignmentSpec) } };
    }
    case "applications/:/tokens": {
      expect("POST");
      return {
        status: 201,
        body: c.state.issueApplicationToken(parts[1], { accessToken: optionalString(input(), "accessToken") }),
      };
    }
    case "roles": {
      expect("POST");
      const b = input();
      const name = optionalString(b, "name");
      if (name === undefined) throw new AdminError(400, "name is required");
      const id = c.state.addRole({
        id: optionalString(b, "id"),
        name,
        description: optionalString(b, "description"),
        applicableTo: optionalStrings(b, "applicableTo") as ScopeType[] | undefined,
        permissions: (optionalStrings(b, "permissions") ?? []) as Permission[],
      });
      return { status: 201, body: { id } };
    }
    case "tenant": {
      expect("POST");
      const b = input();
      if (typeof b.users !== "number") throw new AdminError(400, "users must be a number");
      return { status: 201, body: seedTenant(c.state, b as unknown as Parameters<typeof seedTenant>[1]) };
    }
    case "tokens/expire":
      expect("POST");
      c.state.expireAllTokens();
      return { status: 204 };
    case "faults":
      if (method === "DELETE") {
        c.clearFaults();
        return { status: 204 };
      }
      expect("POST");
      c.injectFault(faultFromJson(input()));
      return { status: 204 };
    case "requests":
      if (method === "DELETE") {
        c.clearRequests();
        return { status: 204 };
      }
      expect("GET");
      return { status: 200, body: c.requests() };
    case "settings": {
      expect("PUT");
      const b = input();
      if (b.latencyMs !== undefined) c.setLatency(Number(b.latencyMs));
      if (b.rateLimit !== undefined) c.setRateLimit(b.rateLimit === null ? undefined : (b.rateLimit as RateLimit));
      if (b.chaos !== undefined) c.setChaos(b.chaos === null ? undefined : (b.chaos as ChaosOptions));
      if (b.userPageSize !== undefined) c.setUserPageSize(Number(b.userPageSize));
      return { status: 204 };
    }
    case "seed/demo":
      expect("POST");
      return { status: 201, body: seedDemo(c.state) };
    default:
      throw new AdminError(404, `no admin route /__emulator/${parts.join("/")}`);
  }
}

/** Collections whose next path segment is an id. */
const COLLECTIONS = new Set(["environments", "users", "sessions", "groups", "applications"]);

/** Which path segments are ids: the ones right after a collection name. */
function isParam(parts: string[], i: number): boolean {
  return i > 0 && COLLECTIONS.has(parts[i - 1]) && (i === 1 || !COLLECTIONS.has(parts[i - 2]));
}

function faultFromJson(b: Record<string, unknown>): FaultSpec {
  const path = typeof b.pathPattern === "string" ? new RegExp(b.pathPattern) : b.path;
  if (typeof path !== "string" && !(path instanceof RegExp))
    throw new AdminError(400, "fault needs path (a prefix) or pathPattern (a RegExp source)");
  const headers = b.headers;
  if (
    headers !== undefined &&
    (typeof headers !== "object" || headers === null || Object.values(headers).some((v) => typeof v !== "string"))
  ) {
    throw new AdminError(400, "fault.headers must be an object of strings");
  }
  return {
    path,
    method: optionalString(b, "method"),
    count: b.count as number | undefined,
    status: b.status as number | undefined,
    retryAfter: optionalString(b, "retryAfter"),
    headers: headers as Record<string, string> | undefined,
    body: optionalString(b, "body"),
    reset: b.reset === true,
    delayMs: b.delayMs as number | undefined,
  };
}

function parseObject(raw: string): Record<string, unknown> {
  if (raw.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AdminError(400, "the body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new AdminError(400, "the body must be a JSON object");
  return value as Record<string, unknown>;
}

function optionalString(b: Record<string, unknown>, name: string): string | undefined {
  const value = b[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new AdminError(400, `${name} must be a string`);
  return value;
}

function optionalBoolean(b: Record<string, unknown>, name: string): boolean | undefined {
  const value = b[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new AdminError(400, `${name} must be a boolean`);
  return value;
}

function optionalStrings(b: Record<string, unknown>, name: string): string[] | undefined {
  const value = b[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw new AdminError(400, `${name} must be an array of strings`);
  return value as string[];
}

function optionalDate(b: Record<string, unknown>, name: string): Date | undefined {
  const text = optionalString(b, name);
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new AdminError(400, `${name} must be an ISO 8601 date`);
  return date;
}

function object(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new AdminError(400, `${name} must be an object`);
  return value as Record<string, unknown>;
}

function array(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw new AdminError(400, `${name} must be an array`);
  return value;
}

function location(l: Record<string, unknown>, i: number): LocationSpec {
  const at = optionalDate(l, "at");
  const remoteIp = optionalString(l, "remoteIp");
  if (at === undefined || remoteIp === undefined) throw new AdminError(400, `locations[${i}] needs at and remoteIp`);
  return {
    at,
    remoteIp,
    city: optionalString(l, "city"),
    state: optionalString(l, "state"),
    region: optionalString(l, "region"),
    country: optionalString(l, "country"),
  };
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
