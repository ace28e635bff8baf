/**
 * `isInstance` on each resource class: Pulumi's generated SDKs' brand check on the type token,
 * which recognises a resource made by another copy of the package too (where `instanceof` fails).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { PopulationSessionsRevocation, SessionRevocation, UserSessionsRevocation } from "../../provider";
import { runProgram } from "../support/mocks";

describe("the resource classes' isInstance", function () {
  this.timeout(30_000);

  it("recognises each class's own resources and no other, under the token Pulumi recorded on them", async () => {
    const run = await runProgram(path.join(__dirname, "fixtures", "isInstanceProgram.ts"), "is-instance", {});
    assert.deepEqual(run.outputs.recognised, {
      SessionRevocation: ["session"],
      UserSessionsRevocation: ["user"],
      PopulationSessionsRevocation: ["population"],
    });
    assert.deepEqual(run.outputs.tokens, {
      session: "pulumi-nodejs:dynamic/pingone:SessionRevocation",
      user: "pulumi-nodejs:dynamic/pingone:UserSessionsRevocation",
      population: "pulumi-nodejs:dynamic/pingone:PopulationSessionsRevocation",
    });
  });

  it("recognises a resource of another copy of the package by its token, and refuses anything else", () => {
    const fromAnotherCopy = { __pulumiType: "pulumi-nodejs:dynamic/pingone:SessionRevocation", urn: "elsewhere" };
    assert.equal(SessionRevocation.isInstance(fromAnotherCopy), true);
    assert.equal(UserSessionsRevocation.isInstance(fromAnotherCopy), false);
    for (const other of [
      undefined,
      null,
      "pulumi-nodejs:dynamic/pingone:SessionRevocation",
      {},
      { __pulumiType: "pulumi-nodejs:dynamic:Resource" },
    ]) {
      assert.equal(SessionRevocation.isInstance(other), false, String(other));
      assert.equal(PopulationSessionsRevocation.isInstance(other), false, String(other));
    }
  });
});
