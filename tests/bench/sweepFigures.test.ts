/**
 * The sweep figures of the bench (issue 11), from made-up request logs and
 * worker reports: what kind each request is, the floor, the per-process and
 * per-second figures, the round trips on a critical path, the verdicts and
 * the tables. A full run is `npm run bench`, far too slow for the suite.
 */
import assert from "node:assert/strict";
import type { RequestLogEntry } from "../../emulator";
import {
  analyseSweep,
  countRequests,
  quietAfter429,
  criticalPathDepth,
  listedUser,
  MB,
  median,
  OneUserResult,
  requestKind,
  SweepFacts,
  sweepFloor,
  SweepRunResult,
  windowPerSecond,
} from "../../bench/measure";
import { oneUserTable, sweepProblems, sweepTargets, sweepTable } from "../../bench/report";
import type { WorkerReport } from "../../bench/shardWorker";
import { shardAddress } from "../../bench/sweeps";

const ENV = "/v1/environments/e0";
const T0 = 1_000_000;
const entry = (
  atMs: number,
  method: string,
  path: string,
  status: RequestLogEntry["status"],
  remoteAddress = "127.0.0.1",
  answeredAfterMs = 20,
): RequestLogEntry => ({
  at: T0 + atMs,
  answeredAt: status === "pending" ? undefined : T0 + atMs + answeredAfterMs,
  method,
  path,
  status,
  headers: {},
  body: "",
  remoteAddress,
});

describe("bench: sweep figures", () => {
  describe("requests by kind", () => {
    it("tells a token, a page of users, a session list and a DELETE apart, whatever the query", () => {
      const kinds = [
        ["POST", "/e0/as/token"],
        ["GET", `${ENV}/users?limit=200`],
        ["GET", `${ENV}/users?limit=200&cursor=abc&filter=population.id%20eq%20%22p%22`],
        ["GET", `${ENV}/users`],
        ["GET", `${ENV}/users/u1/sessions`],
        ["GET", `${ENV}/users/u1/sessions?cursor=2`],
        ["DELETE", `${ENV}/users/u1/sessions/s1`],
        ["GET", `${ENV}/users/u1/sessions/s1`],
        ["GET", `${ENV}/users/u1`],
        ["GET", "/v1/roles"],
      ].map(([m, p]) => requestKind(m, p));
      assert.deepEqual(kinds, [
        "token",
        "user-page",
        "user-page",
        "user-page",
        "session-list",
        "session-list",
        "delete",
        "other",
        "other",
        "other",
      ]);
      assert.equal(listedUser("GET", `${ENV}/users/AbC/sessions`), "abc");
      assert.equal(listedUser("DELETE", `${ENV}/users/AbC/sessions/s`), undefined);
    });

    it("counts requests by kind and answer; a 429 is not accepted, a pending one is", () => {
      const c = countRequests([
        entry(0, "POST", "/e0/as/token", 200),
        entry(1, "GET", `${ENV}/users?limit=200`, 200),
        entry(2, "GET", `${ENV}/users/u1/sessions`, 429),
        entry(3, "GET", `${ENV}/users/u1/sessions`, 200),
        entry(4, "DELETE", `${ENV}/users/u1/sessions/s1`, "pending"),
      ]);
      assert.deepEqual(c, {
        total: 5,
        token: 1,
        userPages: 1,
        sessionLists: 2,
        deletes: 1,
        other: 0,
        status429: 1,
        accepted: 4,
        pending: 1,
      });
    });
  });

  describe("the floor", () => {
    it("is per process a token and every page of users, plus a list per user and a DELETE per session", () => {
      // The seeded 2,000-user tenant: 8,705 sessions; an unlimited sweep made exactly 10,716 requests.
      assert.equal(
        sweepFloor({ processes: 1, pagesUsers: true, population: 2000, usersListed: 2000, sessions: 8705 }),
        1 + 10 + 2000 + 8705,
      );
      assert.equal(
        sweepFloor({ processes: 1, pagesUsers: true, population: 2001, usersListed: 2001, sessions: 0 }),
        1 + 11 + 2001,
      );
      // Four shards each page through the whole population.
      assert.equal(
        sweepFloor({ processes: 4, pagesUsers: true, population: 1000, usersListed: 1000, sessions: 4000 }),
        4 * (1 + 5) + 1000 + 4000,
      );
      // Handed the ids: no pages at all.
      assert.equal(
        sweepFloor({ processes: 1, pagesUsers: false, population: 0, usersListed: 300, sessions: 1200 }),
        1 + 300 + 1200,
      );
      // An empty population is still one page.
      assert.equal(sweepFloor({ processes: 1, pagesUsers: true, population: 0, usersListed: 0, sessions: 0 }), 2);
    });
  });

  describe("the pacer per second", () => {
    it("keeps the last sample of each second, and skips samples without a window", () => {
      const w = windowPerSecond([
        { atMs: 100, window: 10, rate: 500, roundTripMs: 20, throttles: 0, rssBytes: 1, heapUsedBytes: 1 },
        { atMs: 900, window: 4, rate: 190, roundTripMs: 21, throttles: 3, rssBytes: 1, heapUsedBytes: 1 },
        { atMs: 1500, rssBytes: 1, heapUsedBytes: 1 },
        { atMs: 2100, window: 5, rate: 230, roundTripMs: 22, throttles: 4, rssBytes: 1, heapUsedBytes: 1 },
      ]);
      assert.deepEqual(w, [
        { second: 0, window: 4, rate: 190, roundTripMs: 21, throttles: 3 },
        { second: 2, window: 5, rate: 230, roundTripMs: 22, throttles: 4 },
      ]);
    });
  });

  describe("a multi-process run", () => {
    const report = (
      label: string,
      localAddress: string,
      finishedAfterMs: number,
      over: Partial<WorkerReport> = {},
    ): WorkerReport => ({
      label,
      localAddress,
      startedAtMs: T0 + 5,
      finishedAtMs: T0 + finishedAfterMs,
      usersScanned: 1,
      sessionsRevoked: 1,
      sessionsAlreadyAbsent: 0,
      sessionsFailed: 0,
      usersFailed: 0,
      failureSamples: [],
      stats: { apiRequests: 0, tokenRequests: 0, statuses: {}, networkFailures: 0, retries: 0 },
      readyRssBytes: 50 * MB,
      peakRssBytes: 80 * MB,
      samples: [],
      ...over,
    });
    const facts: SweepFacts = {
      name: "2 shards",
      scenario: "shards",
      role: "measured",
      rateLimit: { requestsPerSecond: 4, burst: 2, exemptSources: [] },
      latencyMs: 20,
      users: 3,
      sessionsSeeded: 2,
      sessionsInScope: 2,
      sessionsBefore: 2,
      sessionsAfter: 0,
      sessionsLeftInScope: 0,
      usersInScope: new Set(["u1", "u2", "u3"]),
      floor: { processes: 2, pagesUsers: true, population: 3, usersListed: 3, sessions: 2 },
      notes: [],
    };
    const log = [
      entry(10, "POST", "/e0/as/token", 200, "127.0.0.2"),
      entry(11, "POST", "/e0/as/token", 200, "127.0.0.3"),
      entry(40, "GET", `${ENV}/users?limit=200`, 200, "127.0.0.2"),
      entry(41, "GET", `${ENV}/users?limit=200`, 200, "127.0.0.3"),
      entry(70, "GET", `${ENV}/users/U1/sessions`, 200, "127.0.0.2"),
      entry(71, "GET", `${ENV}/users/u2/sessions`, 429, "127.0.0.3"),
      entry(1_100, "GET", `${ENV}/users/u2/sessions`, 200, "127.0.0.3"),
      entry(1_130, "DELETE", `${ENV}/users/u1/sessions/s1`, 204, "127.0.0.2"),
      entry(1_140, "DELETE", `${ENV}/users/u2/sessions/s2`, 204, "127.0.0.3"),
      // u3 listed twice (by both shards), and never by neither: the check counts both ways.
      entry(1_500, "GET", `${ENV}/users/u3/sessions`, 200, "127.0.0.2"),
      entry(1_510, "GET", `${ENV}/users/u3/sessions`, 200, "127.0.0.3"),
    ];
    const r = analyseSweep(
      facts,
      log,
      [report("shard 1/2", "127.0.0.2", 1_600), report("shard 2/2", "127.0.0.3", 2_000)],
      T0,
    );

    it("measures the whole run from go to the last process's end, from the server's log", () => {
      assert.equal(r.wallSeconds, 2);
      assert.equal(r.requests.total, 11);
      assert.equal(r.floor, 2 * 2 + 3 + 2);
      assert.equal(r.overFloor, 11 / 9);
      assert.equal(r.shareOfLimit, 10 / 2 / 4);
      assert.equal(r.share429, 1 / 11);
      assert.equal(r.sessionsRevoked, 2);
      assert.deepEqual(r.timeline, [
        { second: 0, accepted: 5, throttled: 1 },
        { second: 1, accepted: 5, throttled: 0 },
      ]);
      assert.deepEqual(r.throttleTimes, [0.071]);
    });

    it("gives each process its own requests, by source address, and its finish time", () => {
      assert.deepEqual(
        r.processes.map((p) => [p.label, p.source, p.finishedAtSeconds, p.requests.total, p.requests.status429]),
        [
          ["shard 1/2", "127.0.0.2", 1.6, 5, 0],
          ["shard 2/2", "127.0.0.3", 2, 6, 1],
        ],
      );
      assert.equal(r.processes[0].shareOfLimit, 5 / 1.6 / 4);
      assert.equal(r.finishSpread, 2 / 1.6 - 1);
    });

    it("measures each process's longest silence within 2 s of each 429 it got", () => {
      // Shard 2's 429 was answered at 91 ms; its next request arrived at 1,100 ms.
      assert.deepEqual(
        r.processes.map((p) => p.quietAfter429),
        [[], [1.009]],
      );
      // Two queued requests leave at once, then a pause of 900 ms, then requests 10 ms apart.
      const paused = [
        entry(0, "GET", `${ENV}/users/u/sessions`, 429),
        entry(21, "DELETE", `${ENV}/a`, 204),
        entry(22, "DELETE", `${ENV}/b`, 204),
        entry(922, "DELETE", `${ENV}/c`, 204),
        entry(932, "DELETE", `${ENV}/d`, 204),
      ];
      assert.deepEqual(quietAfter429(paused), [0.9]);
      // A pause longer than the window counts whole, up to the first request after it.
      assert.deepEqual(
        quietAfter429([entry(0, "GET", `${ENV}/users`, 429), entry(3_020, "GET", `${ENV}/users`, 200)]),
        [3],
      );
      assert.deepEqual(
        quietAfter429([entry(0, "GET", `${ENV}/users`, 429)]),
        [],
        "a 429 followed by nothing gives nothing",
      );
    });

    it("counts the users listed twice and never (a 429 lists nothing; ids compare without case)", () => {
      assert.equal(r.usersListedTwice, 1);
      assert.equal(r.usersNeverListed, 0);
      const missing = analyseSweep(
        { ...facts, usersInScope: new Set(["u1", "u2", "u3", "u4"]) },
        log.slice(0, 6),
        [],
        T0,
      );
      assert.deepEqual([missing.usersListedTwice, missing.usersNeverListed], [0, 3]);
    });

    it("has no finish spread for one process, and no share of a limit without one", () => {
      const one = analyseSweep({ ...facts, rateLimit: null }, log, [report("sweep", "127.0.0.2", 1_000)], T0);
      assert.equal(one.finishSpread, null);
      assert.equal(one.shareOfLimit, null);
      assert.equal(one.processes[0].shareOfLimit, null);
    });
  });

  describe("round trips on the critical path", () => {
    const at = (start: number, answer?: number) => ({ at: start, answeredAt: answer });

    it("counts a wave sent at once once: token, list, 10 DELETEs is 3", () => {
      const deletes = Array.from({ length: 10 }, (_, i) => at(110 + i, 160 + i));
      assert.equal(criticalPathDepth([at(0, 50), at(55, 105), ...deletes]), 3);
    });

    it("counts a wave split by a window of 4 once per part", () => {
      const wave = (start: number) => Array.from({ length: 4 }, (_, i) => at(start + i, start + 50 + i));
      assert.equal(
        criticalPathDepth([at(0, 50), at(55, 105), ...wave(110), ...wave(165), ...wave(220).slice(0, 2)]),
        5,
      );
    });

    it("counts a loop of requests one after the other as one each, in any order given", () => {
      const loop = Array.from({ length: 12 }, (_, i) => at(i * 60, i * 60 + 50)).reverse();
      assert.equal(criticalPathDepth(loop), 12);
    });

    it("lets no unanswered request end a chain, and is 0 for no request", () => {
      assert.equal(criticalPathDepth([at(0), at(100, 150)]), 1);
      assert.equal(criticalPathDepth([]), 0);
    });

    it("takes the median of an odd and an even number of values, NaN of none", () => {
      assert.equal(median([3, 1, 2]), 2);
      assert.equal(median([4, 1, 3, 2]), 2.5);
      assert.ok(Number.isNaN(median([])));
    });
  });

  describe("verdicts and tables", () => {
    const run = (over: Partial<SweepRunResult>): SweepRunResult => ({
      name: "sweep, 1 process, 200 req/s",
      scenario: "sweep",
      role: "measured",
      rateLimit: { requestsPerSecond: 200, burst: 20, exemptSources: ["127.0.0.1"] },
      latencyMs: 20,
      users: 2000,
      sessionsSeeded: 8705,
      sessionsInScope: 8705,
      sessionsRevoked: 8705,
      sessionsLeftInScope: 0,
      wallSeconds: 58.9,
      requests: {
        total: 10800,
        token: 1,
        userPages: 10,
        sessionLists: 2000,
        deletes: 8789,
        other: 0,
        status429: 84,
        accepted: 10716,
        pending: 0,
      },
      floor: 10716,
      overFloor: 10800 / 10716,
      shareOfLimit: 0.91,
      share429: 84 / 10800,
      processes: [],
      finishSpread: null,
      timeline: [],
      throttleTimes: [],
      usersListedTwice: 0,
      usersNeverListed: 0,
      notes: [],
      ...over,
    });
    const proc = (peakMb: number, finished = 30) => ({
      label: "p",
      source: "127.0.0.1",
      finishedAtSeconds: finished,
      requests: countRequests([]),
      shareOfLimit: null,
      share429: 0,
      usersScanned: 1,
      sessionsRevoked: 1,
      sessionsAlreadyAbsent: 0,
      failures: 0,
      failureSamples: [],
      readyRssBytes: 50 * MB,
      peakRssBytes: peakMb * MB,
      window: [],
      quietAfter429: [],
    });
    const cliRun = (wallSeconds: number, roundTrips: number) => ({
      name: "pingone-sessions revoke --all",
      wallSeconds,
      firstRequestAtSeconds: 0.31,
      lastAnswerAtSeconds: 0.47,
      roundTrips,
      roundTripSeconds: 0.052,
      requests: 12,
      processes: 1,
      sessionsRevoked: 10,
      failures: [],
    });
    const oneUser: OneUserResult = {
      latencyMs: 50,
      sessions: 10,
      startupSeconds: 0.3,
      budgetSeconds: 0.3 + 4 * 0.052,
      cli: cliRun(0.49, 3),
      cliRuns: [cliRun(0.47, 3), cliRun(0.49, 3), cliRun(0.52, 4)],
      curl: {
        name: "curl loop",
        wallSeconds: 1.4,
        firstRequestAtSeconds: 0.1,
        lastAnswerAtSeconds: 1.39,
        roundTrips: 12,
        roundTripSeconds: 0.051,
        requests: 12,
        processes: 15,
        sessionsRevoked: 10,
        failures: [],
      },
      notes: [],
    };

    it("judges each sweep target on the runs made", () => {
      const sweeps = [
        run({}),
        run({ name: "bucket", scenario: "small-bucket", shareOfLimit: 0.93, share429: 0.025 }),
        run({ name: "per-user", scenario: "small-bucket", role: "baseline", shareOfLimit: 0.92, share429: 0.055 }),
        run({
          name: "4 shards",
          scenario: "shards",
          shareOfLimit: 0.95,
          share429: 0.03,
          finishSpread: 0.12,
          processes: [proc(80, 25), proc(80, 28)],
          usersListedTwice: 0,
          usersNeverListed: 0,
        }),
        run({ name: "small", scenario: "memory", role: "baseline", users: 2000, processes: [proc(142)] }),
        run({ name: "large", scenario: "memory", users: 20000, processes: [proc(148.6)] }),
      ];
      const verdicts = sweepTargets(sweeps, oneUser).map((t) => `${t.target}: ${t.figure} ${t.verdict}`);
      assert.deepEqual(verdicts, [
        "sweep, 1 process: share of the limit: 91.0% PASS",
        "sweep, 1 process: 429 answers: 0.8% PASS",
        "sweep, 1 process: requests / floor: 1.008x (10800 / 10716) PASS",
        "small bucket: 429 answers: 2.5% FAIL",
        "small bucket: share of the limit: 93.0% PASS",
        "shards together: share of the licence: 95.0% PASS",
        "shards together: 429 answers: 3.0% PASS",
        "shards: finish times within 10% of each other: 12.0% (25.0, 28.0 s) FAIL",
        "shards: every user listed exactly once: 0 twice, 0 never PASS",
        "memory: peak RSS growth, small to large population: 6.6 MB (142.0 -> 148.6 MB; 2000 -> 20000 users) PASS",
        "one user, 10 sessions: round trips on the critical path: 4 (the most in 3 runs) PASS",
        "one user, 10 sessions: wall time: 0.490 s, median of 3 (budget 0.508 s = start-up 0.300 + 4 x 0.052) PASS",
      ]);
    });

    it("says n/a for every target whose run was not made", () => {
      assert.deepEqual(
        new Set(sweepTargets([], null).map((t) => `${t.figure} ${t.verdict}`)),
        new Set(["not run n/a"]),
      );
    });

    it("draws the sweeps side by side, and the one-user runs, as Markdown tables", () => {
      assert.equal(
        sweepTable([run({ processes: [proc(120)] })]),
        [
          "| run                         | users |  sessions | wall s | % of limit |      429s |       requests / floor | failures | peak RSS |",
          "|:----------------------------|------:|----------:|-------:|-----------:|----------:|-----------------------:|---------:|---------:|",
          "| sweep, 1 process, 200 req/s |  2000 | 8705/8705 |  58.90 |      91.0% | 84 (0.8%) | 10800 / 10716 = 1.008x |        0 |   120 MB |",
        ].join("\n"),
      );
      assert.match(
        oneUserTable(oneUser),
        // eslint-disable-next-line no-regex-spaces -- the column padding is what this asserts
        /^\| pingone-sessions revoke --all \|  0\.490 \|              0\.310 \|            0\.470 \|           3 \|                      0\.004 \|/m,
      );
    });

    it("calls a run broken when it crashed, left in-scope sessions or requests unanswered", () => {
      assert.deepEqual(
        sweepProblems([
          run({}),
          run({
            name: "x",
            broken: "the workers did not all finish within 240 s",
            sessionsLeftInScope: 3,
            requests: { ...run({}).requests, pending: 2 },
          }),
        ]),
        [
          "x: the workers did not all finish within 240 s",
          "x: the emulator still holds 3 of the sessions it was to revoke",
          "x: 2 requests never answered",
        ],
      );
    });

    it("puts shard i on 127.0.0.(i+2), carrying into the next octet", () => {
      assert.deepEqual([0, 3, 253, 254].map(shardAddress), ["127.0.0.2", "127.0.0.5", "127.0.0.255", "127.0.1.0"]);
    });
  });
});
