/**
 * Issue 17 item 1: a `101 Switching Protocols` answer nobody asked for. Node
 * emits only `close` for it, so an exchange that waits for an answer or an
 * error never settles. Every exchange must settle, coded, and a 101 must
 * neither hold a concurrency slot nor break the token cache for good.
 */
import assert from "node:assert/strict";
import { PingOneClient } from "../../provider/client/client";
import { createTransport, Transport } from "../../provider/client/transport";
import { ConnectionOptions } from "../../provider/client/settings";
import { HostileServer, json, startHostileServer, switchProtocols } from "../support/hostileServer";
import { FakeClock } from "../support/world";
import { pingOneFailure as failure } from "../support/failure";

const ENV = "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f";
const USER = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed";
const SESSION = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const UPGRADE =
  /no answer; the server answered HTTP 101 Switching Protocols, a protocol change this client never asked for, so there is no HTTP answer to read: this is not PingOne \(ERR_UNEXPECTED_UPGRADE\)/;

describe("a 101 Switching Protocols answer (issue 17 item 1)", () => {
  let server: HostileServer | undefined;
  let transport: Transport | undefined;
  const clients: PingOneClient[] = [];
  afterEach(async () => {
    transport?.close();
    transport = undefined;
    for (const c of clients.splice(0)) c.close();
    await server?.stop();
    server = undefined;
  });

  function clientOf(s: HostileServer, settings: ConnectionOptions = {}): PingOneClient {
    // Budgets far beyond the test's own timeout: a 101 that waited for its deadline would fail the test.
    const base: ConnectionOptions = {
      apiUrl: `${s.origin}/v1`,
      authUrl: s.origin,
      apiAccessToken: "token-sentinel-5b9e2d",
      requestTimeoutSeconds: 60,
      operationTimeoutSeconds: 120,
    };
    const client = PingOneClient.fromSettings({ explicit: { ...base, ...settings } }, { clock: new FakeClock() });
    clients.push(client);
    return client;
  }

  it("the transport answers it with a code at once, not at the attempt's deadline", async () => {
    server = await startHostileServer((_req, res) => switchProtocols(res));
    transport = createTransport("pulumi-pingone-sessions/test");
    const result = await transport.send({
      method: "DELETE",
      url: `${server.origin}/v1/x`,
      headers: {},
      timeoutMs: 120_000,
    });
    assert.deepEqual(result.kind === "no-answer" ? [result.kind, result.code] : [result.kind], [
      "no-answer",
      "ERR_UNEXPECTED_UPGRADE",
    ]);
  });

  it("an API request fails NO_ANSWER naming the 101, sent once: retrying would meet the same server", async () => {
    server = await startHostileServer((_req, res) => switchProtocols(res));
    const error = await failure(
      clientOf(server).deleteSession({ environmentId: ENV, userId: USER, sessionId: SESSION }),
    );
    assert.equal(error.code, "NO_ANSWER");
    assert.equal(error.networkCode, "ERR_UNEXPECTED_UPGRADE");
    assert.match(error.message, UPGRADE);
    assert.deepEqual(
      server.requests.map((r) => r.method),
      ["DELETE"],
    );
  });

  it("one 101 from the token endpoint fails that operation only: the next one asks for a new token", async () => {
    server = await startHostileServer((req, res, i) => {
      if (req.url.endsWith("/as/token"))
        return i === 0
          ? switchProtocols(res)
          : json(res, 200, { access_token: `issued-${i}`, token_type: "Bearer", expires_in: 3600 });
      json(res, 200, { _embedded: { sessions: [{ id: SESSION, createdAt: "2026-11-01T00:00:00Z" }] } });
    });
    const client = clientOf(server, {
      apiAccessToken: undefined,
      clientId: "worker",
      clientSecret: "worker-secret-1",
      environmentId: ENV,
    });
    const error = await failure(client.listSessions({ environmentId: ENV, userId: USER }));
    assert.match(error.message, UPGRADE);
    assert.deepEqual(
      (await client.listSessions({ environmentId: ENV, userId: USER })).map((s) => s.id),
      [SESSION],
    );
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.url.split("?")[0]}`),
      [`POST /${ENV}/as/token`, `POST /${ENV}/as/token`, `GET /v1/environments/${ENV}/users/${USER}/sessions`],
    );
    assert.equal(server.requests[2].headers.authorization, "Bearer issued-1");
  });

  it("holds no concurrency slot: with one slot, three 101s and then a good answer", async () => {
    server = await startHostileServer((req, res, i) => (i < 3 ? switchProtocols(res) : res.writeHead(204).end()));
    const client = clientOf(server, { maxConcurrency: 1 });
    const refs = [0, 1, 2, 3].map(() => ({ environmentId: ENV, userId: USER, sessionId: SESSION }));
    const outcomes = await Promise.allSettled(refs.map((ref) => client.deleteSession(ref)));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ["rejected", "rejected", "rejected", "fulfilled"],
    );
    assert.equal(server.requests.length, 4);
  });
});
