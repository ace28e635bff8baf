/**
 * The bench's parts that need no emulator: its command line, the figures it
 * derives from a request log, its verdicts and its tables. A full run is
 * `npm run bench`, too slow for the suite.
 */
import assert from "node:assert/strict";
import type { RequestLogEntry } from "../../emulator";
import { analyse, MB, RunFacts, RunResult } from "../../bench/measure";
import {
  BenchOptions,
  DEFAULT_OPTIONS,
  parseBenchArgs,
  RUN_KINDS,
  selected,
  SWEEP_KINDS,
  UsageError,
} from "../../bench/options";
import { runTable, targets, targetTable } from "../../bench/report";

describe("bench", () => {
  describe("command line", () => {
    it("applies the headline defaults when no flag is given", () => {
      assert.deepEqual(parseBenchArgs([]), {
        ...DEFAULT_OPTIONS,
        only: undefined,
        maxConcurrency: undefined,
        hostNodeOptions: undefined,
      });
    });

    it("reads every flag, with its value after a space or an equals sign", () => {
      const o = parseBenchArgs([
        "--users=3",
        "--sessions",
        "2",
        "--latency-ms",
        "0",
        "--rate",
        "50.5",
        "--burst=4",
        "--only",
        "curl",
        "--max-concurrency",
        "8",
        "--curl-concurrency",
        "2",
        "--run-timeout-s",
        "30",
        "--host-node-options=--max-semi-space-size=1",
        "--sweep-users",
        "500",
        "--bucket-users=50",
        "--shard-users",
        "400",
        "--shards",
        "3",
        "--memory-users",
        "100,1000",
        "--tenant-seed",
        "7",
      ]);
      assert.deepEqual(o, {
        users: 3,
        sessions: 2,
        latencyMs: 0,
        rate: 50.5,
        burst: 4,
        only: ["curl"],
        maxConcurrency: 8,
        curlConcurrency: 2,
        runTimeoutS: 30,
        hostNodeOptions: "--max-semi-space-size=1",
        sweepUsers: 500,
        bucketUsers: 50,
        shardUsers: 400,
        shards: 3,
        memoryUsers: [100, 1000],
        tenantSeed: 7,
      });
      assert.equal(parseBenchArgs(["--help"]), "help");
    });

    const refusals: [string[], RegExp][] = [
      [["--sessions", "11"], /^--sessions must be an integer 1\.\.10 \(PingOne keeps at most 10 per user\); got "11"$/],
      [["--users", "1.5"], /^--users must be a positive integer; got "1\.5"$/],
      [["--rate", "0"], /^--rate must be a positive number; got "0"$/],
      [["--burst", ""], /^--burst must be at least 1; got ""$/],
      [
        ["--only", "all"],
        /^--only takes a comma-separated list of limited, unlimited, curl, sweep, small-bucket, shards, memory, one-user, matrix; got "all"$/,
      ],
      [["--only", "sweep,"], /^--only takes a comma-separated list of .*; got ""$/],
      [
        ["--memory-users", "20000,2000"],
        /^--memory-users must be two population sizes SMALL,LARGE \(each an integer 1\.\.1000000, SMALL < LARGE\); got "20000,2000"$/,
      ],
      [["--memory-users", "2000"], /^--memory-users must be two population sizes .*; got "2000"$/],
      [
        ["--shards", "1"],
        /^--shards must be an integer 2\.\.200 \(one loopback address each, from 127\.0\.0\.2\); got "1"$/,
      ],
      [["--sweep-users", "0"], /^--sweep-users must be an integer 1\.\.1000000; got "0"$/],
      [["--latency-ms=-1"], /^--latency-ms must be a non-negative number; got "-1"$/],
      [["--latency-ms", "-1"], /^Option '--latency-ms' argument is ambiguous\. .* use '--latency-ms=-XYZ'\.$/],
      [["--user", "3"], /^Unknown option '--user'/],
      [["--users"], /^Option '--users <value>' argument missing$/],
      [["200"], /^Unexpected argument '200'/],
    ];

    it("reads --only as a list, each scenario once, and selects exactly those", () => {
      const o = parseBenchArgs(["--only", "sweep, shards,sweep"]) as BenchOptions;
      assert.deepEqual(o.only, ["sweep", "shards"]);
      assert.deepEqual(
        [...RUN_KINDS, ...SWEEP_KINDS].filter((k) => selected(o, k)),
        ["sweep", "shards"],
      );
      assert.equal(
        [...RUN_KINDS, ...SWEEP_KINDS].every((k) => selected(parseBenchArgs([]) as BenchOptions, k)),
        true,
      );
    });
    for (const [argv, message] of refusals) {
      it(`refuses ${JSON.stringify(argv)} with a one-line usage error that names it`, () => {
        assert.throws(
          () => parseBenchArgs(argv),
          (e: unknown) => e instanceof UsageError && message.test(e.message) && !e.message.includes("\n"),
        );
      });
    }
  });

  describe("figures", () => {
    const facts: RunFacts = {
      name: "provider, 10 req/s limit",
      kind: "limited",
      rateLimit: { requestsPerSecond: 10, burst: 2 },
      maxConcurrency: "default",
      operations: 2,
      failures: 0,
      failureSamples: [],
      peakRssBytes: 120 * MB,
      notes: [],
    };
    const entry = (atMs: number, method: string, path: string, status: RequestLogEntry["status"]): RequestLogEntry => ({
      at: 1_000_000 + atMs,
      method,
      path,
      status,
      headers: {},
      body: "",
      remoteAddress: "127.0.0.1",
    });

    it("counts requests by kind and second from the emulator's log, and revocations from its sessions", () => {
      const log = [
        entry(100, "POST", "/env/as/token", 200),
        entry(200, "GET", "/v1/environments/e/users/u1/sessions", 200),
        entry(300, "DELETE", "/v1/environments/e/users/u1/sessions/s1", 429),
        entry(1_100, "DELETE", "/v1/environments/e/users/u1/sessions/s1", 204),
        entry(1_200, "DELETE", "/v1/environments/e/users/u1/sessions/s2", 204),
        entry(1_900, "DELETE", "/v1/environments/e/users/u1/sessions/s3", "pending"),
      ];
      const r = analyse(facts, { seeded: 3, left: 1 }, log, 1_000_000, 2);
      assert.equal(r.sessionsRevoked, 2);
      assert.equal(r.revocationsPerSecond, 1);
      assert.deepEqual(r.requests, {
        total: 6,
        api: 5,
        token: 1,
        list: 1,
        delete: 4,
        status429: 1,
        accepted: 5,
        pending: 1,
        byStatus: { "200": 2, "429": 1, "204": 2, pending: 1 },
      });
      assert.equal(r.shareOfLimit, 5 / 2 / 10);
      assert.equal(r.requestsPerSession, 5 / 2);
      assert.equal(r.deletesPerSession, 4 / 2);
      assert.deepEqual(r.timeline, [
        { second: 0, accepted: 2, throttled: 1 },
        { second: 1, accepted: 3, throttled: 0 },
      ]);
      assert.deepEqual([r.firstRequestAtSeconds, r.firstThrottleAtSeconds, r.lastRequestAtSeconds], [0.1, 0.3, 1.9]);
    });
  });

  describe("report", () => {
    const run = (over: Partial<RunResult>): RunResult => ({
      name: "provider, 200 req/s limit",
      kind: "limited",
      rateLimit: { requestsPerSecond: 200, burst: 20 },
      maxConcurrency: "default",
      wallSeconds: 11.38,
      sessionsSeeded: 2000,
      sessionsRevoked: 2000,
      sessionsLeft: 0,
      revocationsPerSecond: 176,
      requests: {
        total: 2228,
        api: 2226,
        token: 2,
        list: 200,
        delete: 2006,
        status429: 27,
        accepted: 2201,
        pending: 0,
        byStatus: {},
      },
      shareOfLimit: 0.967,
      requestsPerSession: 1.113,
      deletesPerSession: 1.003,
      share429: 0.012,
      operations: 200,
      failures: 0,
      failureSamples: [],
      peakRssBytes: 199 * MB,
      timeline: [],
      firstThrottleAtSeconds: null,
      firstRequestAtSeconds: null,
      lastRequestAtSeconds: null,
      notes: [],
      ...over,
    });
    const limited = run({});
    const unlimited = run({
      name: "provider, unlimited",
      kind: "unlimited",
      rateLimit: null,
      wallSeconds: 2.73,
      revocationsPerSecond: 732,
      shareOfLimit: null,
      deletesPerSession: 1,
      share429: 0,
      requests: { ...limited.requests, status429: 0 },
      peakRssBytes: 140 * MB,
    });
    const curl = run({
      name: "curl --retry 10, 32 at a time",
      kind: "curl",
      rateLimit: null,
      revocationsPerSecond: 37,
      shareOfLimit: null,
      requestsPerSession: NaN,
      share429: 0,
      requests: { ...limited.requests, status429: 0 },
      operations: 2000,
      peakRssBytes: null,
    });

    it("draws the runs as a Markdown table, figures right-aligned", () => {
      assert.equal(
        runTable([limited, curl]),
        [
          "| run                           | wall s | revoked/s | % of limit | req/session | DELETE/session |      429s | failures | peak RSS |",
          "|:------------------------------|-------:|----------:|-----------:|------------:|---------------:|----------:|---------:|---------:|",
          "| provider, 200 req/s limit     |  11.38 |       176 |      96.7% |       1.113 |          1.003 | 27 (1.2%) |    0/200 |   199 MB |",
          "| curl --retry 10, 32 at a time |  11.38 |        37 |        n/a |         n/a |          1.003 |  0 (0.0%) |   0/2000 |      n/a |",
        ].join("\n"),
      );
    });

    it("judges each target on the runs made, and says n/a for a run not made", () => {
      const verdicts = (runs: RunResult[]) => targets(runs).map((t) => `${t.target}: ${t.figure} ${t.verdict}`);
      assert.deepEqual(verdicts([limited, unlimited, curl]), [
        "rate-limited: share of the limit reached: 96.7% PASS",
        "rate-limited: failed operations: 0 PASS",
        "rate-limited: 429 answers: 1.2% PASS",
        "provider, 200 req/s limit: DELETEs per revoked session: 1.003 PASS",
        "provider, unlimited: DELETEs per revoked session: 1.000 PASS",
        "unlimited throughput vs curl baseline: 19.78x (732 vs 37 /s) PASS",
        "provider, 200 req/s limit: provider peak RSS: 199 MB FAIL",
        "provider, unlimited: provider peak RSS: 140 MB PASS",
      ]);
      assert.deepEqual(verdicts([curl]), [
        "rate-limited: share of the limit reached: not run n/a",
        "rate-limited: failed operations: not run n/a",
        "rate-limited: 429 answers: not run n/a",
        "unlimited throughput vs curl baseline: not run n/a",
      ]);
    });

    it("draws the targets as a Markdown table", () => {
      assert.equal(
        targetTable(targets([curl]).slice(0, 1)),
        [
          "| target                                   | figure  | required | verdict |",
          "|------------------------------------------|---------|----------|---------|",
          "| rate-limited: share of the limit reached | not run | >= 90%   | n/a     |",
        ].join("\n"),
      );
    });
  });
});
