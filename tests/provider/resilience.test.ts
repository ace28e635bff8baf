/**
 * Does a revocation hold when things go wrong? Through Pulumi's real
 * dynamic-provider host: 1,000 sessions with 30 % of requests faulted, and a
 * provider process killed in the middle of a bulk run.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { sessionRevocationProvider } from "../../provider/resources/sessionRevocation";
import { userSessionsRevocationProvider } from "../../provider/resources/userSessionsRevocation";
import { startEmulator, RunningEmulator } from "../../emulator";
import { ProviderHost, ProviderHostError, serializeProvider, urnFor } from "../../harness/providerHost";
import { stackConfig } from "../support/world";

const USERS_TYPE = "pulumi-nodejs:dynamic/pingone:UserSessionsRevocation";
const SESSION_TYPE = "pulumi-nodejs:dynamic/pingone:SessionRevocation";

/** A tenant with `users` users of `sessions` sessions each, and a worker app with environment-level rights. */
function seed(emulator: RunningEmulator, users: number, sessions: number) {
  const environmentId = emulator.state.addEnvironment();
  const staff = emulator.state.addPopulation(environmentId, { name: "Staff" });
  const userIds: string[] = [];
  for (let u = 0; u < users; u++) {
    const userId = emulator.state.addUser(environmentId, { populationId: staff });
    for (let s = 0; s < sessions; s++) emulator.state.addSession(environmentId, userId);
    userIds.push(userId);
  }
  const app = emulator.state.addApplication({
    environmentId,
    roles: [{ role: "Identity Data Administrator", environmentId }],
  });
  return { environmentId, staff, userIds, app };
}

describe("resilience through the dynamic-provider host", function () {
  this.timeout(120_000);
  let emulator: RunningEmulator;
  let usersProvider: string;
  let sessionProvider: string;

  before(async () => {
    [usersProvider, sessionProvider] = await Promise.all([
      serializeProvider(userSessionsRevocationProvider),
      serializeProvider(sessionRevocationProvider),
    ]);
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it("revokes 1,000 sessions with 30 % of requests faulted: all end absent, and 400/403/404 are never retried", async () => {
    emulator = await startEmulator({ requestLogLimit: 1_000_000 });
    const { environmentId, userIds, app } = seed(emulator, 100, 10);
    // Not retryable, on purpose: users outside a population-scoped app (403), a session deleting itself (400), sessions already gone (404).
    const contractors = emulator.state.addPopulation(environmentId, { name: "Contractors" });
    const outsiders = Array.from({ length: 5 }, () => {
      const userId = emulator.state.addUser(environmentId, { populationId: contractors });
      emulator.state.addSession(environmentId, userId);
      return userId;
    });
    const scoped = emulator.state.addApplication({
      environmentId,
      roles: [
        {
          role: "Identity Data Administrator",
          environmentId,
          populationId: emulator.state.addPopulation(environmentId),
        },
      ],
    });
    const selfUser = emulator.state.addUser(environmentId);
    const selfSession = emulator.state.addSession(environmentId, selfUser).id;
    const selfToken = emulator.state.issueUserSessionToken(environmentId, selfUser, selfSession);
    const goneSessions = Array.from({ length: 20 }, () => randomUUID());

    emulator.setChaos({
      seed: 20261128,
      rate: 0.3,
      kinds: ["429", "500", "502", "503", "504", "reset", "slow"],
      retryAfter: "1",
      slowMs: 1500,
    });
    const host = await ProviderHost.start({
      config: stackConfig(
        emulator,
        { ...app, environmentId },
        {
          // Small waits so the suite stays fast; the figures are the same policy, scaled down.
          "pingone:maxAttempts": "25",
          "pingone:retryBaseDelaySeconds": "0.005",
          "pingone:retryMaxDelaySeconds": "0.05",
          "pingone:maxRetryAfterSeconds": "0.02",
          "pingone:requestTimeoutSeconds": "0.2",
        },
      ),
    });
    const sessionsOf = (userId: string) => emulator.state.listSessions(environmentId, userId).length;
    const successWhilePresent: string[] = [];
    try {
      const bulk = userIds.map((userId) =>
        host.create(urnFor(USERS_TYPE, userId), { __provider: usersProvider, environmentId, userId }).then((result) => {
          // The moment an operation reports success, its sessions must be gone.
          if (sessionsOf(userId) !== 0) successWhilePresent.push(userId);
          return result;
        }),
      );
      const denied = Promise.allSettled(
        outsiders.map((userId) =>
          host.create(urnFor(USERS_TYPE, userId), {
            __provider: usersProvider,
            environmentId,
            userId,
            connection: { clientId: scoped.clientId, clientSecret: scoped.clientSecret },
          }),
        ),
      );
      const ownSession = host
        .create(urnFor(SESSION_TYPE, "self"), {
          __provider: sessionProvider,
          environmentId,
          userId: selfUser,
          sessionId: selfSession,
          connection: { apiAccessToken: selfToken },
        })
        .then(
          () => undefined,
          (e: ProviderHostError) => e,
        );
      const absent = goneSessions.map((sessionId) =>
        host.create(urnFor(SESSION_TYPE, sessionId), {
          __provider: sessionProvider,
          environmentId,
          userId: selfUser,
          sessionId,
        }),
      );

      const bulkResults = await Promise.allSettled(bulk);
      assert.deepEqual(
        bulkResults.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason)),
        [],
        "every bulk revocation succeeds",
      );
      assert.deepEqual(successWhilePresent, [], "no success reported while a session existed");
      assert.equal(
        userIds.reduce((sum, u) => sum + sessionsOf(u), 0),
        0,
        "all 1,000 sessions are absent",
      );

      for (const result of await denied) {
        assert.equal(result.status, "rejected");
        assert.match(
          String((result as PromiseRejectedResult).reason),
          /holds Identity Data Admin for population "Population \d+" \([0-9a-f-]{36}\) of environment [0-9a-f-]{36} only, and may not even read user [0-9a-f-]{36}: the user is outside those populations/,
        );
      }
      assert.equal(
        outsiders.reduce((sum, u) => sum + sessionsOf(u), 0),
        5,
        "sessions outside the app's population are untouched",
      );
      const own = await ownSession;
      assert.match(String(own), /The session to be deleted cannot be the current session/);
      for (const result of await Promise.all(absent)) assert.equal(result.properties.outcome, "already-absent");

      // What the emulator saw, grouped by operation (one transaction id per operation).
      const log = emulator.requests().filter((r) => r.path.startsWith("/v1/"));
      const faulted = log.filter(
        (r) => r.status === "reset" || (typeof r.status === "number" && [429, 500, 502, 503, 504].includes(r.status)),
      ).length;
      assert.ok(faulted / log.length > 0.2, `chaos reached ${faulted} of ${log.length} requests`);
      // A 400, 403 or 404 the client received ends its operation: no later attempt of the same
      // transaction arrives after it was answered. (A slow answer the client had given up on may
      // still have been a 403; it never reached the client, which had already retried.)
      const byTransaction = new Map<string, typeof log>();
      for (const r of log)
        byTransaction.set(r.transactionId ?? "-", [...(byTransaction.get(r.transactionId ?? "-") ?? []), r]);
      let finalAnswers = 0;
      for (const [transactionId, attempts] of byTransaction) {
        for (const answer of attempts.filter(
          (r) => (r.status === 400 || r.status === 403 || r.status === 404) && r.answeredAt !== undefined,
        )) {
          finalAnswers++;
          const later = attempts.filter((r) => r.at > answer.answeredAt!);
          assert.deepEqual(
            later.map((r) => r.status),
            [],
            `${transactionId} retried after a ${answer.status}`,
          );
        }
        assert.ok(
          attempts.filter((r) => r.status === 401).length <= 1,
          `${transactionId} refreshed its token more than once`,
        );
      }
      assert.ok(finalAnswers >= 5 + 1 + 20, `saw ${finalAnswers} final 4xx answers`);
    } finally {
      await host.stop();
    }
  });

  it("converges after the provider process is killed mid-run: a second run revokes the rest without errors", async () => {
    emulator = await startEmulator({ latencyMs: 15, requestLogLimit: 1_000_000 });
    const { environmentId, userIds, app } = seed(emulator, 40, 10);
    const singles = userIds.slice(0, 10).map((userId) => emulator.state.listSessions(environmentId, userId)[0].id);
    const inputsFor = (userId: string) => ({ __provider: usersProvider, environmentId, userId });
    const singleInputs = (i: number) => ({
      __provider: sessionProvider,
      environmentId,
      userId: userIds[i],
      sessionId: singles[i],
    });

    const first = await ProviderHost.start({ config: stackConfig(emulator, { ...app, environmentId }) });
    const firstRun = [
      ...singles.map((_, i) => first.create(urnFor(SESSION_TYPE, `single-${i}`), singleInputs(i))),
      ...userIds.map((userId) => first.create(urnFor(USERS_TYPE, userId), inputsFor(userId))),
    ].map((p) =>
      p.then(
        () => "done",
        () => "lost",
      ),
    );
    // Kill it once part of the work has happened, as a crashed or cancelled `pulumi up` would.
    for (
      let waited = 0;
      emulator.requests().filter((r) => r.method === "DELETE" && r.status === 204).length < 100;
      waited += 10
    ) {
      assert.ok(waited < 30_000, "the first run made no progress");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await first.kill("SIGKILL");
    const outcomes = await Promise.all(firstRun);
    const remainingAfterKill = emulator.state.sessionCount();
    assert.ok(outcomes.includes("lost"), "the kill interrupted operations");
    assert.ok(remainingAfterKill > 0 && remainingAfterKill < 400, `${remainingAfterKill} sessions left after the kill`);

    // The engine re-runs what it has no record of: here, everything.
    const second = await ProviderHost.start({ config: stackConfig(emulator, { ...app, environmentId }) });
    try {
      const singlesAgain = await Promise.all(
        singles.map((_, i) => second.create(urnFor(SESSION_TYPE, `single-${i}`), singleInputs(i))),
      );
      const usersAgain = await Promise.all(
        userIds.map((userId) => second.create(urnFor(USERS_TYPE, userId), inputsFor(userId))),
      );
      assert.equal(emulator.state.sessionCount(), 0);
      assert.ok(
        singlesAgain.every((r) => r.properties.outcome === "revoked" || r.properties.outcome === "already-absent"),
      );
      const revokedSecondTime = usersAgain.reduce(
        (sum, r) => sum + (r.properties.revokedSessionIds as string[]).length,
        0,
      );
      assert.ok(
        revokedSecondTime <= remainingAfterKill,
        `second run revoked ${revokedSecondTime}, only ${remainingAfterKill} were left`,
      );
    } finally {
      await second.stop();
    }
  });
});
