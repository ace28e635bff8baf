import assert from "node:assert/strict";
import { Secret } from "../../provider/client/secret";
import { TokenCache } from "../../provider/client/token";

describe("TokenCache", () => {
  it("shares one fetch among concurrent callers and reuses the token until shortly before expiry", async () => {
    let now = 0;
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      await new Promise((r) => setImmediate(r));
      return { accessToken: new Secret(`t${fetches}`), expiresInSeconds: 3600 };
    };
    const cache = new TokenCache(() => now);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => cache.get(fetch)));
    assert.equal(fetches, 1);
    assert.ok(tokens.every((t) => t.reveal() === "t1"));
    now = (3600 - 61) * 1000;
    assert.equal((await cache.get(fetch)).reveal(), "t1");
    now = (3600 - 59) * 1000;
    assert.equal((await cache.get(fetch)).reveal(), "t2");
  });

  it("does not cache a failed fetch", async () => {
    let calls = 0;
    const fetch = async () => {
      calls++;
      if (calls === 1) throw new Error("boom");
      return { accessToken: new Secret("ok"), expiresInSeconds: 3600 };
    };
    const cache = new TokenCache(() => 0);
    await assert.rejects(cache.get(fetch), /boom/);
    assert.equal((await cache.get(fetch)).reveal(), "ok");
  });

  it("invalidates only the token that was refused", async () => {
    let calls = 0;
    const fetch = async () => ({ accessToken: new Secret(`t${++calls}`), expiresInSeconds: 3600 });
    const cache = new TokenCache(() => 0);
    const first = await cache.get(fetch);
    cache.invalidate(new Secret("t1")); // another object with the same text: not the cached token
    assert.equal(await cache.get(fetch), first);
    cache.invalidate(first);
    assert.equal((await cache.get(fetch)).reveal(), "t2");
  });
});
