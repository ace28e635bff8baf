/**
 * The serialized shim's own failure: the runtime it loads at call time is
 * missing (install advice), or is there and throws while loading (then the
 * advice would mislead: say it failed, and show what it threw, escaped).
 * Through Pulumi's real dynamic-provider host.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { shimProvider } from "../../provider/resources/shim";
import { ProviderHost, serializeProvider, urnFor } from "../../harness/providerHost";

const URN = urnFor("pulumi-nodejs:dynamic/pingone:SessionRevocation", "s");
const IDS = {
  environmentId: "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f",
  userId: "0f8fad5b-d9cb-469f-a165-70867728950e",
  sessionId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
};

describe("the serialized shim, and the runtime it loads", function () {
  this.timeout(60_000);
  let host: ProviderHost;
  before(async () => {
    host = await ProviderHost.start();
  });
  after(async () => {
    await host.stop();
  });

  async function failureWith(runtimeModule: string): Promise<string> {
    const provider = await serializeProvider(shimProvider("SessionRevocation", runtimeModule));
    return host.check(URN, {}, { __provider: provider, ...IDS }).then(
      () => assert.fail("expected a failure"),
      (e: Error) => e.message,
    );
  }

  it("gives the install advice when the runtime is not found", async () => {
    const missing = path.join(__dirname, "fixtures", "no-such-runtime.js");
    assert.equal(
      await failureWith(missing),
      `The PingOne sessions provider could not load ${missing} (Cannot find module '${missing}'). ` +
        "Install pulumi-pingone-sessions in the program's folder (npm install), or run npm run build in a checkout of it.",
    );
  });

  it("says the runtime failed to load, with the first line of what it threw, escaped", async () => {
    const throwing = path.join(__dirname, "fixtures", "throwingRuntime.js");
    assert.equal(
      await failureWith(throwing),
      `The PingOne sessions provider's runtime ${throwing} was found but failed to load: boom \\x1b]0;owned\\x07 while \\u202eloading. ` +
        "The installed package or one of its dependencies is broken: reinstall it (npm ci), and report it if that does not help.",
    );
  });

  it("tells a missing dependency of the runtime from a missing runtime", async () => {
    const message = await failureWith(path.join(__dirname, "fixtures", "runtimeWithMissingDependency.js"));
    assert.match(
      message,
      /was found but failed to load: Cannot find module 'no-such-dependency-of-pingone-sessions'\. The installed package or one of its dependencies is broken/,
    );
    assert.doesNotMatch(message, /Install pulumi-pingone-sessions in the program's folder/);
  });

  it("loads a runtime that requires nothing of @pulumi/pulumi (its Pulumi imports are types only)", () => {
    const runtime = path.resolve(__dirname, "../../dist/provider/runtime/index.js");
    const loaded = execFileSync(
      process.execPath,
      [
        "-e",
        `const Module = require("node:module"); const load = Module._load; const seen = new Set();
         Module._load = function (request, ...rest) { if (request.startsWith("@pulumi/")) seen.add(request); return load.call(this, request, ...rest); };
         const runtime = require(${JSON.stringify(runtime)});
         process.stdout.write(JSON.stringify({ seen: [...seen], kinds: Object.keys(runtime.providers) }));`,
      ],
      { encoding: "utf8" },
    );
    assert.deepEqual(JSON.parse(loaded), {
      seen: [],
      kinds: ["SessionRevocation", "UserSessionsRevocation", "PopulationSessionsRevocation"],
    });
  });
});
