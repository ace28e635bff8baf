// The licence rate limit with a per-source-address share: exact with an injected clock, and over
// real HTTP from several loopback addresses (127.0.0.2, 127.0.0.3, ...), as shards on several
// machines would reach PingOne. Rates are tiny so that refills during a test cannot change a count.

import { strict as assert } from "node:assert";
import * as os from "node:os";

import { startEmulator, type RunningEmulator } from "../../emulator";
import { LicenceRateLimiter } from "../../emulator/faults";
import { callFrom, sessionsUrl, type Reply } from "./helpers";

describe("PingOne emulator: licence rate limit with a per-source share", () => {
  describe("LicenceRateLimiter (injected clock)", () => {
    it("gives each source its share of the licence's burst and rate, and says which limit refused and for how long", () => {
      let now = 0;
      const limiter = new LicenceRateLimiter({ requestsPerSecond: 10, burst: 10, allowedSourceIps: [] }, () => now);
      const a = [1, 2, 3, 4].map(() => limiter.take("127.0.0.2"));
      assert.deepEqual(a.slice(0, 3), [{ allowed: true }, { allowed: true }, { allowed: true }]);
      // The default share is 35%: a bucket of 3.5 at 3.5 per second; half a token short is 1/7 s away.
      assert.deepEqual(a[3], { allowed: false, waitMs: (0.5 / 3.5) * 1000, quotaLimit: 3.5 });
      now = 143;
      assert.deepEqual(limiter.take("127.0.0.2"), { allowed: true });
    });

    it("spends nothing on a refused request, and refuses on the licence once the sources together exhaust it", () => {
      const now = 0;
      const limiter = new LicenceRateLimiter(
        { requestsPerSecond: 1, burst: 10, perSourceIpShare: 0.3, allowedSourceIps: [] },
        () => now,
      );
      const outcome = (source: string, n: number) => Array.from({ length: n }, () => limiter.take(source).allowed);
      assert.deepEqual(outcome("127.0.0.2", 5), [true, true, true, false, false]);
      assert.deepEqual(outcome("127.0.0.3", 4), [true, true, true, false]);
      assert.deepEqual(outcome("127.0.0.4", 4), [true, true, true, false]);
      const refusedByLicence = [limiter.take("127.0.0.5"), limiter.take("127.0.0.5")];
      assert.deepEqual(refusedByLicence, [{ allowed: true }, { allowed: false, waitMs: 1000, quotaLimit: 1 }]);
    });

    it("lets allowed addresses use the whole licence (127.0.0.1 by default), and reads an IPv4-mapped address as IPv4", () => {
      const now = 0;
      const byDefault = new LicenceRateLimiter({ requestsPerSecond: 1, burst: 5 }, () => now);
      assert.deepEqual(
        Array.from({ length: 6 }, () => byDefault.take("127.0.0.1").allowed),
        [true, true, true, true, true, false],
      );
      const strict = new LicenceRateLimiter(
        { requestsPerSecond: 1, burst: 10, perSourceIpShare: 0.2, allowedSourceIps: ["127.0.0.9"] },
        () => now,
      );
      assert.deepEqual(
        Array.from({ length: 3 }, () => strict.take("::ffff:127.0.0.2").allowed),
        [true, true, false],
      );
      assert.equal(strict.take("127.0.0.2").allowed, false);
      assert.equal(strict.take("::ffff:127.0.0.9").allowed, true);
    });

    it("refuses a share outside (0, 1] and an allowed address that is not one", () => {
      assert.throws(
        () => new LicenceRateLimiter({ requestsPerSecond: 1, perSourceIpShare: 0 }),
        /perSourceIpShare must be in \(0, 1\], got 0/,
      );
      assert.throws(() => new LicenceRateLimiter({ requestsPerSecond: 1, perSourceIpShare: 1.5 }), /perSourceIpShare/);
      assert.throws(
        () => new LicenceRateLimiter({ requestsPerSecond: 1, allowedSourceIps: ["localhost"] }),
        /allowedSourceIps must be an array of IP addresses/,
      );
    });
  });

  describe("over HTTP from several loopback addresses", () => {
    let emu: RunningEmulator;
    let url: string;
    let token: string;

    before(async () => {
      emu = await startEmulator();
      const env = emu.state.addEnvironment();
      const user = emu.state.addUser(env);
      const app = emu.state.addApplication({
        environmentId: env,
        roles: [{ role: "Identity Data Administrator", environmentId: env }],
      });
      // Issued in-process, so no token request spends the licence.
      token = emu.state.issueApplicationToken(app.clientId).accessToken;
      url = sessionsUrl(emu, env, user);
    });
    after(() => emu.stop());
    beforeEach(() => emu.clearRequests());

    const burst = async (source: string, n: number): Promise<Reply[]> => {
      const replies: Reply[] = [];
      for (let i = 0; i < n; i++) replies.push(await callFrom(source, "GET", url, { token }));
      return replies;
    };

    it("gives each source address its share, then the licence refuses the rest; the log records each address", async () => {
      // 0.1 request a second: refills during the test are far below one request.
      emu.setRateLimit({ requestsPerSecond: 0.1, burst: 10, perSourceIpShare: 0.3, allowedSourceIps: [] });
      const statuses: Record<string, number[]> = {};
      for (const source of ["127.0.0.2", "127.0.0.3", "127.0.0.4"])
        statuses[source] = (await burst(source, 4)).map((r) => r.status);
      statuses["127.0.0.5"] = (await burst("127.0.0.5", 3)).map((r) => r.status);
      assert.deepEqual(statuses, {
        "127.0.0.2": [200, 200, 200, 429],
        "127.0.0.3": [200, 200, 200, 429],
        "127.0.0.4": [200, 200, 200, 429],
        "127.0.0.5": [200, 429, 429],
      });
      assert.deepEqual(
        emu.requests().map((r) => `${r.remoteAddress} ${r.status}`),
        Object.entries(statuses).flatMap(([source, list]) => list.map((status) => `${source} ${status}`)),
      );
    });

    it("answers 429 REQUEST_LIMITED with Retry-After in whole seconds and innerError retryAfter, quotaResetTime and quotaLimit that agree with it", async () => {
      emu.setRateLimit({ requestsPerSecond: 0.1, burst: 10, perSourceIpShare: 0.3, allowedSourceIps: [] });
      const byShare = (await burst("127.0.0.2", 4))[3];
      await burst("127.0.0.3", 3);
      await burst("127.0.0.4", 3);
      const byLicence = (await burst("127.0.0.5", 2))[1];
      const log = emu.requests();
      const arrivals = [log[3].at, log[log.length - 1].at];
      for (const [reply, quotaLimit, arrivedAt] of [
        [byShare, 0.03, arrivals[0]],
        [byLicence, 0.1, arrivals[1]],
      ] as const) {
        assert.equal(reply.status, 429);
        assert.equal(reply.json.code, "REQUEST_LIMITED");
        assert.equal(reply.json.message, "The request could not be completed due to rate limiting.");
        assert.equal(reply.json.details.length, 1);
        const [detail] = reply.json.details;
        assert.deepEqual(Object.keys(detail), ["code", "message", "innerError"]);
        assert.equal(detail.code, "LIMIT_EXCEEDED");
        assert.deepEqual(Object.keys(detail.innerError), ["retryAfter", "quotaResetTime", "quotaLimit"]);
        const { retryAfter, quotaResetTime } = detail.innerError;
        assert.equal(detail.innerError.quotaLimit, quotaLimit);
        assert.equal(reply.headers.get("retry-after"), String(Math.ceil(retryAfter)));
        assert.equal(Date.parse(quotaResetTime) - arrivedAt, Math.round(retryAfter * 1000));
        assert.match(quotaResetTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
      // The share refills at 0.03/s: about 33 s to the next request; the licence at 0.1/s: about 10 s.
      assert.ok(
        byShare.json.details[0].innerError.retryAfter > 30 && byShare.json.details[0].innerError.retryAfter <= 34,
        byShare.text,
      );
      assert.ok(
        byLicence.json.details[0].innerError.retryAfter > 9 && byLicence.json.details[0].innerError.retryAfter <= 10,
        byLicence.text,
      );
    });

    it("answers Retry-After: 0 with the same exact wait in the body when told retryAfterHeader zero, and refuses an unknown style", async () => {
      emu.setRateLimit({ requestsPerSecond: 0.1, burst: 1, retryAfterHeader: "zero" });
      const [first, second] = await burst("127.0.0.1", 2);
      assert.equal(first.status, 200);
      assert.equal(second.status, 429);
      assert.equal(second.headers.get("retry-after"), "0");
      const retryAfter = second.json.details[0].innerError.retryAfter;
      assert.ok(retryAfter > 9 && retryAfter <= 10, second.text);
      assert.throws(
        () => emu.setRateLimit({ requestsPerSecond: 1, retryAfterHeader: "ms" as never }),
        /rateLimit\.retryAfterHeader must be "whole-seconds" or "zero", got "ms"/,
      );
    });

    it("by default lets 127.0.0.1 use the whole licence while other addresses get 35%", async () => {
      emu.setRateLimit({ requestsPerSecond: 0.1, burst: 10 });
      const shard = (await burst("127.0.0.2", 4)).map((r) => r.status);
      const local = (await burst("127.0.0.1", 8)).map((r) => r.status);
      assert.deepEqual(shard, [200, 200, 200, 429]);
      assert.deepEqual(local, [200, 200, 200, 200, 200, 200, 200, 429]);
    });

    it("applies the share to 127.0.0.1 too when no address is allowed", async () => {
      emu.setRateLimit({ requestsPerSecond: 0.1, burst: 10, allowedSourceIps: [] });
      assert.deepEqual(
        (await burst("127.0.0.1", 4)).map((r) => r.status),
        [200, 200, 200, 429],
      );
    });

    it("listens on 127.0.0.1 only: the same port on this machine's non-loopback address refuses", async function () {
      const external = Object.values(os.networkInterfaces())
        .flat()
        .find((i) => i && i.family === "IPv4" && !i.internal);
      if (!external) this.skip();
      emu.setRateLimit(undefined);
      const port = new URL(emu.url).port;
      await assert.rejects(callFrom(external!.address, "GET", `http://${external!.address}:${port}/`), {
        code: "ECONNREFUSED",
      });
      assert.equal((await callFrom("127.0.0.7", "GET", `${emu.url}/`)).status, 404);
    });
  });
});
