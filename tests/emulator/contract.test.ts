// Contract: every answer the emulator gives on an operation of this repository's PingOne contract
// (contract/pingone.openapi.yaml) must be one the contract declares for that operation and status,
// with a body that fits the declared schema and says nothing the contract does not.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { randomUUID } from "node:crypto";

import Ajv, { type ValidateFunction } from "ajv";
import * as yaml from "js-yaml";

import { startEmulator, type RunningEmulator } from "../../emulator";
import { BUILT_IN_ROLES } from "../../emulator/roles";
import { call, requestToken, sessionsUrl, tokenFor, type Reply } from "./helpers";

const CONTRACT_PATH = path.resolve(__dirname, "../../contract/pingone.openapi.yaml");
const IDA = "Identity Data Administrator" as const;
const METHODS = ["get", "put", "post", "patch", "delete", "head", "options"];
const SCHEMA_REF = /^#\/components\/schemas\/([A-Za-z0-9]+)$/;
/**
 * The contract's operations the emulator serves, each exercised below. The contract also describes
 * what the sweep and role work will need (users, populations, role assignments, roles); when the
 * emulator serves one of those, add it here and to the exercise.
 */
const SERVED = [
  "POST /{environmentID}/as/token",
  "GET /environments/{environmentID}/users/{userID}/sessions",
  "GET /environments/{environmentID}/users/{userID}/sessions/{sessionID}",
  "DELETE /environments/{environmentID}/users/{userID}/sessions/{sessionID}",
  "GET /environments/{environmentID}/users",
  "GET /environments/{environmentID}/users/{userID}",
  "GET /environments/{environmentID}/populations/{populationID}",
  "GET /environments/{environmentID}/applications/{applicationID}/roleAssignments",
  "GET /roles/{roleID}",
];

interface Reference {
  $ref: string;
}
interface ResponseSpec {
  description: string;
  content?: Record<string, { schema: Reference | Record<string, unknown> }>;
}
interface OperationSpec {
  responses: Record<string, ResponseSpec | Reference>;
}
type PathSpec = Record<string, OperationSpec> & { servers?: Array<{ url: string }> };
interface Contract {
  servers: Array<{ url: string }>;
  paths: Record<string, PathSpec>;
  components: { schemas: Record<string, unknown>; responses: Record<string, ResponseSpec> };
}

/** One operation of the contract, placed where the emulator serves it. */
interface Operation {
  /** "GET /environments/{environmentID}/users/{userID}/sessions" */
  key: string;
  method: string;
  template: string;
  /** The server the contract gives, which says whether the emulator's apiUrl or authUrl serves it. */
  server: string;
  spec: OperationSpec;
}

interface Observed {
  operation: Operation;
  reply: Reply;
}

function operationsOf(contract: Contract): Operation[] {
  return Object.entries(contract.paths).flatMap(([template, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((method) => ({
      key: `${method.toUpperCase()} ${template}`,
      method,
      template,
      server: (item.servers ?? contract.servers)[0].url,
      spec: item[method],
    })),
  );
}

/** The emulator's base URL for a contract server: the authorization service or the management API. */
function baseFor(emu: RunningEmulator, server: string): string {
  return new URL(server.replace("{tld}", "com")).hostname.startsWith("auth.") ? emu.authUrl : emu.apiUrl;
}

/** The URL of a contract path on the emulator, its `{parameters}` filled from `ids`. */
function urlFor(emu: RunningEmulator, operation: Operation, ids: Record<string, string>): string {
  return (
    baseFor(emu, operation.server) +
    operation.template.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? assert.fail(`no value for {${name}}`))
  );
}

/** Follows a `#/components/responses/...` reference. */
function response(contract: Contract, spec: ResponseSpec | Reference | undefined): ResponseSpec | undefined {
  if (spec === undefined || !("$ref" in spec)) return spec;
  return contract.components.responses[spec.$ref.replace("#/components/responses/", "")];
}

/**
 * The schemas with every object closed (`additionalProperties: false` where the contract leaves it
 * open), so the emulator is held to sending only what the contract writes down.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== "object") return schema;
  const copy: Record<string, unknown> = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, closed(v)]));
  if ("properties" in copy && !("additionalProperties" in copy)) copy.additionalProperties = false;
  return copy;
}

describe("PingOne emulator contract (OpenAPI)", function () {
  let contract: Contract;
  let operations: Operation[];
  let ajv: Ajv;
  /** A schema as the contract writes it (PingOne may add fields). */
  let open: (name: string) => ValidateFunction;
  /** A schema closed: no field the contract does not write. */
  let strict: (name: string) => ValidateFunction;
  let emu: RunningEmulator;
  let observed: Observed[];

  before(async function () {
    contract = yaml.load(fs.readFileSync(CONTRACT_PATH, "utf8")) as Contract;
    operations = operationsOf(contract);
    ajv = new Ajv({ strict: false, allErrors: true });
    // The contract's $refs are "#/components/schemas/...", so the schemas are registered as one document each way.
    ajv.addSchema({ $id: "pingone", components: { schemas: contract.components.schemas } });
    ajv.addSchema({ $id: "pingone-closed", components: { schemas: closed(contract.components.schemas) } });
    open = (name) => ajv.getSchema(`pingone#/components/schemas/${name}`) ?? assert.fail(`no schema ${name}`);
    strict = (name) => ajv.getSchema(`pingone-closed#/components/schemas/${name}`) ?? assert.fail(`no schema ${name}`);
    emu = await startEmulator({ listPageSize: 2 });
    observed = await exerciseEveryOutcome(emu, operations);
  });
  after(() => emu?.stop());

  it("compiles every schema of the contract, and every JSON answer it declares names one of them", () => {
    for (const name of Object.keys(contract.components.schemas)) assert.equal(typeof strict(name), "function", name);
    const jsonAnswers: { where: string; ref: string }[] = [];
    for (const operation of operations) {
      for (const [status, spec] of Object.entries(operation.spec.responses)) {
        const declared = response(contract, spec);
        assert.ok(declared, `${operation.key} ${status}: unknown response ${JSON.stringify(spec)}`);
        // Answers without a JSON body (204) have no schema to name.
        const json = declared.content?.["application/json"]?.schema;
        if (json) jsonAnswers.push({ where: `${operation.key} ${status}`, ref: String((json as Reference).$ref) });
      }
    }
    assert.ok(
      jsonAnswers.length >= operations.length,
      `only ${jsonAnswers.length} JSON answers declared for ${operations.length} operations`,
    );
    for (const { where, ref } of jsonAnswers) assert.match(ref, SCHEMA_REF, where);
  });

  it("answers only with statuses, content types and bodies the contract declares for the operation", () => {
    const seen = new Map<string, Set<number>>();
    for (const { operation, reply } of observed) {
      const where = `${operation.key} -> ${reply.status}: ${reply.text.slice(0, 500)}`;
      seen.set(operation.key, (seen.get(operation.key) ?? new Set()).add(reply.status));
      const declared = response(contract, operation.spec.responses[String(reply.status)]);
      assert.ok(
        declared,
        `${where}\nnot among the declared statuses ${Object.keys(operation.spec.responses).join(", ")}`,
      );
      if (declared.content === undefined) {
        assert.equal(reply.text, "", where);
        continue;
      }
      const contentType = (reply.headers.get("content-type") ?? "").split(";")[0].trim();
      assert.ok(
        contentType in declared.content,
        `${where}\ncontent type ${contentType}, declared ${Object.keys(declared.content).join(", ")}`,
      );
      if (contentType !== "application/json") continue;
      const name = SCHEMA_REF.exec((declared.content[contentType].schema as Reference).$ref)![1];
      const validate = strict(name);
      assert.ok(validate(reply.json), `${where}\n${name}: ${ajv.errorsText(validate.errors)}`);
    }
    const exercised = Object.fromEntries([...seen].map(([key, statuses]) => [key, [...statuses].sort()]));
    const sessionOutcomes = [200, 400, 401, 403, 404, 429, 500, 502, 503, 504];
    assert.deepEqual(exercised, {
      "POST /{environmentID}/as/token": [200, 400, 401],
      "GET /environments/{environmentID}/users/{userID}/sessions": sessionOutcomes,
      "GET /environments/{environmentID}/users/{userID}/sessions/{sessionID}": sessionOutcomes,
      "DELETE /environments/{environmentID}/users/{userID}/sessions/{sessionID}": [204, ...sessionOutcomes.slice(1)],
      "GET /environments/{environmentID}/users": [200, 400, 401, 403],
      "GET /environments/{environmentID}/users/{userID}": [200, 403, 404],
      "GET /environments/{environmentID}/populations/{populationID}": [200, 404],
      "GET /environments/{environmentID}/applications/{applicationID}/roleAssignments": [200, 403],
      "GET /roles/{roleID}": [200, 404],
    });
  });

  it("the validators reject a body that breaks the contract (a test that can fail)", () => {
    const id = randomUUID();
    const cases: Array<[schema: string, body: unknown, closedOnly?: true]> = [
      ["P1Error", { id, code: 42, message: "x" }],
      ["P1Error", { id, code: "X", message: "x", details: [{ code: 1 }] }],
      ["P1Error", { code: "X", message: "x" }],
      ["P1Error", { id: "support-1", code: "X", message: "x" }],
      ["P1Error", { id, code: "X", message: "x", extra: true }, true],
      ["P1Error", { id, code: "X", message: "x", details: [{ code: "X", message: "x", extra: true }] }, true],
      ["Session", { createdAt: "2026-11-28T12:00:00Z" }],
      ["Session", { id, createdAt: "yesterday" }],
      ["Session", { id, colour: "blue" }, true],
      ["SessionList", { _links: { self: { href: "x" } } }],
      ["SessionList", { _embedded: { sessions: [{ id: "1" }] } }],
      ["TokenResponse", { access_token: "t", token_type: "Bearer" }],
      ["TokenResponse", { access_token: "t", token_type: "Bearer", expires_in: "3600" }],
      ["OAuthError", { error: "bad_things", error_description: "x" }],
      ["UserList", { _embedded: { users: [{ id }] } }],
      ["UserList", { _embedded: { users: [] }, _links: { next: {} } }],
      ["User", { id, population: {} }],
      ["Population", { id }],
      [
        "RoleAssignmentList",
        { _embedded: { roleAssignments: [{ id, role: { id }, scope: { id, type: "TENANT" }, environment: { id } }] } },
      ],
      ["Role", { id }],
    ];
    for (const [schema, body, closedOnly] of cases) {
      assert.equal(strict(schema)(body), false, `${schema} (closed) accepted ${JSON.stringify(body)}`);
      if (!closedOnly) assert.equal(open(schema)(body), false, `${schema} accepted ${JSON.stringify(body)}`);
      else
        assert.equal(
          open(schema)(body),
          true,
          `${schema} as written stays open to new fields: ${ajv.errorsText(open(schema).errors)}`,
        );
    }
  });

  it("accepts PingOne's documented shapes of users, populations, role assignments and roles, which the emulator does not serve yet", () => {
    const env = randomUUID();
    const population = randomUUID();
    const user = {
      id: randomUUID(),
      environment: { id: env },
      population: { id: population },
      username: "alice",
      enabled: true,
    };
    const samples: Array<[string, unknown]> = [
      ["User", user],
      [
        "UserList",
        {
          _embedded: { users: [user] },
          _links: {
            self: { href: "https://api.pingone.eu/v1/environments/x/users" },
            next: { href: "https://api.pingone.eu/v1/environments/x/users?cursor=abc" },
          },
          count: 201,
          size: 1,
        },
      ],
      [
        "UserList",
        {
          _embedded: { users: [] },
          _links: { self: { href: "https://api.pingone.com/v1/environments/x/users" } },
          count: 0,
          size: 0,
        },
      ],
      ["Population", { id: population, environment: { id: env }, name: "Contractors" }],
      [
        "RoleAssignmentList",
        {
          _embedded: {
            roleAssignments: ["ENVIRONMENT", "POPULATION", "ORGANIZATION", "APPLICATION"].map((type) => ({
              id: randomUUID(),
              role: { id: randomUUID() },
              scope: { id: randomUUID(), type },
              environment: { id: env },
            })),
          },
        },
      ],
      ["Role", { id: randomUUID(), name: "Identity Data Admin" }],
    ];
    for (const [schema, body] of samples)
      assert.ok(strict(schema)(body), `${schema}: ${ajv.errorsText(strict(schema).errors)}`);
  });

  it("serves the operations it is checked on, 405 for another method on their paths, and not yet the others", async () => {
    assert.deepEqual(
      SERVED.filter((key) => !operations.some((o) => o.key === key)),
      [],
      "every served operation is in the contract",
    );
    const env = emu.state.addEnvironment();
    const populationId = emu.state.addPopulation(env);
    const userId = emu.state.addUser(env, { populationId });
    const app = emu.state.addApplication({ environmentId: env, roles: [{ role: IDA, environmentId: env }] });
    const token = await tokenFor(emu, env, app.clientId, app.clientSecret);
    const answers: string[] = [];
    for (const operation of operations) {
      const served = SERVED.includes(operation.key);
      const methods = served ? METHODS : [operation.method];
      for (const method of methods) {
        const ids = {
          environmentID: env,
          userID: userId,
          sessionID: emu.state.addSession(env, userId).id,
          populationID: populationId,
          applicationID: app.clientId,
          roleID: BUILT_IN_ROLES.identityDataAdmin.id,
        };
        const url = urlFor(emu, operation, ids);
        const documented = contract.paths[operation.template][method] !== undefined;
        const reply =
          operation.key === "POST /{environmentID}/as/token" && method === "post"
            ? await requestToken(emu, env, app.clientId, app.clientSecret)
            : await call(method.toUpperCase(), url, { token });
        const expected = !served ? 404 : !documented ? 405 : method === "delete" ? 204 : 200;
        if (reply.status !== expected)
          answers.push(`${method.toUpperCase()} ${operation.template} -> ${reply.status}, expected ${expected}`);
      }
    }
    assert.deepEqual(answers, []);
  });
});

/** Drives the emulator into every outcome it can give on the served operations, recording each answer. */
async function exerciseEveryOutcome(emu: RunningEmulator, operations: Operation[]): Promise<Observed[]> {
  const s = emu.state;
  const env = s.addEnvironment();
  const inside = s.addPopulation(env);
  const outside = s.addPopulation(env);
  const user = s.addUser(env, { populationId: inside });
  const stranger = s.addUser(env, { populationId: outside });
  const sessions = Array.from({ length: 8 }, () => s.addSession(env, user).id);
  const strangerSession = s.addSession(env, stranger).id;
  const envApp = s.addApplication({ environmentId: env, roles: [{ role: IDA, environmentId: env }] });
  const popApp = s.addApplication({
    environmentId: env,
    roles: [{ role: IDA, environmentId: env, populationId: inside }],
  });
  const postApp = s.addApplication({ environmentId: env, tokenAuthMethod: "client_secret_post", roles: [] });
  const blindApp = s.addApplication({
    environmentId: env,
    roles: [{ role: IDA, environmentId: env }],
    roleAssignmentsReadable: false,
  });
  const token = await tokenFor(emu, env, envApp.clientId, envApp.clientSecret);
  const popToken = await tokenFor(emu, env, popApp.clientId, popApp.clientSecret);
  const blindToken = await tokenFor(emu, env, blindApp.clientId, blindApp.clientSecret);
  const userToken = s.issueUserSessionToken(env, user, sessions[0]);

  const templates = operations.map((operation) => ({
    operation,
    re: new RegExp(
      `^${new URL(baseFor(emu, operation.server)).pathname.replace(/\/$/, "")}${operation.template.replace(/\{[^}]+\}/g, "[^/]+")}$`,
    ),
  }));
  const observed: Observed[] = [];
  const record = async (method: string, url: string, answer: () => Promise<Reply>): Promise<void> => {
    let reply: Reply;
    try {
      reply = await answer();
    } catch {
      return; // a reset has no status to check
    }
    const pathname = new URL(url).pathname;
    const match = templates.find((t) => t.operation.method === method.toLowerCase() && t.re.test(pathname));
    if (!match) throw new Error(`exercise sent a request outside the contract: ${method} ${pathname}`);
    observed.push({ operation: match.operation, reply });
  };
  const send = (method: string, url: string, authToken?: string) =>
    record(method, url, () => call(method, url, { token: authToken }));
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

  // The reads a sweep and a 403 explanation make: success, refusal, not found, a bad filter.
  const api = emu.apiUrl;
  const users = `${api}/environments/${env}/users`;
  await send("GET", `${users}?limit=2`, token); // 200, a next link
  await send("GET", `${users}?filter=${encodeURIComponent(`population.id eq "${inside}"`)}`, popToken); // 200, its own population
  await send("GET", `${users}?filter=${encodeURIComponent('username co "x"')}`, token); // 400 INVALID_FILTER
  await send("GET", users); // 401
  await send("GET", `${api}/environments/${randomUUID()}/users`, token); // 403 unknown environment
  await send("GET", `${users}/${user}`, token); // 200
  await send("GET", `${users}/${stranger}`, popToken); // 403 outside its populations
  await send("GET", `${users}/${randomUUID()}`, token); // 404
  await send("GET", `${api}/environments/${env}/populations/${inside}`, token); // 200
  await send("GET", `${api}/environments/${env}/populations/${randomUUID()}`, token); // 404
  await send("GET", `${api}/environments/${env}/applications/${envApp.clientId}/roleAssignments`, token); // 200
  await send("GET", `${api}/environments/${env}/applications/${envApp.clientId}/roleAssignments`, blindToken); // 403 may not read them
  await send("GET", `${api}/roles/${BUILT_IN_ROLES.identityDataAdmin.id}`, token); // 200
  await send("GET", `${api}/roles/${randomUUID()}`, token); // 404

  const tokenUrl = `${emu.authUrl}/${env}/as/token`;
  const form = { "content-type": "application/x-www-form-urlencoded" };
  await record("POST", tokenUrl, () => requestToken(emu, env, envApp.clientId, envApp.clientSecret)); // 200 client_secret_basic
  await record("POST", tokenUrl, () => requestToken(emu, env, postApp.clientId, postApp.clientSecret, "post")); // 200 client_secret_post
  await record("POST", tokenUrl, () => requestToken(emu, env, envApp.clientId, "wrong secret")); // 401
  await record("POST", tokenUrl, () =>
    call("POST", tokenUrl, { headers: form, body: "grant_type=client_credentials" }),
  ); // 401 no client
  await record("POST", tokenUrl, () =>
    requestToken(emu, env, envApp.clientId, envApp.clientSecret, "basic", { grant_type: "password" }),
  ); // 400
  await record("POST", tokenUrl, () =>
    call("POST", tokenUrl, { headers: { "content-type": "application/json" }, body: "{}" }),
  ); // 400
  for (const status of [400, 401]) {
    emu.injectFault({ path: `/${env}/as/token`, status });
    await record("POST", tokenUrl, () => requestToken(emu, env, envApp.clientId, envApp.clientSecret));
  }
  return observed;
}
