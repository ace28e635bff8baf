// Contract: what the emulator answers on the session operations must fit PingOne's published
// OpenAPI description (shared/reference/pingone-sessions.openapi.yaml).

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { randomUUID } from "node:crypto";

import Ajv, { type ValidateFunction } from "ajv";
import * as yaml from "js-yaml";

import { startEmulator, type RunningEmulator } from "../../emulator";
import { call, sessionsUrl, tokenFor, type Reply } from "./helpers";

const SPEC_PATH = path.resolve(__dirname, "../../../shared/reference/pingone-sessions.openapi.yaml");
const IDA = "Identity Data Administrator" as const;
/** Statuses whose bodies the spec types as P1Error and the emulator produces. */
const P1_STATUSES = [400, 401, 403, 404, 429, 500];
/** Gateway statuses injected by faults and chaos; the spec does not declare them. */
const OUT_OF_CONTRACT = new Set([502, 503, 504]);
const METHODS = ["get", "put", "post", "patch", "delete", "head", "options"];

interface OpenApi {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
}

interface Observed {
  method: string;
  template: string;
  reply: Reply;
}

/** Turns "/environments/{environmentID}/users/{userID}/sessions" into a RegExp over "/v1/..." paths. */
function templateRegExp(template: string): RegExp {
  return new RegExp(`^/v1${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
}

describe("PingOne emulator contract (OpenAPI)", function () {
  let spec: OpenApi;
  let ajv: Ajv;
  let validateP1: ValidateFunction;
  let validateP1Strictly: ValidateFunction;
  let emu: RunningEmulator;
  let observed: Observed[];

  before(async function () {
    if (!fs.existsSync(SPEC_PATH)) {
      throw new Error(`OpenAPI contract not found at ${SPEC_PATH}; CI expects the shared/ folder beside the repository clone (../shared/reference/).`);
    }
    spec = yaml.load(fs.readFileSync(SPEC_PATH, "utf8")) as OpenApi;
    ajv = new Ajv({ strict: false, allErrors: true });
    // The spec's $refs are "#/components/schemas/...", so the components are registered as one document.
    ajv.addSchema({ $id: "pingone", components: spec.components });
    validateP1 = ajv.compile({ $ref: "pingone#/components/schemas/P1Error" });
    // The published schema requires nothing; PingOne's docs say id, code and message are always present.
    validateP1Strictly = ajv.compile({
      allOf: [{ $ref: "pingone#/components/schemas/P1Error" }],
      required: ["id", "code", "message"],
      propertyNames: { enum: ["id", "code", "message", "details"] },
      properties: {
        id: { type: "string", pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" },
        details: { items: { required: ["code", "message"], propertyNames: { enum: ["code", "target", "message", "innerError"] } } },
      },
    });
    emu = await startEmulator({ listPageSize: 2 });
    observed = await exerciseEveryOutcome(emu, spec);
  });
  after(() => emu?.stop());

  it("validates every 400/401/403/404/429/500 body against components.schemas.P1Error, with id, code and message", () => {
    const errors = observed.filter((o) => P1_STATUSES.includes(o.reply.status));
    assert.deepEqual([...new Set(errors.map((o) => o.reply.status))].sort(), P1_STATUSES, "every P1Error status was exercised");
    for (const { method, template, reply } of errors) {
      const where = `${method} ${template} -> ${reply.status}: ${reply.text}`;
      assert.match(reply.headers.get("content-type") ?? "", /^application\/json/, where);
      assert.ok(validateP1(reply.json), `${where}\n${ajv.errorsText(validateP1.errors)}`);
      assert.ok(validateP1Strictly(reply.json), `${where}\n${ajv.errorsText(validateP1Strictly.errors)}`);
    }
  });

  it("the validators reject a body that breaks the schema (a test that can fail)", () => {
    assert.equal(validateP1({ id: randomUUID(), code: 42, message: "x" }), false);
    assert.equal(validateP1({ id: randomUUID(), code: "X", message: "x", details: [{ code: 1 }] }), false);
    assert.equal(validateP1Strictly({ code: "X", message: "x" }), false);
    assert.equal(validateP1Strictly({ id: randomUUID(), code: "X", message: "x", extra: true }), false);
  });

  it("answers the three session operations only with statuses the spec declares (502/503/504 faults aside)", () => {
    const seen = new Set<number>();
    for (const { method, template, reply } of observed) {
      const operation = spec.paths[template][method];
      if (!operation || OUT_OF_CONTRACT.has(reply.status)) continue;
      seen.add(reply.status);
      assert.ok(String(reply.status) in operation.responses, `${method.toUpperCase()} ${template} answered ${reply.status}, not in ${Object.keys(operation.responses).join(", ")}`);
    }
    for (const status of [200, 204, ...P1_STATUSES]) assert.ok(seen.has(status), `status ${status} was exercised`);
  });

  it("serves exactly the documented operations: list, read and delete sessions", async () => {
    const documented = Object.entries(spec.paths).flatMap(([template, ops]) => Object.keys(ops).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${template}`));
    assert.deepEqual(documented.sort(), [
      "DELETE /environments/{environmentID}/users/{userID}/sessions/{sessionID}",
      "GET /environments/{environmentID}/users/{userID}/sessions",
      "GET /environments/{environmentID}/users/{userID}/sessions/{sessionID}",
    ]);
    const env = emu.state.addEnvironment();
    const user = emu.state.addUser(env);
    const app = emu.state.addApplication({ environmentId: env, roles: [{ role: IDA, environmentId: env }] });
    const token = await tokenFor(emu, env, app.clientId, app.clientSecret);
    for (const template of Object.keys(spec.paths)) {
      for (const method of METHODS) {
        const session = emu.state.addSession(env, user).id;
        const url = emu.apiUrl + template.replace("{environmentID}", env).replace("{userID}", user).replace("{sessionID}", session);
        const reply = await call(method.toUpperCase(), url, { token });
        const isDocumented = spec.paths[template][method] !== undefined;
        if (isDocumented) assert.ok(reply.status === 200 || reply.status === 204, `${method} ${template} -> ${reply.status}`);
        else assert.equal(reply.status, 405, `${method} ${template} is not a PingOne operation`);
      }
    }
  });
});

/** Drives the emulator into every outcome it can give on the session operations, recording each answer. */
async function exerciseEveryOutcome(emu: RunningEmulator, spec: OpenApi): Promise<Observed[]> {
  const s = emu.state;
  const env = s.addEnvironment();
  const inside = s.addPopulation(env);
  const outside = s.addPopulation(env);
  const user = s.addUser(env, { populationId: inside });
  const stranger = s.addUser(env, { populationId: outside });
  const sessions = Array.from({ length: 8 }, () => s.addSession(env, user).id);
  const strangerSession = s.addSession(env, stranger).id;
  const envApp = s.addApplication({ environmentId: env, roles: [{ role: IDA, environmentId: env }] });
  const popApp = s.addApplication({ environmentId: env, roles: [{ role: IDA, environmentId: env, populationId: inside }] });
  const token = await tokenFor(emu, env, envApp.clientId, envApp.clientSecret);
  const popToken = await tokenFor(emu, env, popApp.clientId, popApp.clientSecret);
  const userToken = s.issueUserSessionToken(env, user, sessions[0]);

  const templates = Object.keys(spec.paths).map((template) => ({ template, re: templateRegExp(template) }));
  const observed: Observed[] = [];
  const send = async (method: string, url: string, authToken?: string): Promise<void> => {
    let reply: Reply;
    try {
      reply = await call(method, url, { token: authToken });
    } catch {
      return; // a reset has no status to check
    }
    const pathname = new URL(url).pathname;
    const match = templates.find((t) => t.re.test(pathname));
    if (!match) throw new Error(`exercise sent a request outside the spec: ${pathname}`);
    observed.push({ method: method.toLowerCase(), template: match.template, reply });
  };
  const list = sessionsUrl(emu, env, user);
  const item = (id: string, u = user) => sessionsUrl(emu, env, u, id);
  const ops: Array<[string, string]> = [
    ["GET", list],
    ["GET", item(sessions[1])],
    ["DELETE", item(sessions[2])],
  ];

  for (const [method, url] of ops) {
    await send(method, url, token); // 200 / 204
    await send(method, url); // 401
    await send(method, url, "not-a-token"); // 401
    await send(method, url.replace(env, "not-a-uuid"), token); // 400
    await send(method, url.replace(env, randomUUID()), token); // 403 unknown environment
    await send(method, url.replace(user, stranger), popToken); // 403 population rule
    await send(method, url.replace(user, randomUUID()), token); // 404 unknown user
    emu.injectFault({ path: "/v1/", status: 429, retryAfter: "1" });
    await send(method, url, token);
    emu.injectFault({ path: "/v1/", status: 500 });
    await send(method, url, token);
    for (const status of [502, 503, 504]) {
      emu.injectFault({ path: "/v1/", status });
      await send(method, url, token);
    }
  }
  await send("GET", `${list}?cursor=forged`, token); // 400 bad cursor
  await send("GET", (await call("GET", list, { token })).json._links.next.href, token); // 200 second page
  await send("GET", item(randomUUID()), token); // 404
  await send("DELETE", item(randomUUID()), token); // 404
  await send("DELETE", item(sessions[2]), token); // 404 already deleted
  await send("DELETE", item(sessions[0]), userToken); // 400 current session
  await send("GET", item(strangerSession, stranger), userToken); // 403 another user
  emu.setRateLimit({ requestsPerSecond: 1, burst: 1 });
  await send("GET", list, token);
  await send("GET", list, token); // 429 rate limited
  emu.setRateLimit(undefined);
  emu.setChaos({ seed: 3, rate: 1, kinds: ["429", "500", "502", "503", "504"] });
  for (let i = 0; i < 10; i++) await send("GET", item(sessions[3]), token);
  emu.setChaos(undefined);
  return observed;
}
