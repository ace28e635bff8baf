// The out-of-process control surface under /__emulator/: the same seeding, fault and log controls
// as RunningEmulator, as JSON over HTTP. Never rate-limited, faulted, delayed or logged, so a test
// can set the stage without disturbing what it measures.

import type * as http from "node:http";

import { EmulatorStateError, type RoleAssignment, type TokenAuthMethod } from "./state";
import { seedDemo } from "./seed";
import type { ChaosOptions, FaultSpec, RateLimit, RunningEmulator } from "./types";

/** What the admin API drives; `EmulatorServer` provides it. */
export type AdminControls = Pick<
  RunningEmulator,
  "state" | "injectFault" | "clearFaults" | "requests" | "clearRequests" | "setLatency" | "setRateLimit" | "setChaos"
>;

/** A request the admin API cannot honour; `status` is the HTTP answer. */
class AdminError extends Error {
  constructor(readonly status: number, message: string) {
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
 * - POST /__emulator/environments/{env}/populations `{id?, name?}` -> 201 `{id}`
 * - POST /__emulator/environments/{env}/users `{id?, populationId?, username?}` -> 201 `{id}`
 * - POST /__emulator/environments/{env}/users/{user}/sessions `{id?, createdAt? (ISO)}` -> 201 session
 * - GET  /__emulator/environments/{env}/users/{user}/sessions -> 200 `{sessions}` newest first, no auth
 * - POST /__emulator/environments/{env}/users/{user}/sessions/{sid}/token -> 201 `{accessToken}` (user sign-on token)
 * - POST /__emulator/applications `{environmentId, clientId?, clientSecret?, tokenAuthMethod?, roles}` -> 201 `{clientId, clientSecret}`
 * - POST /__emulator/tokens/expire -> 204 (every issued token becomes invalid)
 * - POST /__emulator/faults FaultSpec, with `path` a prefix or `pathPattern` a RegExp source, `body` a string -> 204
 * - DELETE /__emulator/faults -> 204
 * - GET /__emulator/requests -> 200 RequestLogEntry[]; DELETE -> 204
 * - PUT /__emulator/settings `{latencyMs?, rateLimit?: RateLimit|null, chaos?: ChaosOptions|null}` -> 204
 * - POST /__emulator/seed/demo -> 201 DEMO, 409 if already seeded
 */
export function handleAdmin(controls: AdminControls, req: http.IncomingMessage, res: http.ServerResponse, pathname: string, body: string): void {
  try {
    const answer = route(controls, req.method ?? "GET", pathname.slice(PREFIX.length).split("/").filter(Boolean).map(decodeURIComponent), body);
    reply(res, answer.status, answer.body);
  } catch (err) {
    const status = err instanceof AdminError ? err.status : err instanceof EmulatorStateError ? STATE_STATUS[err.kind] : err instanceof RangeError || err instanceof URIError ? 400 : 500;
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
    if (method !== allowed) throw new AdminError(405, `${method} is not allowed on /__emulator/${parts.join("/")}; use ${allowed}`);
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
      return { status: 201, body: { id: c.state.addPopulation(parts[1], { id: optionalString(b, "id"), name: optionalString(b, "name") }) } };
    }
    case "environments/:/users": {
      expect("POST");
      const b = input();
      const id = c.state.addUser(parts[1], { id: optionalString(b, "id"), populationId: optionalString(b, "populationId"), username: optionalString(b, "username") });
      return { status: 201, body: { id } };
    }
    case "environments/:/users/:/sessions": {
      if (method === "GET") return { status: 200, body: { sessions: c.state.listSessions(parts[1], parts[3]) } };
      expect("POST");
      const b = input();
      const createdAt = optionalString(b, "createdAt");
      return { status: 201, body: c.state.addSession(parts[1], parts[3], { id: optionalString(b, "id"), createdAt: createdAt === undefined ? undefined : new Date(createdAt) }) };
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
      if (!Array.isArray(b.roles)) throw new AdminError(400, "roles must be an array of {role, environmentId, populationId?}");
      const created = c.state.addApplication({
        environmentId,
        clientId: optionalString(b, "clientId"),
        clientSecret: optionalString(b, "clientSecret"),
        tokenAuthMethod: optionalString(b, "tokenAuthMethod") as TokenAuthMethod | undefined,
        roles: b.roles as RoleAssignment[],
      });
      return { status: 201, body: created };
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
      return { status: 204 };
    }
    case "seed/demo":
      expect("POST");
      return { status: 201, body: seedDemo(c.state) };
    default:
      throw new AdminError(404, `no admin route /__emulator/${parts.join("/")}`);
  }
}

/** Which path segments are ids: the ones after "environments", "users" and "sessions". */
function isParam(parts: string[], i: number): boolean {
  return i > 0 && (parts[i - 1] === "environments" || parts[i - 1] === "users" || parts[i - 1] === "sessions") && i % 2 === 1;
}

function faultFromJson(b: Record<string, unknown>): FaultSpec {
  const path = typeof b.pathPattern === "string" ? new RegExp(b.pathPattern) : b.path;
  if (typeof path !== "string" && !(path instanceof RegExp)) throw new AdminError(400, "fault needs path (a prefix) or pathPattern (a RegExp source)");
  const headers = b.headers;
  if (headers !== undefined && (typeof headers !== "object" || headers === null || Object.values(headers).some((v) => typeof v !== "string"))) {
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
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new AdminError(400, "the body must be a JSON object");
  return value as Record<string, unknown>;
}

function optionalString(b: Record<string, unknown>, name: string): string | undefined {
  const value = b[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new AdminError(400, `${name} must be a string`);
  return value;
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
