/**
 * Issue 17 ("Keep every promise, round 3"): users listed twice, lists that
 * are not lists, users lists that drop their filter. Each test plays a server
 * over real HTTP on loopback and asserts what the client concluded, the
 * exact error text, and what the server saw.
 */
import assert from "node:assert/strict";
import { decodeSession } from "../../provider/client/answers";
import { revokeUserSessions } from "../../provider/client/bulk";
import { PingOneClient } from "../../provider/client/client";
import {
  Cidr,
  criteriaProblems,
  inRange,
  invalidFilterReason,
  parseCidr,
  sessionMatcher,
} from "../../provider/client/criteria";
import { PingOneApiError } from "../../provider/client/errors";
import { sweepSessions } from "../../provider/client/sweep";
import { mayRevoke } from "../../provider/client/access";
import { MAX_USER_PAGES } from "../../provider/client/userList";
import { HostileServer, json, startHostileServer } from "../support/hostileServer";
import { FakeClock } from "../support/world";
import { pingOneFailure as failure } from "../support/failure";

const ENV = "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f";
const POP = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeee1";
const OTHER_POP = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeee2";
const USERS = [
  "11111111-2222-4333-8444-555555555551",
  "11111111-2222-4333-8444-555555555552",
  "11111111-2222-4333-8444-555555555553",
  "11111111-2222-4333-8444-555555555554",
];
const STATIC_TOKEN = "static-token-sentinel-17";

/** Two sessions of each user, ids derived from the user's. */
function sessionsOf(userId: string): { id: string; createdAt: string }[] {
  return [1, 2].map((n) => ({ id: `${userId.slice(0, -1)}${n === 1 ? "a" : "b"}`, createdAt: "2026-11-01T00:00:00Z" }));
}

function usersPage(users: unknown[], next?: string) {
  return { _embedded: { users }, _links: { self: { href: "x" }, ...(next ? { next: { href: next } } : {}) } };
}

describe("issue 17: users lists and list answers", () => {
  let server: HostileServer | undefined;
  const clients: PingOneClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.stop();
    server = undefined;
  });

  function clientOf(s: HostileServer): PingOneClient {
    const client = PingOneClient.fromSettings(
      { explicit: { apiUrl: `${s.origin}/v1`, authUrl: s.origin, apiAccessToken: STATIC_TOKEN } },
      { clock: new FakeClock() },
    );
    clients.push(client);
    return client;
  }

  /** Answers session lists (two sessions a user) and DELETEs; `users` answers the users list. */
  function tenant(users: (url: string) => unknown) {
    return (req: { method: string; url: string }, res: Parameters<typeof json>[0]) => {
      if (req.method === "DELETE") return res.writeHead(204).end();
      if (req.url.includes("/users?")) return json(res, 200, users(req.url));
      const userId = req.url.split("/users/")[1].split("/")[0];
      json(res, 200, { _embedded: { sessions: sessionsOf(userId) }, _links: { self: { href: "x" } } });
    };
  }

  const deletes = () => server!.requests.filter((r) => r.method === "DELETE");
  const userGets = () => server!.requests.filter((r) => r.url.includes("/users?"));

  describe("item 2: a user listed twice is swept once", () => {
    it("counts a user repeated on the same page and on the next page once, and revokes each session once", async () => {
      server = await startHostileServer(
        tenant((url) =>
          url.includes("cursor=2")
            ? usersPage([{ id: USERS[1] }, { id: USERS[3] }, { id: USERS[0].toUpperCase() }])
            : usersPage(
                [{ id: USERS[0] }, { id: USERS[1] }, { id: USERS[2] }, { id: USERS[0] }],
                `/v1/environments/${ENV}/users?limit=200&cursor=2`,
              ),
        ),
      );
      const result = await sweepSessions(clientOf(server), { environmentId: ENV, users: { allUsers: true } });
      assert.deepEqual(
        {
          usersScanned: result.usersScanned,
          sessionsMatched: result.sessionsMatched,
          sessionsRevoked: result.sessionsRevoked,
          sessionsAlreadyAbsent: result.sessionsAlreadyAbsent,
        },
        { usersScanned: 4, sessionsMatched: 8, sessionsRevoked: 8, sessionsAlreadyAbsent: 0 },
      );
      assert.equal(deletes().length, 8, "one DELETE per session");
      assert.equal(new Set(deletes().map((r) => r.url)).size, 8);
    });

    it("fails a users list whose cursor advances but repeats the same users, after 11 pages with no new user", async () => {
      server = await startHostileServer(
        tenant((url) =>
          usersPage(
            [{ id: USERS[0] }, { id: USERS[1] }],
            `/v1/environments/${ENV}/users?limit=200&cursor=${Number(/cursor=(\d+)/.exec(url)?.[1] ?? 1) + 1}`,
          ),
        ),
      );
      const error = await failure(sweepSessions(clientOf(server), { environmentId: ENV, users: { allUsers: true } }));
      assert.equal(error.code, "MALFORMED_ANSWER");
      assert.match(
        error.message,
        /HTTP 200; page 12 of the user list: 11 pages in a row listed no user not already listed: its cursor advances without the list doing so; the user list is incomplete/,
      );
      assert.equal(userGets().length, 12, "it stopped at the 12th page, not 300 pages later");
      assert.equal(deletes().length, 4, "the two users listed were swept once each");
    });

    it("bounds a users list at 100,000 pages: 1,000,000 users at pages of 10", () => {
      assert.equal(MAX_USER_PAGES, 100_000);
    });
  });

  describe("item 3: a 200 JSON object without _embedded is not an empty list", () => {
    const UP = { status: "UP" };
    it('fails a session list answered {"status":"UP"}, saying what was seen', async () => {
      server = await startHostileServer((_req, res) => json(res, 200, UP));
      const error = await failure(revokeUserSessions(clientOf(server), { environmentId: ENV, userId: USERS[0] }));
      assert.equal(error.code, "MALFORMED_ANSWER");
      assert.match(
        error.message,
        /HTTP 200; page 1 of the session list: the answer is a JSON object without _embedded \(keys seen: "status"\), not a session list; the session list is incomplete, so nothing was concluded from it\./,
      );
      assert.equal(deletes().length, 0);
    });

    it('fails a users list answered {"status":"UP"} instead of reading 0 users scanned', async () => {
      server = await startHostileServer((_req, res) => json(res, 200, UP));
      const error = await failure(sweepSessions(clientOf(server), { environmentId: ENV, users: { allUsers: true } }));
      assert.match(
        error.message,
        /page 1 of the user list: the answer is a JSON object without _embedded \(keys seen: "status"\), not a user list/,
      );
    });

    it('fails a role assignments list answered {"status":"UP"} or with _embedded but no roleAssignments', async () => {
      server = await startHostileServer((req, res) =>
        json(res, 200, req.url.includes("cursor") ? { _embedded: {} } : UP),
      );
      const client = clientOf(server);
      const error = await failure(client.listRoleAssignments(ENV, USERS[0]));
      assert.match(
        error.message,
        /page 1 of the role assignment list: the answer is a JSON object without _embedded \(keys seen: "status"\), not a role assignment list/,
      );
      await server.stop();
      server = await startHostileServer((_req, res) => json(res, 200, { _embedded: { items: [] } }));
      const empty = await failure(clientOf(server).listRoleAssignments(ENV, USERS[0]));
      assert.match(empty.message, /the role assignment list's _embedded has no roleAssignments \(keys seen: "items"\)/);
    });
  });

  describe("item 7: a users list is held to its selection", () => {
    it("does not follow a next link that drops the filter, and revokes no user of page 2", async () => {
      server = await startHostileServer(
        tenant((url) =>
          url.includes("cursor=2")
            ? usersPage([{ id: USERS[1], population: { id: OTHER_POP } }])
            : usersPage(
                [{ id: USERS[0], population: { id: POP } }],
                `/v1/environments/${ENV}/users?limit=200&cursor=2`,
              ),
        ),
      );
      const error = await failure(
        sweepSessions(clientOf(server), { environmentId: ENV, users: { populationId: POP } }),
      );
      assert.match(
        error.message,
        /page 1 of the user list: its next link drops the filter asked for; it was not followed; the user list is incomplete/,
      );
      assert.equal(userGets().length, 1, "page 2 was never asked for");
      assert.equal(deletes().length, 0, "a page whose next link is refused is not acted on either");
    });

    it("does not follow a next link that changes the filter", async () => {
      server = await startHostileServer(
        tenant(() =>
          usersPage(
            [{ id: USERS[0], population: { id: POP } }],
            `/v1/environments/${ENV}/users?limit=200&cursor=2&filter=${encodeURIComponent(`population.id eq "${OTHER_POP}"`)}`,
          ),
        ),
      );
      const error = await failure(
        sweepSessions(clientOf(server), { environmentId: ENV, users: { populationId: POP } }),
      );
      assert.match(
        error.message,
        new RegExp(
          `its next link changes the filter to "population\\.id eq \\\\"${OTHER_POP}\\\\"" asked for; it was not followed`,
        ),
      );
      assert.equal(userGets().length, 1);
    });

    it("never revokes a listed user of another population: the server did not apply the filter", async () => {
      server = await startHostileServer(
        tenant(() =>
          usersPage([
            { id: USERS[0], population: { id: POP } },
            { id: USERS[1], population: { id: OTHER_POP } },
          ]),
        ),
      );
      const error = await failure(
        sweepSessions(clientOf(server), { environmentId: ENV, users: { populationId: POP } }),
      );
      assert.match(
        error.message,
        new RegExp(
          `page 1 of the user list: it lists user ${USERS[1]} of population ${OTHER_POP}, outside the population ${POP} asked for \\(the filter was not applied\\), so no user of it is trusted`,
        ),
      );
      assert.equal(deletes().length, 0, "no user of that page was swept");
      assert.equal(
        server.requests.filter((r) => r.url.includes(`/users/${USERS[1]}`)).length,
        0,
        "the other population's user was never touched",
      );
    });
  });
});

describe("issue 17 item 8: IPv4-mapped IPv6 addresses match (Node's BlockList)", () => {
  const range = (t: string) => parseCidr(t) as Cidr;
  for (const [ip, cidr] of [
    ["::ffff:cb00:7109", "203.0.113.0/24"],
    ["0:0:0:0:0:ffff:203.0.113.9", "203.0.113.0/24"],
    ["::ffff:203.0.113.9", "::ffff:203.0.113.0/120"],
    ["203.0.113.9", "::ffff:203.0.113.0/120"],
    ["::ffff:198.51.100.1", "::/0"],
  ] as const) {
    it(`matches ${ip} against ${cidr}`, () => {
      assert.equal(inRange(ip, range(cidr)), true);
    });
  }

  it("does not match a mapped address outside the range, nor an unreadable one", () => {
    assert.equal(inRange("::ffff:cb00:7209", range("203.0.113.0/24")), false);
    assert.equal(inRange("198.51.100.1", range("::ffff:203.0.113.0/120")), false);
    assert.equal(inRange("not an address", range("0.0.0.0/0")), false);
  });

  it("refuses a CIDR with host bits set, naming both readings", () => {
    assert.deepEqual(parseCidr("203.0.113.7/24"), {
      problem:
        '"203.0.113.7/24" has host bits set after its /24 prefix: write the network (such as 203.0.113.0/24), or the single address with /32',
    });
    assert.deepEqual(parseCidr("2001:db8::1/32"), {
      problem:
        '"2001:db8::1/32" has host bits set after its /32 prefix: write the network (such as 203.0.113.0/24), or the single address with /128',
    });
    assert.equal(criteriaProblems({ remoteIps: ["203.0.113.7/24"] })[0]?.property, "remoteIps[0]");
    assert.ok(!("problem" in parseCidr("203.0.113.7")), "a bare address is its own /32");
  });
});

describe("issue 17: explaining a 403 when the lookups fail or the environment is unknown", () => {
  const APP_ENV = "0e1d2c3b-4a59-4687-9a8b-7c6d5e4f3a2b";
  const CLIENT_ID = "9b2e7c1d-3f4a-4b5c-8d6e-7f8091a2b3c4";
  const ROLE = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f";
  const USER = USERS[0];
  const SESSION = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  let server: HostileServer | undefined;
  const clients: PingOneClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.stop();
    server = undefined;
  });

  const forbidden = JSON.stringify({
    id: "0f8fad5b-d9cb-469f-a165-70867728950e",
    code: "ACCESS_FAILED",
    message: "The request could not be completed. You do not have access to this resource.",
  });

  /**
   * A PingOne whose worker application holds Identity Data Admin for POP (the user's
   * population) in APP_ENV; its session calls answer 403; `roles` answers GET /roles/{id},
   * `assignments` the role assignments read, `environment` anything under an environment other than APP_ENV.
   */
  function pingOne(parts: {
    roles?: (res: Parameters<typeof json>[0]) => void;
    assignments?: (res: Parameters<typeof json>[0], url: string) => void;
  }) {
    return (req: { method: string; url: string }, res: Parameters<typeof json>[0]) => {
      if (req.url.endsWith("/as/token"))
        return json(res, 200, { access_token: "issued-token-3", token_type: "Bearer", expires_in: 3600 });
      if (req.url.includes("/roleAssignments")) {
        if (parts.assignments) return parts.assignments(res, req.url);
        return json(res, 200, {
          _embedded: { roleAssignments: [{ id: ROLE, role: { id: ROLE }, scope: { type: "POPULATION", id: POP } }] },
        });
      }
      if (req.url.includes("/roles/")) {
        if (parts.roles) return parts.roles(res);
        return json(res, 200, { id: ROLE, name: "Identity Data Admin" });
      }
      if (!req.url.startsWith(`/v1/environments/${APP_ENV}/`)) return json(res, 403, forbidden);
      if (req.url.includes("/populations/")) return json(res, 200, { id: POP, name: "Staff" });
      if (req.url.endsWith(`/users/${USER}`)) return json(res, 200, { id: USER, population: { id: POP } });
      json(res, 403, forbidden);
    };
  }

  function clientOf(s: HostileServer, extra: Record<string, unknown> = {}): PingOneClient {
    const client = PingOneClient.fromSettings(
      {
        explicit: {
          apiUrl: `${s.origin}/v1`,
          authUrl: s.origin,
          clientId: CLIENT_ID,
          clientSecret: "client-secret-3",
          environmentId: APP_ENV,
          maxAttempts: 2,
          ...extra,
        },
      },
      { clock: new FakeClock() },
    );
    clients.push(client);
    return client;
  }

  async function refusal(promise: Promise<unknown>): Promise<PingOneApiError> {
    const error = await promise.then(
      () => assert.fail("expected a failure"),
      (e: unknown) => e,
    );
    assert.ok(PingOneApiError.isInstance(error), String(error));
    return error;
  }

  describe("item 5: a role that cannot be read is unknown, never 'no role'", () => {
    for (const [name, answer, observed] of [
      ["403", (res: Parameters<typeof json>[0]) => json(res, 403, forbidden), "HTTP 403 ACCESS_FAILED"],
      [
        "429",
        (res: Parameters<typeof json>[0]) =>
          json(res, 429, { id: "x", code: "REQUEST_LIMITED", message: "Too many requests" }),
        "HTTP 429 REQUEST_LIMITED",
      ],
      [
        "500",
        (res: Parameters<typeof json>[0]) =>
          json(res, 500, { id: "x", code: "UNEXPECTED_ERROR", message: "Unexpected error" }),
        "HTTP 500 UNEXPECTED_ERROR",
      ],
    ] as const) {
      it(`says unknown, with what failed, when GET /roles/{id} answers ${name}: in the 403's explanation and in the access verdict`, async () => {
        server = await startHostileServer(pingOne({ roles: answer }));
        const client = clientOf(server);
        const error = await refusal(client.deleteSession({ environmentId: APP_ENV, userId: USER, sessionId: SESSION }));
        assert.equal(error.status, 403);
        assert.match(
          error.advice,
          new RegExp(
            `The worker application ${CLIENT_ID}'s roles could not be checked: the role of 1 of its role assignments could not be read \\(role ${ROLE}: ${observed}.*\\); any of them may be Identity Data Admin, so whether it may revoke here is unknown\\.`,
          ),
        );
        assert.doesNotMatch(error.message, /holds no Identity Data Admin/);
        const verdict = await mayRevoke(clientOf(server), APP_ENV, { userId: USER });
        assert.equal(verdict.may, undefined);
        assert.match(
          verdict.reason,
          new RegExp(
            `^The worker application ${CLIENT_ID}'s roles could not be checked: .*role ${ROLE}: ${observed}.* so whether it may revoke here is unknown`,
          ),
        );
      });
    }

    it("says unknown when GET /roles/{id} hangs past its attempt timeout", async () => {
      server = await startHostileServer(pingOne({ roles: () => undefined }));
      const verdict = await mayRevoke(clientOf(server, { maxAttempts: 1, requestTimeoutSeconds: 0.3 }), APP_ENV, {
        userId: USER,
      });
      assert.equal(verdict.may, undefined);
      assert.match(verdict.reason, new RegExp(`roles could not be checked: .*role ${ROLE}: no answer`));
    });
  });

  describe("item 6: an environment the application cannot see is said first", () => {
    const UNKNOWN_ENV = "11111111-1111-4111-8111-111111111111";
    it("explains a 403 for a valid but unknown environment id as an environment that may not exist or not be visible, before any role", async () => {
      server = await startHostileServer(pingOne({}));
      const error = await refusal(
        clientOf(server).deleteSession({ environmentId: UNKNOWN_ENV, userId: USER, sessionId: SESSION }),
      );
      assert.equal(error.status, 403);
      assert.match(
        error.advice,
        new RegExp(
          `^Environment ${UNKNOWN_ENV} may not exist, or may not be visible to the worker application ${CLIENT_ID}: it is not the application's own environment, and none of its role assignments reaches it \\(PingOne answers 403, sometimes 404, for an environment the token cannot see\\)\\. Check the environment id`,
        ),
      );
      assert.doesNotMatch(error.message, /holds Identity Data Admin|may not even read/);
      const verdict = await mayRevoke(clientOf(server), UNKNOWN_ENV, { userId: USER });
      assert.deepEqual(
        [verdict.may, verdict.facts.environmentVisible, verdict.facts.scopes],
        [undefined, false, []],
        "no scope is claimed there",
      );
    });

    it("still explains a population scope when the environment is the application's own", async () => {
      server = await startHostileServer(pingOne({}));
      const verdict = await mayRevoke(clientOf(server), APP_ENV, { userId: USER });
      assert.equal(verdict.may, true);
      assert.equal(verdict.facts.environmentVisible, true);
    });
  });

  describe("item 15: a garbage role assignments answer is named, not called a refusal", () => {
    for (const [name, answer, said] of [
      [
        "an HTML 200",
        (res: Parameters<typeof json>[0]) =>
          res.writeHead(200, { "content-type": "text/html" }).end("<html>Sign in</html>"),
        /MALFORMED_ANSWER: HTTP 200; page 1 of the role assignment list: the role assignment list is not a JSON object/,
      ],
      [
        "a null entry",
        (res: Parameters<typeof json>[0]) => json(res, 200, { _embedded: { roleAssignments: [null] } }),
        /MALFORMED_ANSWER: HTTP 200; page 1 of the role assignment list: entry 0 of the role assignment list is null/,
      ],
      [
        "a cycling next link",
        (res: Parameters<typeof json>[0], url: string) =>
          json(res, 200, {
            _embedded: { roleAssignments: [] },
            _links: { next: { href: url.includes("cursor") ? `${url}` : `${url}?cursor=1` } },
          }),
        /MALFORMED_ANSWER: HTTP 200; page 2 of the role assignment list: its next link leads back to page 2, a cycle/,
      ],
      [
        "an HTML 404",
        (res: Parameters<typeof json>[0]) =>
          res.writeHead(404, { "content-type": "text/html" }).end("<html>Not Found</html>"),
        /NOT_PINGONE: HTTP 404 with a body that is not JSON/,
      ],
    ] as const) {
      it(`says what was wrong with ${name}`, async () => {
        server = await startHostileServer(pingOne({ assignments: answer }));
        const verdict = await mayRevoke(clientOf(server), APP_ENV, { userId: USER });
        assert.equal(verdict.may, undefined);
        assert.match(
          verdict.reason,
          /roles could not be checked: reading its role assignments gave an answer that could not be used \(/,
        );
        assert.match(verdict.reason, said);
        assert.doesNotMatch(verdict.reason, /was refused/);
      });
    }
  });
});

describe("issue 17 item 9: times without a zone, and finer than a millisecond", () => {
  const s = (extra: Record<string, unknown>) => decodeSession({ id: "7c9e6679-7425-40de-944b-e07fc1f90ae7", ...extra });
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it("treats a server time without a zone as unreadable (revoked when in doubt), the same under any TZ", () => {
    const decisions: boolean[] = [];
    for (const tz of ["UTC", "America/New_York", "Asia/Tokyo"]) {
      process.env.TZ = tz;
      const created = sessionMatcher({ createdBefore: "2026-03-01T12:00:00Z" });
      const signedOn = sessionMatcher({ lastSignOnBefore: "2026-03-01T12:00:00Z" });
      decisions.push(
        created(s({ createdAt: "2026-03-01T10:00:00" })),
        signedOn(s({ lastSignOn: { at: "2026-03-01T10:00:00" } })),
      );
      decisions.push(
        created(s({ createdAt: "2026-03-01T13:00:00" })),
        signedOn(s({ lastSignOn: { at: "2026-03-01T13:00:00" } })),
      );
    }
    assert.deepEqual(decisions, Array(12).fill(true));
  });

  it("refuses a cutoff without a zone from input, with a clear error", () => {
    assert.equal(
      criteriaProblems({ createdBefore: "2026-03-01T12:00:00" })[0]?.reason,
      'createdBefore must be an ISO 8601 date-time with a time zone, such as 2026-11-28T12:00:00Z; got "2026-03-01T12:00:00"',
    );
  });

  it("compares at full precision: 12:00:00.0001Z is before 12:00:00.0009Z, for both cutoffs", () => {
    const created = sessionMatcher({ createdBefore: "2026-03-01T12:00:00.0009Z" });
    assert.equal(created(s({ createdAt: "2026-03-01T12:00:00.0001Z" })), true);
    assert.equal(created(s({ createdAt: "2026-03-01T12:00:00.0009Z" })), false, "the same moment is not before");
    assert.equal(created(s({ createdAt: "2026-03-01T12:00:00.00090Z" })), false, "trailing zeros change nothing");
    assert.equal(created(s({ createdAt: "2026-03-01T12:00:00.00091Z" })), false);
    const signedOn = sessionMatcher({ lastSignOnBefore: "2026-03-01T12:00:00.0009Z" });
    assert.equal(signedOn(s({ lastSignOn: { at: "2026-03-01T12:00:00.0001Z" } })), true);
    assert.equal(signedOn(s({ lastSignOn: { at: "2026-03-01T13:00:00.0001+01:00" } })), true, "an offset is applied");
  });
});

describe("issue 17 item 10: the filter check knows PingOne's attributes and their types", () => {
  it("accepts a boolean compared with true or false: enabled eq true", () => {
    assert.equal(invalidFilterReason("enabled eq true"), undefined);
    assert.equal(
      invalidFilterReason('Enabled eq false and population.id eq "0f8fad5b-d9cb-469f-a165-70867728950e"'),
      undefined,
    );
  });

  it('refuses a boolean compared with a string: enabled eq "true"', () => {
    assert.equal(
      invalidFilterReason('enabled eq "true"'),
      'userFilter "enabled eq \\"true\\"": enabled is a boolean: compare it with true or false, unquoted at token 3 ("\\"true\\""); the form is attribute eq|sw "value", or memberOfGroups[id eq "…"], joined by and/or',
    );
    assert.match(invalidFilterReason("enabled sw true")!, /enabled is a boolean: it takes eq true or eq false/);
  });

  it('refuses an attribute PingOne does not filter on: password sw "x"', () => {
    assert.equal(
      invalidFilterReason('password sw "x"'),
      'userFilter "password sw \\"x\\"": "password" is not an attribute PingOne\'s users filter takes (population.id, username, email, accountId, externalId, name.given, name.family, nickname, title, type, lifecycle.status, enabled, memberOfGroups) at token 1 ("password"); the form is attribute eq|sw "value", or memberOfGroups[id eq "…"], joined by and/or',
    );
    assert.match(invalidFilterReason("username eq true")!, /username is a string: a quoted value is expected/);
  });
});
