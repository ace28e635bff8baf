/**
 * Issue 19 item 4: one token and one pacer per licence. Two resources served
 * by one provider process, with the same API URL, auth URL and credentials
 * but different retry settings, must share one token (one token request) and
 * one pacer (with `maxConcurrency` 1, never two requests in flight at once),
 * seen from the emulator's request log.
 */
import assert from "node:assert/strict";
import { userSessionsRevocationProvider } from "../../provider/resources/userSessionsRevocation";
import { ProviderHost, serializeProvider, urnFor } from "../../harness/providerHost";
import { SENTINEL_SECRET, stackConfig, startWorld, World } from "../support/world";

const TYPE = "pulumi-nodejs:dynamic/pingone:UserSessionsRevocation";

describe("one client per licence in a provider process", function () {
  this.timeout(60_000);
  let world: World;
  let host: ProviderHost;

  before(async () => {
    const provider = await serializeProvider(userSessionsRevocationProvider);
    world = await startWorld({}, 0);
    const app = { clientId: world.clientId, clientSecret: SENTINEL_SECRET, environmentId: world.environmentId };
    host = await ProviderHost.start({ config: stackConfig(world.emulator, app, { "pingone:maxConcurrency": "1" }) });
    const users = [
      world.emulator.state.addUser(world.environmentId),
      world.emulator.state.addUser(world.environmentId),
    ];
    for (const userId of users) world.emulator.state.addSession(world.environmentId, userId);
    // Every list answer is slow: two pacers would have both lists in flight at once.
    world.emulator.injectFault({ method: "GET", path: /\/sessions$/, delayMs: 300, count: 2 });
    world.emulator.clearRequests();
    // Created at once, by one provider process; the two differ only in maxAttempts (3 and 4).
    const inputs = (userId: string, maxAttempts: number) => ({
      __provider: provider,
      environmentId: world.environmentId,
      userId,
      connection: { maxAttempts: String(maxAttempts) },
    });
    await Promise.all(users.map((userId, i) => host.create(urnFor(TYPE, `user-${i}`), inputs(userId, 3 + i))));
  });
  after(async () => {
    await host?.stop();
    await world?.stop();
  });

  it("makes one token request for two resources that differ only in maxAttempts, and both use that token", () => {
    assert.equal(world.tokenRequests().length, 1);
    const api = world.apiRequests();
    assert.deepEqual(
      api.map((r) => r.method).sort(),
      ["DELETE", "DELETE", "GET", "GET"],
      "each resource listed its user's sessions and revoked its one",
    );
    assert.equal(new Set(api.map((r) => r.headers.authorization)).size, 1, "one bearer token on every API request");
  });

  it("sends their requests through one pacer: with maxConcurrency 1, no request starts before the one before it was answered", () => {
    const sent = world.apiRequests().sort((a, b) => a.at - b.at);
    assert.equal(sent.length, 4);
    for (let i = 1; i < sent.length; i++) {
      const before = sent[i - 1];
      const overlap = `${sent[i].method} ${sent[i].path} was sent while ${before.method} ${before.path} was still unanswered`;
      assert.ok(before.answeredAt !== undefined && sent[i].at >= before.answeredAt, overlap);
    }
  });
});
