import * as assert from "assert";
import { ProviderHost, ProviderHostError, serializeProvider, urnFor } from "../../harness/providerHost";
import { echoProvider } from "./fixtures/echoProvider";

const TYPE = "pulumi-nodejs:dynamic:Echo";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function rejection(p: Promise<unknown>): Promise<ProviderHostError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProviderHostError, `expected ProviderHostError, got ${e}`);
    return e;
  }
  assert.fail("expected the call to reject");
}

describe("ProviderHost (real @pulumi/pulumi dynamic-provider host)", function () {
  this.timeout(20_000);

  let host: ProviderHost;
  let victim: ProviderHost;
  let provider: string;

  before(async () => {
    [provider, host, victim] = await Promise.all([
      serializeProvider(echoProvider),
      ProviderHost.start({ config: { "test:greeting": "hello" } }),
      ProviderHost.start(),
    ]);
  });

  after(async () => {
    await Promise.all([host?.stop(), victim?.stop()]);
  });

  it("serializes the provider like pulumi.dynamic.Resource (exports.handler)", async () => {
    assert.match(provider, /^exports\.handler = __f\d+;/);
    assert.strictEqual(await serializeProvider(echoProvider), provider);
  });

  it("runs the host as a child process that printed its port", () => {
    assert.ok(isAlive(host.pid));
    assert.match(host.stdout(), /^\d+\n/);
  });

  it("delivers stack config to configure (greeting in create outs)", async () => {
    const res = await host.create(urnFor(TYPE, "a"), { name: "a", __provider: provider });
    assert.strictEqual(res.id, "echo-a");
    assert.strictEqual(res.properties.greeting, "hello");
    assert.strictEqual(res.properties.name, "a");
    assert.strictEqual(res.properties.__provider, provider, "the host adds __provider to the outputs");
  });

  it("returns check failures and the checked inputs", async () => {
    const bad = await host.check(urnFor(TYPE, "b"), {}, { name: "", __provider: provider });
    assert.deepStrictEqual(bad.failures, [{ property: "name", reason: "name must not be empty" }]);
    const good = await host.check(urnFor(TYPE, "b"), {}, { name: "b", __provider: provider });
    assert.deepStrictEqual(good.failures, []);
    assert.deepStrictEqual(good.inputs, { name: "b", __provider: provider });
  });

  it("reports diff changes and replaces", async () => {
    const urn = urnFor(TYPE, "c");
    const olds = { name: "c", greeting: "hello", __provider: provider };
    const renamed = await host.diff("echo-c", urn, olds, { name: "c2", __provider: provider });
    assert.deepStrictEqual(renamed, { changes: "some", replaces: ["name"], deleteBeforeReplace: false });
    const same = await host.diff("echo-c", urn, olds, { name: "c", __provider: provider });
    assert.deepStrictEqual(same, { changes: "none", replaces: [], deleteBeforeReplace: false });
  });

  it("reads and updates", async () => {
    const urn = urnFor(TYPE, "d");
    const outs = { name: "d", greeting: "hello", __provider: provider };
    const read = await host.read("echo-d", urn, outs);
    assert.deepStrictEqual(read, { id: "echo-d", properties: outs });
    const upd = await host.update("echo-d", urn, outs, { name: "d", __provider: provider });
    assert.deepStrictEqual(upd.properties, { name: "d", greeting: "hello", updated: true, __provider: provider });
  });

  it("surfaces a thrown delete error as ProviderHostError code 2 with the exact message", async () => {
    const urn = urnFor(TYPE, "undeletable");
    const err = await rejection(host.delete("echo-undeletable", urn, { name: "undeletable", __provider: provider }));
    assert.strictEqual(err.code, 2);
    assert.strictEqual(err.message, "delete refused: echo-undeletable");
    assert.strictEqual(err.details, "delete refused: echo-undeletable");
    assert.match(host.stderr(), /delete refused: echo-undeletable/);
    await host.delete("echo-e", urnFor(TYPE, "e"), { name: "e", __provider: provider });
  });

  it("fails delete when the stored outputs lack __provider", async () => {
    const err = await rejection(host.delete("echo-f", urnFor(TYPE, "f"), { name: "f" }));
    assert.strictEqual(err.code, 2);
    assert.strictEqual(err.message, "code must be a string, not undefined");
  });

  it("decodes ErrorResourceInitFailed details of a create error", async () => {
    const err = await rejection(
      host.create(urnFor(TYPE, "half-created"), { name: "half-created", __provider: provider }),
    );
    assert.strictEqual(err.code, 2);
    assert.strictEqual(err.message, "init failed");
    assert.deepStrictEqual(err.initFailure, {
      id: "echo-half-created",
      properties: { name: "half-created" },
      reasons: ["not ready"],
    });
  });

  it("handles 200 concurrent creates on one host", async () => {
    const names = Array.from({ length: 200 }, (_, i) => `p${i}`);
    const results = await Promise.all(
      names.map((n) => host.create(urnFor(TYPE, n), { name: n, __provider: provider })),
    );
    assert.deepStrictEqual(
      results.map((r) => r.id),
      names.map((n) => `echo-${n}`),
    );
    assert.ok(results.every((r) => r.properties.greeting === "hello"));
  });

  it("reports the host's own peak RSS, in bytes: it rises by what the host fills", async () => {
    const MB = 1024 * 1024;
    const before = await host.peakRssBytes();
    const testProcessBefore = process.resourceUsage().maxRSS * 1024;
    await host.create(urnFor(TYPE, "ballast-64"), { name: "ballast-64", __provider: provider });
    const after = await host.peakRssBytes();
    // At least 64 MB above the host's resident size when it filled the ballast, which may lie a little
    // below the earlier peak: a wrong unit (kB), a wrong process or the current size would not rise so.
    assert.ok(
      after - before >= 48 * MB,
      `peak RSS ${(before / MB).toFixed(1)} MB -> ${(after / MB).toFixed(1)} MB after filling 64 MB`,
    );
    assert.ok(after - before < 96 * MB, `peak RSS rose ${((after - before) / MB).toFixed(1)} MB for 64 MB filled`);
    assert.ok(
      process.resourceUsage().maxRSS * 1024 - testProcessBefore < 48 * MB,
      "the ballast was filled in the host, not in this process",
    );
  });

  it("honours a per-call deadline option", async () => {
    const res = await host.create(urnFor(TYPE, "g"), { name: "g", __provider: provider }, { timeoutMs: 10_000 });
    assert.strictEqual(res.id, "echo-g");
  });

  it("kill() ends the host process; later calls fail as UNAVAILABLE", async () => {
    const { id } = await victim.create(urnFor(TYPE, "v"), { name: "v", __provider: provider });
    assert.strictEqual(id, "echo-v");
    assert.ok(isAlive(victim.pid));
    await victim.kill();
    assert.ok(!isAlive(victim.pid), "pid still alive after kill()");
    assert.strictEqual(await victim.peakRssBytes(), 0);
    const err = await rejection(
      victim.create(urnFor(TYPE, "w"), { name: "w", __provider: provider }, { timeoutMs: 5_000 }),
    );
    assert.strictEqual(err.code, 14);
    await victim.stop();
    await victim.stop();
  });
});
