/**
 * Issue 8: every promise kept against servers that are broken or hostile.
 * Each test plays a server that is not PingOne (or a PingOne that lies) over
 * real HTTP on loopback, and asserts what the client concluded, the exact
 * error text, and what the server saw.
 */
import assert from "node:assert/strict";
import { decodeSession } from "../../provider/client/answers";
import { matching, revokeUserSessions } from "../../provider/client/bulk";
import { sweepSessions } from "../../provider/client/sweep";
import { PingOneClient, PingOneClientOptions } from "../../provider/client/client";
import { isNotFound } from "../../provider/client/errors";
import { ConnectionOptions } from "../../provider/client/settings";
import { HostileServer, json, p1Error, startHostileServer, trickle } from "../support/hostileServer";
import { FakeClock } from "../support/world";
import { pingOneFailure as failure } from "../support/failure";

const ENV = "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f";
const USER = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed";
const SESSIONS = [
  "7c9e6679-7425-40de-944b-e07fc1f90ae7",
  "0f8fad5b-d9cb-469f-a165-70867728950e",
  "9a1f2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
];
const USER_PATH = `/v1/environments/${ENV}/users/${USER}`;
const STATIC_TOKEN = "token-sentinel-5b9e2d";

/** Resolves once `condition` holds (the server sees a hang-up a moment after the client makes it), or after 2 s. */
async function eventually(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
}

function session(id: string, extra: Record<string, unknown> = {}) {
  return { id, createdAt: "2026-11-01T00:00:00Z", ...extra };
}

function list(sessions: unknown[], next?: string) {
  return { _embedded: { sessions }, _links: { self: { href: "x" }, ...(next ? { next: { href: next } } : {}) } };
}

describe("hostile servers", () => {
  let server: HostileServer | undefined;
  const clients: PingOneClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.stop();
    server = undefined;
  });

  /** A client of `server` with a static token and a fake clock (retry waits are instant and recorded). */
  function clientOf(
    s: HostileServer,
    settings: ConnectionOptions = {},
    options: PingOneClientOptions = {},
  ): { client: PingOneClient; clock: FakeClock } {
    const clock = new FakeClock();
    const client = PingOneClient.fromSettings(
      { explicit: { apiUrl: `${s.origin}/v1`, authUrl: s.origin, apiAccessToken: STATIC_TOKEN, ...settings } },
      { clock, ...options },
    );
    clients.push(client);
    return { client, clock };
  }

  const deletes = () => server!.requests.filter((r) => r.method === "DELETE");

  describe("a false success is never reported", () => {
    it("fails the whole list when a later page answers 404, and revokes nothing (item 1)", async () => {
      server = await startHostileServer((req, res) => {
        if (req.url === `${USER_PATH}/sessions`)
          return json(
            res,
            200,
            list(
              SESSIONS.map((id) => session(id)),
              "sessions?cursor=abc",
            ),
          );
        json(res, 404, p1Error("NOT_FOUND", "Unable to find the requested resource."));
      });
      const { client } = clientOf(server);
      const error = await failure(revokeUserSessions(client, { environmentId: ENV, userId: USER }));
      assert.equal(error.code, "MALFORMED_ANSWER");
      assert.equal(isNotFound(error), false, "a later page's 404 is not 'no such user'");
      assert.match(
        error.message,
        /^Could not list sessions \(user 1b9d6bcd-[^)]+\): HTTP 404 NOT_FOUND Unable to find the requested resource; page 2 of the session list answered 404 \(an expired cursor or a bad next link\); the session list is incomplete, so nothing was concluded from it\./,
      );
      assert.deepEqual(
        server.requests.map((r) => `${r.method} ${r.url}`),
        [`GET ${USER_PATH}/sessions`, `GET ${USER_PATH}/sessions?cursor=abc`],
        "the relative link resolved against the page's URL, as a browser would; no DELETE was sent",
      );
    });

    it("refuses a next link that leaves the user's sessions path (item 1)", async () => {
      server = await startHostileServer((req, res) =>
        json(res, 200, list([session(SESSIONS[0])], "../../11111111-2222-4333-8444-555555555555/sessions?cursor=x")),
      );
      const { client } = clientOf(server);
      const error = await failure(client.listSessions({ environmentId: ENV, userId: USER }));
      assert.match(
        error.message,
        /page 1 of the session list: its next link leaves the list's path \(\/v1\/environments\/[^/]+\/11111111-2222-4333-8444-555555555555\/sessions\)/,
      );
      assert.equal(server.requests.length, 1);
    });

    it("treats only PingOne's own 404 as already gone: an HTML 404 fails and blames the URL (item 2)", async () => {
      server = await startHostileServer((_req, res) => {
        res.writeHead(404, { "content-type": "text/html" });
        res.end("<html><body>Not Found</body></html>");
      });
      const { client } = clientOf(server);
      const error = await failure(client.deleteSession({ environmentId: ENV, userId: USER, sessionId: SESSIONS[0] }));
      assert.equal(error.code, "NOT_PINGONE");
      assert.equal(isNotFound(error), false);
      assert.match(
        error.message,
        /^Could not revoke session \(session 7c9e6679-[^)]+\): HTTP 404 with a body that is not JSON \(text\/html, 35 bytes\), not PingOne's NOT_FOUND answer\. This answer is not PingOne's, so nothing is concluded from it: check that pingone:apiUrl \/ PINGONE_API_URL points at PingOne/,
      );
      const bulk = await failure(revokeUserSessions(client, { environmentId: ENV, userId: USER }));
      assert.equal(bulk.code, "NOT_PINGONE", "an HTML 404 on the list is not 'no such user' either");
    });

    it("does not count a DELETE answered 200 text/html as a revocation (item 2)", async () => {
      server = await startHostileServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>Sign in</html>");
      });
      const { client } = clientOf(server);
      const error = await failure(client.deleteSession({ environmentId: ENV, userId: USER, sessionId: SESSIONS[0] }));
      assert.match(
        error.message,
        /HTTP 200 with a body that is not JSON \(text\/html, 20 bytes\), where 204 No Content, PingOne's answer to a DELETE was expected: this is not PingOne's answer\./,
      );
      assert.equal(deletes().length, 1, "not retried: the answer will not change");
    });

    it("scrubs the server's words out of the reason: its content type, echoing the token with a terminal escape, is quoted inert", async () => {
      // Bytes 0x80-0xff are legal in a header value; 0x9b is the one-byte CSI, which on many terminals starts an escape sequence.
      const hostileType = `${STATIC_TOKEN}\x9b2J`;
      server = await startHostileServer((_req, res) => {
        res.writeHead(200, { "content-type": hostileType });
        res.end("<html>Sign in</html>");
      });
      const { client } = clientOf(server);
      const error = await failure(client.deleteSession({ environmentId: ENV, userId: USER, sessionId: SESSIONS[0] }));
      assert.equal(
        error.observed,
        "HTTP 200 with a body that is not JSON ([redacted]\\x9b2J, 20 bytes), " +
          "where 204 No Content, PingOne's answer to a DELETE was expected: this is not PingOne's answer",
      );
      assert.ok(error.message.includes(`): ${error.observed}. This answer is not PingOne's`), error.message);
      assert.ok(!error.message.includes(STATIC_TOKEN) && !error.message.includes("\x9b"), error.message);
    });

    it("fails loudly past 100 pages instead of acting on a cut list (item 3)", async () => {
      server = await startHostileServer((req, res, i) =>
        json(
          res,
          200,
          list([session(`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`)], `sessions?cursor=${i + 1}`),
        ),
      );
      const { client } = clientOf(server);
      const error = await failure(revokeUserSessions(client, { environmentId: ENV, userId: USER }));
      assert.match(
        error.message,
        /page 100 of the session list: the list goes on past 100 pages, far more than PingOne keeps, so it is not trusted/,
      );
      assert.equal(
        server.requests.filter((r) => r.method === "GET").length,
        100,
        "all 100 pages were read before it failed",
      );
      assert.equal(deletes().length, 0);
    });

    it("detects a next link that cycles back, and never attempts a session twice (item 3)", async () => {
      server = await startHostileServer((req, res) => {
        if (req.method === "DELETE") return res.writeHead(204).end();
        if (req.url.endsWith("cursor=2"))
          return json(res, 200, list([session(SESSIONS[2]), session(SESSIONS[1])], "sessions?cursor=2"));
        json(res, 200, list([session(SESSIONS[0]), session(SESSIONS[1])], "sessions?cursor=2"));
      });
      const { client } = clientOf(server);
      const error = await failure(client.listSessions({ environmentId: ENV, userId: USER }));
      assert.match(error.message, /page 2 of the session list: its next link leads back to page 2, a cycle/);
      assert.equal(deletes().length, 0);

      await server.stop();
      server = await startHostileServer((req, res) => {
        if (req.method === "DELETE") return res.writeHead(204).end();
        if (req.url.endsWith("cursor=2")) return json(res, 200, list([session(SESSIONS[1]), session(SESSIONS[2])]));
        json(res, 200, list([session(SESSIONS[0]), session(SESSIONS[1])], "sessions?cursor=2"));
      });
      const { client: second } = clientOf(server);
      const outcome = await revokeUserSessions(second, { environmentId: ENV, userId: USER });
      assert.deepEqual(outcome.revoked.sort(), [...SESSIONS].sort());
      assert.deepEqual(
        deletes()
          .map((r) => r.url.split("/").pop())
          .sort(),
        [...SESSIONS].sort(),
        "one DELETE per session, the repeated one included once",
      );
    });

    for (const [name, page, problem] of [
      [
        "a null entry among good ones",
        list([session(SESSIONS[0]), null, session(SESSIONS[1])]),
        "entry 1 of the session list is null, not a session object",
      ],
      [
        "_embedded.sessions as an object",
        { _embedded: { sessions: { a: session(SESSIONS[0]) } } },
        "the session list's _embedded.sessions is an object, not an array",
      ],
      [
        "an entry whose id is a path",
        list([session("../../../other")]),
        'entry 0 of the session list has no valid session id ("../../../other")',
      ],
      ["a body that is an array", [session(SESSIONS[0])], "the session list is not a JSON object"],
    ] as const) {
      it(`fails a malformed list, naming what was malformed: ${name} (item 4)`, async () => {
        server = await startHostileServer((_req, res) => json(res, 200, page));
        const { client } = clientOf(server);
        const error = await failure(revokeUserSessions(client, { environmentId: ENV, userId: USER }));
        assert.equal(error.code, "MALFORMED_ANSWER");
        assert.equal(
          error.message.split(". Run again")[0],
          `Could not list sessions (user ${USER} in environment ${ENV}): HTTP 200; page 1 of the session list: ${problem}; the session list is incomplete, so nothing was concluded from it`,
        );
        assert.equal(deletes().length, 0);
      });
    }

    it("revokes a session whose creation time cannot be read when a cutoff is given: when in doubt, revoke (item 4)", async () => {
      server = await startHostileServer((req, res) => {
        if (req.method === "DELETE") return res.writeHead(204).end();
        json(
          res,
          200,
          list([
            session(SESSIONS[0], { createdAt: null }),
            session(SESSIONS[1], { createdAt: 1764000000 }),
            session(SESSIONS[2], { createdAt: "yesterday-ish" }),
          ]),
        );
      });
      const { client } = clientOf(server);
      const outcome = await revokeUserSessions(client, { environmentId: ENV, userId: USER }, "2030-01-01T00:00:00Z");
      assert.deepEqual(outcome.revoked.sort(), [...SESSIONS].sort());
      assert.equal(deletes().length, 3);
      assert.deepEqual(
        matching([decodeSession(session(SESSIONS[0], { createdAt: "2031-01-01T00:00:00Z" }))], "2030-01-01T00:00:00Z"),
        [],
        "a readable time after the cutoff still keeps its session",
      );
    });
  });

  describe("a sweep whose users list fails midway", () => {
    it("lets the users already started finish before it fails, so nothing is deleted after it reports", async () => {
      const users = ["11111111-2222-4333-8444-555555555551", "11111111-2222-4333-8444-555555555552"];
      server = await startHostileServer((req, res) => {
        if (req.method === "DELETE") return res.writeHead(204).end();
        if (req.url.includes("/users?") && !req.url.includes("cursor"))
          return json(res, 200, {
            _embedded: { users: users.map((id) => ({ id })) },
            _links: { next: { href: `/v1/environments/${ENV}/users?limit=200&cursor=2` } },
          });
        if (req.url.includes("cursor=2"))
          return json(res, 400, p1Error("INVALID_REQUEST", "The request could not be completed."));
        const id = req.url.split("/users/")[1].split("/")[0];
        setTimeout(() => json(res, 200, list([session(`${id.slice(0, -1)}0`)])), 150);
      });
      const { client } = clientOf(server);
      const error = await failure(sweepSessions(client, { environmentId: ENV, users: { allUsers: true } }));
      const deletesWhenItFailed = deletes().length;
      assert.match(
        error.message,
        /^Could not list users \(in environment [0-9a-f-]+\): HTTP 400 INVALID_REQUEST The request could not be completed\. PingOne refused the request as invalid; its message above says why \(for a users list, check the filter against PingOne's SCIM subset\)\./,
      );
      assert.equal(deletesWhenItFailed, 2, "both started users were swept before the failure was reported");
    });
  });

  describe("deadlines hold against slow servers", () => {
    it("bounds a trickled body by the attempt timeout and the whole call by the operation deadline (item 5)", async () => {
      const body = JSON.stringify(list([session(SESSIONS[0])]));
      server = await startHostileServer((_req, res) => trickle(res, body, 300));
      const { client } = clientOf(server, { requestTimeoutSeconds: 1, operationTimeoutSeconds: 3 });
      const error = await failure(client.listSessions({ environmentId: ENV, userId: USER }));
      assert.match(
        error.message,
        /no answer; no complete answer within 1 s \(\d+ bytes of the body had arrived\) \(ERR_ATTEMPT_TIMEOUT\)/,
      );
      assert.ok(server.requests.length >= 1 && server.requests.length <= 3, `attempts: ${server.requests.length}`);
      await eventually(() => server!.requests.every((r) => r.abandoned));
      assert.ok(
        server.requests.every((r) => r.abandoned),
        "the client hung up on every trickled answer",
      );
    });

    it("fetches a token again when the first token answer is stuck (item 6)", async () => {
      server = await startHostileServer((req, res, i) => {
        if (req.url.endsWith("/as/token")) {
          const token = JSON.stringify({ access_token: `issued-${i}`, token_type: "Bearer", expires_in: 3600 });
          return i === 0 ? trickle(res, token, 400) : json(res, 200, token);
        }
        json(res, 200, list([session(SESSIONS[0])]));
      });
      const { client } = clientOf(server, {
        apiAccessToken: undefined,
        clientId: "worker",
        clientSecret: "worker-secret-1",
        environmentId: ENV,
        requestTimeoutSeconds: 1,
      });
      const sessions = await client.listSessions({ environmentId: ENV, userId: USER });
      assert.deepEqual(
        sessions.map((s) => s.id),
        [SESSIONS[0]],
      );
      const tokenRequests = server.requests.filter((r) => r.url.endsWith("/as/token"));
      assert.equal(tokenRequests.length, 2);
      assert.equal(tokenRequests[0].abandoned, true);
      assert.equal(server.requests.at(-1)!.headers.authorization, "Bearer issued-1");
    });

    it("retries a body cut off by the server, and says what it was (item 8)", async () => {
      server = await startHostileServer((_req, res, i) => {
        if (i === 0) {
          res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
          res.write('{"_embedded":');
          setTimeout(() => res.socket?.destroy(), 20);
          return;
        }
        json(res, 200, list([session(SESSIONS[0])]));
      });
      const notices: string[] = [];
      const { client } = clientOf(server, {}, { onRetry: (n) => notices.push(n.reason) });
      const sessions = await client.listSessions({ environmentId: ENV, userId: USER });
      assert.deepEqual(
        sessions.map((s) => s.id),
        [SESSIONS[0]],
      );
      assert.equal(server.requests.length, 2);
      assert.deepEqual(notices, [
        "the connection closed after 13 bytes of the body, before the whole answer arrived (ERR_BODY_INCOMPLETE)",
      ]);
    });

    it("fails at once when Retry-After asks for longer than the time left, before any cap applies (item 9)", async () => {
      server = await startHostileServer((_req, res) => {
        res.writeHead(429, { "content-type": "application/json", "retry-after": "3600" });
        res.end(p1Error("REQUEST_LIMITED", "The request could not be completed due to rate limiting."));
      });
      const { client, clock } = clientOf(server, { operationTimeoutSeconds: 5 });
      const error = await failure(client.deleteSession({ environmentId: ENV, userId: USER, sessionId: SESSIONS[0] }));
      assert.equal(error.code, "DEADLINE");
      assert.match(
        error.message,
        /the server asked to wait 3600 s \(Retry-After\) but only [45](\.\d)? s remain before the operation deadline, so it fails now/,
      );
      assert.equal(server.requests.length, 1);
      assert.deepEqual(clock.slept, []);
    });
  });

  describe("secrets and server text stay clean", () => {
    const SECRET = "s3cr+t/Ω&=x:%41y";
    for (const method of ["client_secret_post", "client_secret_basic"] as const) {
      it(`removes the client secret echoed by a token endpoint (${method}) from the error (item 12)`, async () => {
        server = await startHostileServer((req, res) => {
          const echoed = `${req.body} | ${req.headers.authorization ?? ""}`;
          json(res, 401, { error: "invalid_client", error_description: `bad credentials: ${echoed}` });
        });
        const { client } = clientOf(server, {
          apiAccessToken: undefined,
          clientId: "wörker id",
          clientSecret: SECRET,
          environmentId: ENV,
          tokenAuthMethod: method,
        });
        const error = await failure(client.listSessions({ environmentId: ENV, userId: USER }));
        const basic = Buffer.from(`${encodeURIComponent("wörker id")}:${encodeURIComponent(SECRET)}`).toString(
          "base64",
        );
        const everything = `${error.message} ${JSON.stringify(error)} ${String(error.cause && (error.cause as Error).message)}`;
        for (const form of [
          SECRET,
          encodeURIComponent(SECRET),
          new URLSearchParams({ s: SECRET }).toString().slice(2),
          basic,
        ]) {
          assert.equal(everything.includes(form), false, `leaked ${form}`);
        }
        assert.match(error.message, /invalid_client bad credentials: .*\[redacted\]/);
      });
    }

    it("escapes terminal control sequences in PingOne's message (item 13)", async () => {
      server = await startHostileServer((_req, res) =>
        json(res, 403, p1Error("ACCESS_FAILED", "No\u001b]0;pwned\u0007 access\u001b[2J\u202e")),
      );
      const { client } = clientOf(server);
      const error = await failure(client.deleteSession({ environmentId: ENV, userId: USER, sessionId: SESSIONS[0] }));
      assert.match(error.message, /HTTP 403 ACCESS_FAILED No\\x1b\]0;pwned\\x07 access\\x1b\[2J\\u202e\./);
      assert.equal(/[\u0000-\u001f\u007f-\u009f\u202e]/.test(error.message + (error.pingOne?.message ?? "")), false);
    });

    it("says it was the proxy, and which variable named it, when a proxy refuses the tunnel (item 14)", async () => {
      for (const [status, words] of [
        [
          403,
          /the proxy http:\/\/\[redacted\]@127\.0\.0\.1:\d+ \(from HTTPS_PROXY\) answered HTTP 403 with a body that is not JSON \(text\/plain, 9 bytes\), not PingOne/,
        ],
        [
          407,
          /the proxy http:\/\/\[redacted\]@127\.0\.0\.1:\d+ \(from HTTPS_PROXY\) asked for proxy authentication \(407\), not PingOne/,
        ],
      ] as const) {
        server = await startHostileServer(
          (_req, res) => res.writeHead(500).end(),
          (_req, socket) =>
            socket.end(`HTTP/1.1 ${status} Refused\r\ncontent-type: text/plain\r\ncontent-length: 9\r\n\r\nforbidden`),
        );
        const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY };
        process.env.HTTPS_PROXY = server.origin.replace("http://", "http://proxyuser:proxypass@");
        delete process.env.NO_PROXY;
        try {
          const client = PingOneClient.fromSettings(
            { explicit: { regionCode: "EU", apiAccessToken: STATIC_TOKEN } },
            { clock: new FakeClock() },
          );
          clients.push(client);
          const error = await failure(
            client.deleteSession({ environmentId: ENV, userId: USER, sessionId: SESSIONS[0] }),
          );
          assert.equal(error.code, "PROXY");
          assert.match(error.message, words);
          assert.match(error.message, /The proxy named above refused or failed the request/);
          assert.equal(error.message.includes("proxypass"), false);
          assert.equal(error.message.includes("Identity Data Administrator"), false);
          assert.deepEqual(
            server.requests.map((r) => `${r.method} ${r.url}`),
            ["CONNECT api.pingone.eu:443"],
            "the tunnel was asked for; nothing reached the outside",
          );
        } finally {
          for (const [k, v] of Object.entries(saved))
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
        await server.stop();
        server = undefined;
      }
    });

    it("never sends a loopback request through a proxy from the environment", async () => {
      server = await startHostileServer((req, res) => json(res, 200, list([session(SESSIONS[0])])));
      const saved = process.env.HTTP_PROXY;
      process.env.HTTP_PROXY = "http://127.0.0.1:9"; // nothing listens there
      try {
        const { client } = clientOf(server);
        assert.equal((await client.listSessions({ environmentId: ENV, userId: USER })).length, 1);
      } finally {
        if (saved === undefined) delete process.env.HTTP_PROXY;
        else process.env.HTTP_PROXY = saved;
      }
    });
  });
});
