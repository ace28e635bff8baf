// The emulator over real HTTP on loopback, checked against PingOne's rules as contract/pingone.openapi.yaml writes them.

import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";

import { DEMO, EmulatorState, startEmulator, type RunningEmulator } from "../../emulator";
import { main } from "../../emulator/cli";
import { call, requestToken, sessionsUrl, statusOrReset, tokenFor, UUID_PATTERN } from "./helpers";

const IDA = "Identity Data Administrator" as const;
const ACCESS_FAILED_MESSAGE = "The request could not be completed. You do not have access to this resource.";
const CURRENT_SESSION_MESSAGE = "The session to be deleted cannot be the current session.";

/** A tenant with two populations and three worker applications of different reach. */
function seedTenant(emu: RunningEmulator) {
  const s = emu.state;
  const env = s.addEnvironment();
  const popA = s.addPopulation(env, { name: "A" });
  const popB = s.addPopulation(env, { name: "B" });
  const userA = s.addUser(env, { populationId: popA, username: "ann" });
  const userB = s.addUser(env, { populationId: popB, username: "ben" });
  const t0 = Date.parse("2025-01-01T00:00:00Z");
  const sessionsA = [0, 1, 2].map((i) => s.addSession(env, userA, { createdAt: new Date(t0 + i * 60_000) }).id);
  const sessionsB = [0, 1].map((i) => s.addSession(env, userB, { createdAt: new Date(t0 + i * 60_000) }).id);
  const envApp = s.addApplication({ environmentId: env, roles: [{ role: IDA, environmentId: env }] });
  const postApp = s.addApplication({
    environmentId: env,
    tokenAuthMethod: "client_secret_post",
    roles: [{ role: IDA, environmentId: env }],
  });
  const popApp = s.addApplication({
    environmentId: env,
    roles: [{ role: IDA, environmentId: env, populationId: popA }],
  });
  return { env, popA, popB, userA, userB, sessionsA, sessionsB, envApp, postApp, popApp };
}

describe("PingOne emulator", function () {
  let emu: RunningEmulator;
  let t: ReturnType<typeof seedTenant>;
  let envToken: string;

  beforeEach(async () => {
    emu = await startEmulator();
    t = seedTenant(emu);
    envToken = await tokenFor(emu, t.env, t.envApp.clientId, t.envApp.clientSecret);
    emu.clearRequests();
  });
  afterEach(() => emu.stop());

  describe("token endpoint", () => {
    it("issues a bearer token for client_secret_basic with the configured lifetime", async () => {
      const custom = await startEmulator({ tokenLifetimeSeconds: 1234 });
      try {
        const env = custom.state.addEnvironment();
        const app = custom.state.addApplication({ environmentId: env, roles: [] });
        const reply = await requestToken(custom, env, app.clientId, app.clientSecret);
        assert.equal(reply.status, 200);
        assert.equal(reply.json.token_type, "Bearer");
        assert.equal(reply.json.expires_in, 1234);
        assert.match(reply.json.access_token, /^[A-Za-z0-9_-]{32,}$/);
        assert.equal(reply.headers.get("cache-control"), "no-store");
      } finally {
        await custom.stop();
      }
    });

    it("issues a token for client_secret_post with credentials in the form", async () => {
      const reply = await requestToken(emu, t.env, t.postApp.clientId, t.postApp.clientSecret, "post");
      assert.equal(reply.status, 200);
      assert.equal(reply.json.token_type, "Bearer");
    });

    it("refuses a wrong secret with 401 invalid_client", async () => {
      const reply = await requestToken(emu, t.env, t.envApp.clientId, "wrong-secret");
      assert.equal(reply.status, 401);
      assert.equal(reply.json.error, "invalid_client");
      assert.match(reply.json.error_description, /client_secret/);
      assert.match(reply.headers.get("www-authenticate") ?? "", /^Basic/);
    });

    it("refuses the auth method the application is not set up for (BadParameters)", async () => {
      const postForBasicApp = await requestToken(emu, t.env, t.envApp.clientId, t.envApp.clientSecret, "post");
      const basicForPostApp = await requestToken(emu, t.env, t.postApp.clientId, t.postApp.clientSecret, "basic");
      assert.deepEqual([postForBasicApp.status, postForBasicApp.json.error], [401, "invalid_client"]);
      assert.deepEqual([basicForPostApp.status, basicForPostApp.json.error], [401, "invalid_client"]);
      assert.match(basicForPostApp.json.error_description, /client_secret_post/);
    });

    it("refuses a client at another environment's token endpoint", async () => {
      const other = emu.state.addEnvironment();
      const reply = await requestToken(emu, other, t.envApp.clientId, t.envApp.clientSecret);
      assert.deepEqual([reply.status, reply.json.error], [401, "invalid_client"]);
    });

    it("refuses a missing or other grant_type with 400 unsupported_grant_type", async () => {
      const missing = await requestToken(emu, t.env, t.envApp.clientId, t.envApp.clientSecret, "basic", {});
      const password = await requestToken(emu, t.env, t.envApp.clientId, t.envApp.clientSecret, "basic", {
        grant_type: "password",
      });
      assert.deepEqual([missing.status, missing.json.error], [400, "unsupported_grant_type"]);
      assert.deepEqual([password.status, password.json.error], [400, "unsupported_grant_type"]);
    });

    it("refuses a body that is not form-encoded, and any method but POST", async () => {
      const basic = `Basic ${Buffer.from(`${t.envApp.clientId}:${t.envApp.clientSecret}`).toString("base64")}`;
      const json = await call("POST", `${emu.authUrl}/${t.env}/as/token`, {
        headers: { authorization: basic, "content-type": "application/json" },
        body: JSON.stringify({ grant_type: "client_credentials" }),
      });
      const get = await call("GET", `${emu.authUrl}/${t.env}/as/token`, { headers: { authorization: basic } });
      assert.deepEqual([json.status, json.json.error], [400, "invalid_request"]);
      assert.deepEqual([get.status, get.headers.get("allow")], [405, "POST"]);
    });
  });

  describe("session operations", () => {
    it("lists a user's sessions newest first with count, size and absolute links", async () => {
      const reply = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      assert.equal(reply.status, 200);
      const ids = reply.json._embedded.sessions.map((s: { id: string }) => s.id);
      assert.deepEqual(ids, [...t.sessionsA].reverse());
      assert.equal(reply.json.count, 3);
      assert.equal(reply.json.size, 3);
      assert.equal(reply.json._links.self.href, sessionsUrl(emu, t.env, t.userA));
      assert.equal(reply.json._links.next, undefined);
    });

    it("reads one session with every documented field", async () => {
      const reply = await call("GET", sessionsUrl(emu, t.env, t.userA, t.sessionsA[0]), { token: envToken });
      assert.equal(reply.status, 200);
      const s = reply.json;
      assert.equal(s.id, t.sessionsA[0]);
      assert.equal(s.environment.id, t.env);
      assert.equal(s.user.id, t.userA);
      assert.equal(s.createdAt, "2025-01-01T00:00:00.000Z");
      for (const field of ["activeAt", "expiresAt"]) assert.ok(!Number.isNaN(Date.parse(s[field])), field);
      assert.equal(typeof s.lastSignOn.at, "string");
      assert.equal(typeof s.lastSignOn.remoteIp, "string");
      assert.ok(Array.isArray(s.lastSignOn.authenticators));
      assert.equal(typeof s.browser.name, "string");
      assert.equal(typeof s.browser.version, "string");
      assert.equal(typeof s.device.type, "string");
      assert.equal(typeof s.operatingSystem.name, "string");
      assert.ok(s.locations.length >= 1 && s.locations.length <= 5);
      assert.deepEqual(Object.keys(s.locations[0]).sort(), ["at", "city", "country", "region", "remoteIp", "state"]);
      assert.equal(typeof s.idleTimeoutInMinutes, "number");
      assert.equal(s._links.self.href, sessionsUrl(emu, t.env, t.userA, t.sessionsA[0]));
      assert.equal(s._links.environment.href, `${emu.apiUrl}/environments/${t.env}`);
      assert.equal(s._links.user.href, `${emu.apiUrl}/environments/${t.env}/users/${t.userA}`);
    });

    it("deletes a session with 204 and an empty body, and answers 404 NOT_FOUND to a second delete", async () => {
      const url = sessionsUrl(emu, t.env, t.userA, t.sessionsA[1]);
      const first = await call("DELETE", url, { token: envToken });
      assert.equal(first.status, 204);
      assert.equal(first.text, "");
      assert.equal(emu.state.getSession(t.env, t.userA, t.sessionsA[1]), undefined);
      assert.equal(emu.state.listSessions(t.env, t.userA).length, 2);
      const second = await call("DELETE", url, { token: envToken });
      assert.equal(second.status, 404);
      assert.equal(second.json.code, "NOT_FOUND");
      assert.equal(second.json.message, "The requested resource was not found.");
      assert.match(second.json.id, UUID_PATTERN);
    });

    it("answers 404 NOT_FOUND for an unknown session and, to an environment-level admin, an unknown user", async () => {
      const session = await call("GET", sessionsUrl(emu, t.env, t.userA, randomUUID()), { token: envToken });
      const user = await call("GET", sessionsUrl(emu, t.env, randomUUID()), { token: envToken });
      assert.deepEqual([session.status, session.json.code], [404, "NOT_FOUND"]);
      assert.deepEqual([user.status, user.json.code], [404, "NOT_FOUND"]);
    });

    it("answers 400 INVALID_DATA naming each path id that is not a UUID", async () => {
      const env = await call("GET", `${emu.apiUrl}/environments/not-a-uuid/users/${t.userA}/sessions`, {
        token: envToken,
      });
      assert.equal(env.status, 400);
      assert.equal(env.json.code, "INVALID_DATA");
      assert.deepEqual(
        env.json.details.map((d: { code: string; target: string }) => [d.code, d.target]),
        [["INVALID_VALUE", "environmentId"]],
      );
      const both = await call("DELETE", `${emu.apiUrl}/environments/${t.env}/users/bob/sessions/123`, {
        token: envToken,
      });
      assert.deepEqual(
        both.json.details.map((d: { target: string }) => d.target),
        ["userId", "sessionId"],
      );
    });

    it("answers 405 with Allow to methods the API does not offer, and 404 to unknown paths and /v1/v1", async () => {
      const post = await call("POST", sessionsUrl(emu, t.env, t.userA), { token: envToken, body: "{}" });
      const put = await call("PUT", sessionsUrl(emu, t.env, t.userA, t.sessionsA[0]), { token: envToken, body: "{}" });
      const doubled = await call("GET", sessionsUrl(emu, t.env, t.userA).replace("/v1/", "/v1/v1/"), {
        token: envToken,
      });
      const outside = await call("GET", `${emu.url}/nothing-here`);
      assert.deepEqual([post.status, post.headers.get("allow")], [405, "GET"]);
      assert.deepEqual([put.status, put.headers.get("allow")], [405, "GET, DELETE"]);
      assert.deepEqual([doubled.status, doubled.json.code], [404, "NOT_FOUND"]);
      assert.deepEqual([outside.status, outside.json.code], [404, "NOT_FOUND"]);
      assert.equal(emu.state.listSessions(t.env, t.userA).length, 3);
    });

    it("echoes X-Ping-External-Transaction-ID (invalid characters as _) or generates one, and sets Correlation-Id", async () => {
      const sent = await call("GET", sessionsUrl(emu, t.env, t.userA), {
        token: envToken,
        headers: { "X-Ping-External-Transaction-ID": "run-42/step 1" },
      });
      const generated = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      assert.equal(sent.headers.get("x-ping-external-transaction-id"), "run-42/step_1");
      assert.match(generated.headers.get("x-ping-external-transaction-id") ?? "", UUID_PATTERN);
      assert.match(sent.headers.get("correlation-id") ?? "", UUID_PATTERN);
      assert.notEqual(sent.headers.get("correlation-id"), generated.headers.get("correlation-id"));
    });

    it("gives every P1Error a fresh UUID id", async () => {
      const a = await call("GET", sessionsUrl(emu, t.env, t.userA, randomUUID()), { token: envToken });
      const b = await call("GET", sessionsUrl(emu, t.env, t.userA, randomUUID()), { token: envToken });
      assert.match(a.json.id, UUID_PATTERN);
      assert.notEqual(a.json.id, b.json.id);
    });
  });

  describe("authentication", () => {
    it("answers 401 ACCESS_FAILED with WWW-Authenticate: Bearer when no token is sent", async () => {
      const reply = await call("GET", sessionsUrl(emu, t.env, t.userA));
      assert.equal(reply.status, 401);
      assert.equal(reply.json.code, "ACCESS_FAILED");
      assert.equal(reply.json.message, ACCESS_FAILED_MESSAGE);
      assert.equal(reply.headers.get("www-authenticate"), "Bearer");
    });

    it("answers 401 with error=invalid_token to an unknown token, even on an unknown path", async () => {
      const reply = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: "forged" });
      const unknownPath = await call("GET", `${emu.apiUrl}/environments`, { token: "forged" });
      assert.equal(reply.status, 401);
      assert.equal(reply.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
      assert.equal(unknownPath.status, 401);
    });

    it("answers 401 to tokens issued before expireAllTokens, and accepts a fresh one", async () => {
      emu.state.expireAllTokens();
      const stale = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      const fresh = await tokenFor(emu, t.env, t.envApp.clientId, t.envApp.clientSecret);
      const retried = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: fresh });
      assert.deepEqual([stale.status, stale.json.code], [401, "ACCESS_FAILED"]);
      assert.equal(retried.status, 200);
    });

    it("answers 401 to a token past its lifetime", async () => {
      const shortLived = await startEmulator({ tokenLifetimeSeconds: 0 });
      try {
        const env = shortLived.state.addEnvironment();
        const user = shortLived.state.addUser(env);
        const app = shortLived.state.addApplication({ environmentId: env, roles: [{ role: IDA, environmentId: env }] });
        const token = await tokenFor(shortLived, env, app.clientId, app.clientSecret);
        const reply = await call("GET", sessionsUrl(shortLived, env, user), { token });
        assert.equal(reply.status, 401);
      } finally {
        await shortLived.stop();
      }
    });

    it("expires tokens after tokenLifetimeSeconds by the state's clock", () => {
      let now = 1_000_000;
      const state = new EmulatorState({ tokenLifetimeSeconds: 60, clock: () => now });
      const env = state.addEnvironment();
      const app = state.addApplication({ environmentId: env, roles: [] });
      const { accessToken } = state.issueApplicationToken(app.clientId);
      now += 59_999;
      assert.deepEqual(state.resolveToken(accessToken), { kind: "application", clientId: app.clientId });
      now += 1;
      assert.equal(state.resolveToken(accessToken), undefined);
    });
  });

  describe("role rule", () => {
    it("lets a population-scoped application act on users of its population", async () => {
      const token = await tokenFor(emu, t.env, t.popApp.clientId, t.popApp.clientSecret);
      const list = await call("GET", sessionsUrl(emu, t.env, t.userA), { token });
      const del = await call("DELETE", sessionsUrl(emu, t.env, t.userA, t.sessionsA[0]), { token });
      assert.deepEqual([list.status, del.status], [200, 204]);
    });

    it("answers 403 INSUFFICIENT_PERMISSIONS to a population-scoped application outside its population, and deletes nothing", async () => {
      const token = await tokenFor(emu, t.env, t.popApp.clientId, t.popApp.clientSecret);
      const list = await call("GET", sessionsUrl(emu, t.env, t.userB), { token });
      const del = await call("DELETE", sessionsUrl(emu, t.env, t.userB, t.sessionsB[0]), { token });
      for (const reply of [list, del]) {
        assert.equal(reply.status, 403);
        assert.equal(reply.json.code, "ACCESS_FAILED");
        assert.equal(reply.json.details[0].code, "INSUFFICIENT_PERMISSIONS");
      }
      // PingOne's words, never a hint at which role or population would have been needed.
      assert.equal(list.json.details[0].message, "Actor does not have permissions to access this resource.");
      assert.notEqual(emu.state.getSession(t.env, t.userB, t.sessionsB[0]), undefined);
    });

    it("answers 403, not 404, to a population-scoped application asking for an unknown user or session outside its reach (no probing)", async () => {
      const token = await tokenFor(emu, t.env, t.popApp.clientId, t.popApp.clientSecret);
      const unknownUser = await call("GET", sessionsUrl(emu, t.env, randomUUID()), { token });
      const unknownSessionOutside = await call("GET", sessionsUrl(emu, t.env, t.userB, randomUUID()), { token });
      assert.equal(unknownUser.status, 403);
      assert.equal(unknownSessionOutside.status, 403);
      assert.equal(
        unknownUser.json.details[0].message.replace(/[0-9a-f-]{36}/g, "ID"),
        unknownSessionOutside.json.details[0].message.replace(/[0-9a-f-]{36}/g, "ID"),
      );
    });

    it("answers 403 for an unknown environment and for an environment where the application holds no role", async () => {
      const unknownEnv = await call("GET", sessionsUrl(emu, randomUUID(), t.userA), { token: envToken });
      const otherEnv = emu.state.addEnvironment();
      const otherUser = emu.state.addUser(otherEnv);
      const noRole = await call("GET", sessionsUrl(emu, otherEnv, otherUser), { token: envToken });
      assert.deepEqual([unknownEnv.status, unknownEnv.json.details[0].code], [403, "INSUFFICIENT_PERMISSIONS"]);
      assert.deepEqual([noRole.status, noRole.json.details[0].code], [403, "INSUFFICIENT_PERMISSIONS"]);
    });

    it("lets an application issued by one environment act in another where it holds the role", async () => {
      const admin = emu.state.addEnvironment();
      const app = emu.state.addApplication({ environmentId: admin, roles: [{ role: IDA, environmentId: t.env }] });
      const token = await tokenFor(emu, admin, app.clientId, app.clientSecret);
      const reply = await call("GET", sessionsUrl(emu, t.env, t.userB), { token });
      assert.equal(reply.status, 200);
      assert.equal(reply.json.count, 2);
    });
  });

  describe("a user's own sign-on token", () => {
    it("refuses to delete the current session with 400 REQUEST_FAILED, but deletes the user's other sessions", async () => {
      const current = t.sessionsA[2];
      const token = emu.state.issueUserSessionToken(t.env, t.userA, current);
      const own = await call("DELETE", sessionsUrl(emu, t.env, t.userA, current), { token });
      assert.equal(own.status, 400);
      assert.equal(own.json.code, "REQUEST_FAILED");
      assert.equal(own.json.message, CURRENT_SESSION_MESSAGE);
      assert.deepEqual(own.json.details, [
        { code: "INVALID_VALUE", target: "sessionId", message: CURRENT_SESSION_MESSAGE },
      ]);
      assert.notEqual(emu.state.getSession(t.env, t.userA, current), undefined);
      const other = await call("DELETE", sessionsUrl(emu, t.env, t.userA, t.sessionsA[0]), { token });
      assert.equal(other.status, 204);
      const list = await call("GET", sessionsUrl(emu, t.env, t.userA), { token });
      assert.equal(list.json.count, 2);
    });

    it("answers 403 when it reaches for another user's sessions", async () => {
      const token = emu.state.issueUserSessionToken(t.env, t.userA, t.sessionsA[0]);
      const reply = await call("GET", sessionsUrl(emu, t.env, t.userB), { token });
      assert.deepEqual([reply.status, reply.json.details[0].code], [403, "INSUFFICIENT_PERMISSIONS"]);
    });
  });

  describe("session store rules", () => {
    it("keeps at most 10 sessions per user, dropping the oldest", () => {
      const user = emu.state.addUser(t.env);
      const base = Date.parse("2025-02-01T00:00:00Z");
      const ids = Array.from(
        { length: 11 },
        (_, i) => emu.state.addSession(t.env, user, { createdAt: new Date(base + i * 1000) }).id,
      );
      const kept = emu.state.listSessions(t.env, user).map((s) => s.id);
      assert.equal(kept.length, 10);
      assert.deepEqual(kept, ids.slice(1).reverse());
      assert.equal(emu.state.sessionCount(), 3 + 2 + 10);
    });

    it("drops a newly added session at once when it is older than the ten kept", () => {
      const user = emu.state.addUser(t.env);
      const base = Date.parse("2025-02-01T00:00:00Z");
      for (let i = 0; i < 10; i++) emu.state.addSession(t.env, user, { createdAt: new Date(base + i * 1000) });
      const ancient = emu.state.addSession(t.env, user, { createdAt: new Date(base - 1000) });
      assert.equal(emu.state.getSession(t.env, user, ancient.id), undefined);
      assert.equal(emu.state.listSessions(t.env, user).length, 10);
    });

    it("lists sessions added out of order newest first", async () => {
      const user = emu.state.addUser(t.env);
      const middle = emu.state.addSession(t.env, user, { createdAt: new Date("2025-03-02T00:00:00Z") }).id;
      const newest = emu.state.addSession(t.env, user, { createdAt: new Date("2025-03-03T00:00:00Z") }).id;
      const oldest = emu.state.addSession(t.env, user, { createdAt: new Date("2025-03-01T00:00:00Z") }).id;
      const reply = await call("GET", sessionsUrl(emu, t.env, user), { token: envToken });
      assert.deepEqual(
        reply.json._embedded.sessions.map((s: { id: string }) => s.id),
        [newest, middle, oldest],
      );
    });

    it("refuses seeding with a non-UUID id, an unknown parent or a taken id", () => {
      assert.throws(() => emu.state.addEnvironment({ id: "env-1" }), /must be a UUID/);
      assert.throws(() => emu.state.addUser(randomUUID()), /does not exist/);
      assert.throws(() => emu.state.addUser(t.env, { id: t.userA }), {
        name: "EmulatorStateError",
        kind: "conflict",
      } as object);
      assert.throws(
        () =>
          emu.state.addApplication({
            environmentId: t.env,
            roles: [{ role: IDA, environmentId: t.env, populationId: randomUUID() }],
          }),
        /does not exist/,
      );
    });

    it("returns copies from inspection, so callers cannot change the tenant", () => {
      const listed = emu.state.listSessions(t.env, t.userA);
      listed[0].id = "tampered";
      listed.pop();
      assert.equal(emu.state.listSessions(t.env, t.userA)[0].id, t.sessionsA[2]);
      assert.equal(emu.state.listSessions(t.env, t.userA).length, 3);
    });
  });

  describe("list paging", () => {
    it("pages with an absolute _links.next until the last page, covering every session once", async () => {
      const paged = await startEmulator({ listPageSize: 3 });
      try {
        const env = paged.state.addEnvironment();
        const user = paged.state.addUser(env);
        for (let i = 0; i < 7; i++)
          paged.state.addSession(env, user, { createdAt: new Date(Date.UTC(2025, 0, 1, 0, i)) });
        const app = paged.state.addApplication({ environmentId: env, roles: [{ role: IDA, environmentId: env }] });
        const token = await tokenFor(paged, env, app.clientId, app.clientSecret);
        let next: string | undefined = sessionsUrl(paged, env, user);
        const sizes: number[] = [];
        const ids: string[] = [];
        const links: string[] = [];
        while (next !== undefined) {
          const reply = await call("GET", next, { token });
          assert.equal(reply.status, 200);
          assert.equal(reply.json.count, 7);
          assert.equal(reply.json.size, reply.json._embedded.sessions.length);
          sizes.push(reply.json.size);
          ids.push(...reply.json._embedded.sessions.map((s: { id: string }) => s.id));
          next = reply.json._links.next?.href;
          if (next !== undefined) links.push(next);
        }
        assert.deepEqual(sizes, [3, 3, 1]);
        assert.equal(links.length, 2, "a next link on every page but the last");
        for (const link of links)
          assert.ok(link.startsWith(`${paged.apiUrl}/environments/${env}/users/${user}/sessions?`), link);
        assert.deepEqual(
          ids,
          paged.state.listSessions(env, user).map((s) => s.id),
        );
        const forged = await call("GET", `${sessionsUrl(paged, env, user)}?cursor=abc`, { token });
        assert.deepEqual([forged.status, forged.json.details[0].target], [400, "cursor"]);
      } finally {
        await paged.stop();
      }
    });
  });

  describe("scripted faults", () => {
    it("answers with the fault's status and Retry-After once, then normally", async () => {
      emu.injectFault({ method: "GET", path: "/v1/environments", status: 503, retryAfter: "2" });
      const faulted = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      const after = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      assert.equal(faulted.status, 503);
      assert.equal(faulted.headers.get("retry-after"), "2");
      assert.match(faulted.headers.get("content-type") ?? "", /text\/html/);
      assert.equal(after.status, 200);
    });

    it("gives a 429 fault a REQUEST_LIMITED/LIMIT_EXCEEDED body and a 500 fault UNEXPECTED_ERROR by default", async () => {
      emu.injectFault({ path: "/v1/", status: 429, retryAfter: "1" });
      emu.injectFault({ path: "/v1/", status: 500 });
      const limited = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      const broken = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      assert.deepEqual(
        [limited.status, limited.json.code, limited.json.details[0].code],
        [429, "REQUEST_LIMITED", "LIMIT_EXCEEDED"],
      );
      assert.deepEqual([broken.status, broken.json.code], [500, "UNEXPECTED_ERROR"]);
    });

    it("applies to the next `count` matching requests only, and the log shows each", async () => {
      emu.injectFault({ path: "/v1/", status: 500, count: 2 });
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken })).status);
      assert.deepEqual(statuses, [500, 500, 200]);
      assert.deepEqual(
        emu.requests().map((r) => r.status),
        [500, 500, 200],
      );
    });

    it("matches by method and by RegExp", async () => {
      emu.injectFault({ method: "DELETE", path: /\/sessions\/[0-9a-f-]{36}$/, status: 500 });
      const get = await call("GET", sessionsUrl(emu, t.env, t.userA, t.sessionsA[0]), { token: envToken });
      const del = await call("DELETE", sessionsUrl(emu, t.env, t.userA, t.sessionsA[0]), { token: envToken });
      assert.deepEqual([get.status, del.status], [200, 500]);
    });

    it("does not delete when a DELETE is faulted, so the retry deletes", async () => {
      const url = sessionsUrl(emu, t.env, t.userA, t.sessionsA[0]);
      emu.injectFault({ method: "DELETE", path: "/v1/", status: 502 });
      const faulted = await call("DELETE", url, { token: envToken });
      assert.equal(faulted.status, 502);
      assert.notEqual(emu.state.getSession(t.env, t.userA, t.sessionsA[0]), undefined);
      const retry = await call("DELETE", url, { token: envToken });
      assert.equal(retry.status, 204);
      assert.equal(emu.state.getSession(t.env, t.userA, t.sessionsA[0]), undefined);
    });

    it("resets the connection without an answer and logs 'reset'", async () => {
      emu.injectFault({ method: "DELETE", path: "/v1/", reset: true });
      const outcome = await statusOrReset("DELETE", sessionsUrl(emu, t.env, t.userA, t.sessionsA[0]), envToken);
      assert.equal(outcome, "reset");
      assert.deepEqual(
        emu.requests().map((r) => r.status),
        ["reset"],
      );
      assert.notEqual(emu.state.getSession(t.env, t.userA, t.sessionsA[0]), undefined);
    });

    it("sends an overriding raw body and headers as is", async () => {
      emu.injectFault({
        path: "/v1/",
        status: 500,
        body: "<<not json>>",
        headers: { "Content-Type": "text/plain", "X-Fault": "yes" },
      });
      const reply = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      assert.equal(reply.status, 500);
      assert.equal(reply.text, "<<not json>>");
      assert.equal(reply.headers.get("content-type"), "text/plain");
      assert.equal(reply.headers.get("x-fault"), "yes");
    });

    it("with only delayMs, waits and then answers normally", async () => {
      emu.injectFault({ path: "/v1/", delayMs: 150 });
      const started = Date.now();
      const reply = await call("DELETE", sessionsUrl(emu, t.env, t.userA, t.sessionsA[0]), { token: envToken });
      assert.ok(Date.now() - started >= 140, `answered after ${Date.now() - started} ms`);
      assert.equal(reply.status, 204);
      assert.equal(emu.state.getSession(t.env, t.userA, t.sessionsA[0]), undefined);
    });

    it("answers a faulted token request with an OAuth error body", async () => {
      emu.injectFault({ path: `/${t.env}/as/token`, status: 401 });
      const reply = await requestToken(emu, t.env, t.envApp.clientId, t.envApp.clientSecret);
      assert.deepEqual([reply.status, reply.json.error], [401, "invalid_client"]);
    });

    it("stops faulting after clearFaults, and refuses an invalid spec", async () => {
      emu.injectFault({ path: "/v1/", status: 500, count: 5 });
      emu.clearFaults();
      assert.equal((await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken })).status, 200);
      assert.throws(() => emu.injectFault({ path: "/v1/", status: 500, reset: true }), RangeError);
      assert.throws(() => emu.injectFault({ path: "/v1/", status: 500, count: 0 }), RangeError);
    });
  });

  describe("rate limit and latency", () => {
    it("answers the request beyond the burst with 429 REQUEST_LIMITED and Retry-After in whole seconds, and logs it", async () => {
      emu.setRateLimit({ requestsPerSecond: 0.5, burst: 2 });
      const replies = [];
      for (let i = 0; i < 3; i++)
        replies.push(await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken }));
      assert.deepEqual(
        replies.map((r) => r.status),
        [200, 200, 429],
      );
      const limited = replies[2];
      assert.equal(limited.headers.get("retry-after"), "2");
      assert.deepEqual([limited.json.code, limited.json.details[0].code], ["REQUEST_LIMITED", "LIMIT_EXCEEDED"]);
      assert.deepEqual(
        emu.requests().map((r) => r.status),
        [200, 200, 429],
      );
      emu.setRateLimit(undefined);
      assert.equal((await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken })).status, 200);
    });

    it("counts token requests against the same bucket", async () => {
      emu.setRateLimit({ requestsPerSecond: 1, burst: 1 });
      const token = await requestToken(emu, t.env, t.envApp.clientId, t.envApp.clientSecret);
      const api = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      assert.deepEqual([token.status, api.status], [200, 429]);
      assert.equal(api.headers.get("retry-after"), "1");
    });

    it("waits latencyMs before answering", async () => {
      emu.setLatency(120);
      const started = Date.now();
      const reply = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      assert.equal(reply.status, 200);
      assert.ok(Date.now() - started >= 110, `answered after ${Date.now() - started} ms`);
    });
  });

  describe("chaos", () => {
    async function runChaos(seed: number): Promise<Array<number | "reset">> {
      const chaotic = await startEmulator({
        seed: "demo",
        chaos: { seed, rate: 0.5, kinds: ["429", "500", "503", "reset"] },
      });
      try {
        const token = await tokenFor(chaotic, DEMO.environmentId, DEMO.clientId, DEMO.clientSecret);
        const outcomes: Array<number | "reset"> = [];
        for (let i = 0; i < 30; i++)
          outcomes.push(await statusOrReset("GET", sessionsUrl(chaotic, DEMO.environmentId, DEMO.users.bob), token));
        return outcomes;
      } finally {
        await chaotic.stop();
      }
    }

    it("produces the same fault sequence for the same seed, and another for another seed", async () => {
      const first = await runChaos(42);
      const again = await runChaos(42);
      const other = await runChaos(43);
      assert.deepEqual(first, again);
      assert.notDeepEqual(first, other);
      assert.ok(first.includes(200), "some requests pass");
      assert.ok(
        first.some((s) => s !== 200),
        "some requests are faulted",
      );
    });

    it("leaves token requests alone unless includeToken, and never deletes on a faulted DELETE", async () => {
      emu.setChaos({ seed: 1, rate: 1, kinds: ["500"] });
      const token = await requestToken(emu, t.env, t.envApp.clientId, t.envApp.clientSecret);
      const del = await call("DELETE", sessionsUrl(emu, t.env, t.userA, t.sessionsA[0]), { token: envToken });
      assert.equal(token.status, 200);
      assert.equal(del.status, 500);
      assert.notEqual(emu.state.getSession(t.env, t.userA, t.sessionsA[0]), undefined);
      emu.setChaos({ seed: 1, rate: 1, kinds: ["500"], includeToken: true });
      assert.equal((await requestToken(emu, t.env, t.envApp.clientId, t.envApp.clientSecret)).status, 500);
    });

    it("answers 'slow' after slowMs with the normal result", async () => {
      emu.setChaos({ seed: 5, rate: 1, kinds: ["slow"], slowMs: 150 });
      const started = Date.now();
      const reply = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      assert.equal(reply.status, 200);
      assert.ok(Date.now() - started >= 140, `answered after ${Date.now() - started} ms`);
    });

    it("sends the configured Retry-After on chaos 429 and 503", async () => {
      emu.setChaos({ seed: 9, rate: 1, kinds: ["429", "503"], retryAfter: "3" });
      const a = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      const b = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      for (const reply of [a, b]) {
        assert.ok([429, 503].includes(reply.status));
        assert.equal(reply.headers.get("retry-after"), "3");
      }
    });

    it("refuses invalid chaos options", () => {
      assert.throws(() => emu.setChaos({ seed: 1, rate: 1.5 }), /rate/);
      assert.throws(() => emu.setChaos({ seed: 1, rate: 0.5, kinds: [] }), /kinds/);
    });
  });

  describe("request log", () => {
    it("records method, path with query, status, headers as received, body and transaction id", async () => {
      await requestToken(emu, t.env, t.envApp.clientId, t.envApp.clientSecret);
      await call("GET", `${sessionsUrl(emu, t.env, t.userA)}?x=1`, {
        token: envToken,
        headers: { "X-Ping-External-Transaction-ID": "tx-1" },
      });
      const [tokenEntry, listEntry] = emu.requests();
      assert.equal(tokenEntry.method, "POST");
      assert.equal(tokenEntry.path, `/${t.env}/as/token`);
      assert.equal(tokenEntry.status, 200);
      assert.equal(tokenEntry.body, "grant_type=client_credentials");
      assert.match(tokenEntry.headers.authorization, /^Basic /);
      assert.equal(listEntry.path, `/v1/environments/${t.env}/users/${t.userA}/sessions?x=1`);
      assert.equal(listEntry.headers.authorization, `Bearer ${envToken}`);
      assert.equal(listEntry.transactionId, "tx-1");
      assert.equal(listEntry.body, "");
      assert.ok(Math.abs(listEntry.at - Date.now()) < 5000);
      emu.clearRequests();
      assert.deepEqual(emu.requests(), []);
    });

    it("keeps at most requestLogLimit entries, the newest", async () => {
      const small = await startEmulator({ requestLogLimit: 3 });
      try {
        for (let i = 0; i < 8; i++) await call("GET", `${small.url}/n/${i}`);
        assert.deepEqual(
          small.requests().map((r) => r.path),
          ["/n/5", "/n/6", "/n/7"],
        );
      } finally {
        await small.stop();
      }
    });
  });

  describe("admin HTTP API", () => {
    const admin = (method: string, path: string, body?: unknown) =>
      call(method, `${emu.url}/__emulator${path}`, {
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    it("seeds a tenant over HTTP that the API then serves", async () => {
      const env = (await admin("POST", "/environments", {})).json.id as string;
      const pop = await admin("POST", `/environments/${env}/populations`, { name: "P" });
      const user = await admin("POST", `/environments/${env}/users`, { populationId: pop.json.id, username: "u" });
      const session = await admin("POST", `/environments/${env}/users/${user.json.id}/sessions`, {
        createdAt: "2025-05-05T05:05:05.000Z",
      });
      const app = await admin("POST", "/applications", {
        environmentId: env,
        tokenAuthMethod: "client_secret_post",
        roles: [{ role: IDA, environmentId: env, populationId: pop.json.id }],
      });
      assert.deepEqual([pop.status, user.status, session.status, app.status], [201, 201, 201, 201]);
      assert.equal(session.json.createdAt, "2025-05-05T05:05:05.000Z");
      const token = await tokenFor(emu, env, app.json.clientId, app.json.clientSecret, "post");
      const list = await call("GET", sessionsUrl(emu, env, user.json.id), { token });
      assert.deepEqual(
        list.json._embedded.sessions.map((s: { id: string }) => s.id),
        [session.json.id],
      );
      const inspected = await admin("GET", `/environments/${env}/users/${user.json.id}/sessions`);
      assert.equal(inspected.json.sessions.length, 1);
    });

    it("injects and clears faults, and reads and clears the log, without logging itself", async () => {
      assert.equal((await admin("POST", "/faults", { pathPattern: "/sessions$", status: 500, count: 1 })).status, 204);
      const faulted = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      await admin("POST", "/faults", { path: "/v1/", status: 500 });
      await admin("DELETE", "/faults");
      const clean = await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken });
      assert.deepEqual([faulted.status, clean.status], [500, 200]);
      const log = await admin("GET", "/requests");
      assert.deepEqual(
        log.json.map((r: { status: number }) => r.status),
        [500, 200],
      );
      assert.equal((await admin("DELETE", "/requests")).status, 204);
      assert.deepEqual((await admin("GET", "/requests")).json, []);
    });

    it("seeds the demo story once (201) and refuses a second time (409)", async () => {
      const first = await admin("POST", "/seed/demo");
      const second = await admin("POST", "/seed/demo");
      assert.equal(first.status, 201);
      assert.deepEqual(first.json, JSON.parse(JSON.stringify(DEMO)));
      assert.equal(second.status, 409);
    });

    it("issues user sign-on tokens, expires tokens and changes settings", async () => {
      const userToken = await admin("POST", `/environments/${t.env}/users/${t.userA}/sessions/${t.sessionsA[0]}/token`);
      const del = await call("DELETE", sessionsUrl(emu, t.env, t.userA, t.sessionsA[0]), {
        token: userToken.json.accessToken,
      });
      assert.equal(del.status, 400);
      assert.equal((await admin("POST", "/tokens/expire")).status, 204);
      assert.equal((await call("GET", sessionsUrl(emu, t.env, t.userA), { token: envToken })).status, 401);
      assert.equal((await admin("PUT", "/settings", { rateLimit: { requestsPerSecond: 1, burst: 1 } })).status, 204);
      await call("GET", `${emu.url}/x`);
      assert.equal((await call("GET", `${emu.url}/x`)).status, 429);
    });

    it("answers bad input with 400, an unknown parent or route with 404, a taken id with 409", async () => {
      assert.equal((await call("POST", `${emu.url}/__emulator/environments`, { body: "{not json" })).status, 400);
      assert.equal((await admin("POST", "/environments", { id: "nope" })).status, 400);
      assert.equal((await admin("POST", `/environments/${randomUUID()}/users`, {})).status, 404);
      assert.equal((await admin("POST", `/environments/${t.env}/users`, { id: t.userA })).status, 409);
      assert.equal((await admin("GET", "/nothing")).status, 404);
      assert.equal((await admin("POST", "/faults", { path: "/v1/", status: 500, reset: true })).status, 400);
    });
  });

  describe("demo seed", () => {
    it("creates the story: alice 4 and bob 2 sessions in Staff, carol 2 in Contractors, an app scoped to Staff", async () => {
      const demo = await startEmulator({ seed: "demo" });
      try {
        const token = await tokenFor(demo, DEMO.environmentId, DEMO.clientId, DEMO.clientSecret);
        const alice = await call("GET", sessionsUrl(demo, DEMO.environmentId, DEMO.users.alice), { token });
        const bob = await call("GET", sessionsUrl(demo, DEMO.environmentId, DEMO.users.bob), { token });
        const carol = await call("GET", sessionsUrl(demo, DEMO.environmentId, DEMO.users.carol), { token });
        assert.deepEqual(
          alice.json._embedded.sessions.map((s: { id: string }) => s.id),
          DEMO.sessions.alice,
        );
        assert.equal(bob.json.count, 2);
        assert.equal(carol.status, 403);
        assert.equal(demo.state.listSessions(DEMO.environmentId, DEMO.users.carol).length, 2);
        assert.match(DEMO.clientSecret, /^demo-not-a-secret/);
        assert.equal(
          (await requestToken(demo, DEMO.environmentId, DEMO.clientId, DEMO.clientSecret, "post")).status,
          401,
        );
      } finally {
        await demo.stop();
      }
    });
  });

  describe("lifecycle and command line", () => {
    it("stop hangs up on a request still waiting for its answer and on keep-alive sockets, and is idempotent", async () => {
      const short = await startEmulator();
      await call("GET", `${short.url}/x`); // leaves a keep-alive socket open in fetch's pool
      short.injectFault({ path: "/v1/", delayMs: 600_000 });
      const waiting = call("GET", `${short.apiUrl}/x`).then(
        () => "answered",
        () => "hung up on",
      );
      while (!short.requests().some((r) => r.path === "/v1/x")) await new Promise((r) => setTimeout(r, 5));
      // stop cancels that answer; a server that only stopped listening would wait for it forever, and so would this test.
      await short.stop();
      await short.stop();
      assert.equal(await waiting, "hung up on");
      assert.equal(short.requests().find((r) => r.path === "/v1/x")?.status, "pending", "its answer was never sent");
      await assert.rejects(call("GET", `${short.url}/x`));
    });

    it("refuses invalid options before binding a port", async () => {
      await assert.rejects(startEmulator({ port: -1 }), RangeError);
      await assert.rejects(startEmulator({ rateLimit: { requestsPerSecond: 0 } }), RangeError);
      await assert.rejects(startEmulator({ listPageSize: 0 }), RangeError);
    });

    it("main prints the settings to export, serves the demo, and stops on abort", async () => {
      const lines: string[] = [];
      const abort = new AbortController();
      const running = main(["--port", "0", "--seed", "demo"], { write: (l) => lines.push(l), signal: abort.signal });
      while (!lines.some((l) => l.startsWith("export PINGONE_CLIENT_SECRET=")))
        await new Promise((r) => setTimeout(r, 10));
      const vars = Object.fromEntries(
        lines.filter((l) => l.startsWith("export ")).map((l) => l.slice(7).split("=") as [string, string]),
      );
      assert.deepEqual(Object.keys(vars), [
        "PINGONE_API_URL",
        "PINGONE_AUTH_URL",
        "PINGONE_ENVIRONMENT_ID",
        "PINGONE_CLIENT_ID",
        "PINGONE_CLIENT_SECRET",
      ]);
      assert.equal(vars.PINGONE_API_URL, `${vars.PINGONE_AUTH_URL}/v1`);
      const reply = await call("POST", `${vars.PINGONE_AUTH_URL}/${vars.PINGONE_ENVIRONMENT_ID}/as/token`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${vars.PINGONE_CLIENT_ID}:${vars.PINGONE_CLIENT_SECRET}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "grant_type=client_credentials",
      });
      assert.equal(reply.status, 200);
      assert.ok(lines.some((l) => l.includes(DEMO.users.alice)));
      abort.abort();
      await running;
      assert.equal(lines[lines.length - 1], "PingOne emulator stopped.");
      await assert.rejects(call("GET", `${vars.PINGONE_AUTH_URL}/x`));
    });

    it("main rejects unknown arguments and seeds", async () => {
      await assert.rejects(main(["--bogus"]), /^EmulatorUsageError: unknown option --bogus$/);
      await assert.rejects(main(["--seed", "other"]), /--seed accepts only "demo"/);
    });
  });
});
