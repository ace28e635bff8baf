/**
 * The root entry point's surface, pinned: every name `pulumi-pingone-sessions` exports (types
 * included, read with TypeScript's checker from the source), and which of them exist at run time
 * (the compiled module's keys). A change to either list is a change to the package's public API:
 * make it here on purpose, and say it in CHANGELOG.md.
 */
import assert from "node:assert/strict";
import path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "../..");

/** The resources, their arguments and outputs; the client, what it takes and returns; what it throws. */
const ROOT_EXPORTS = [
  "AccessFacts",
  "AccessScope",
  "AccessVerdict",
  "BulkRevocation",
  "BulkRevocationError",
  "ClientStats",
  "ConnectionArgs",
  "ConnectionOptions",
  "DeleteResult",
  "ErrorCode",
  "FailureCode",
  "Instant",
  "InvalidInputCode",
  "InvalidInputError",
  "OperationTarget",
  "PacerOptions",
  "PingOneApiError",
  "PingOneApiErrorInit",
  "PingOneClient",
  "PingOneClientOptions",
  "PingOneConfigError",
  "PingOneErrorBody",
  "PingOneErrorDetail",
  "PingOneErrorFields",
  "PingOneSession",
  "PingOneSessionsError",
  "PopulationSessionsRevocation",
  "PopulationSessionsRevocationArgs",
  "PopulationSessionsRevocationOutputs",
  "RecordedState",
  "RegionCode",
  "ResolvedConnection",
  "RetryNotice",
  "RetryOptions",
  "RevocationOutcome",
  "Session",
  "SessionCriteria",
  "SessionRef",
  "SessionRevocation",
  "SessionRevocationArgs",
  "SessionRevocationOutputs",
  "SettingsInput",
  "Shard",
  "StoredRouting",
  "SweepCounts",
  "SweepIncompleteError",
  "SweepOptions",
  "SweepResult",
  "SweepSessionEvent",
  "SweepUsersArgs",
  "TokenAuthMethod",
  "UserRef",
  "UserSelection",
  "UserSessionsRevocation",
  "UserSessionsRevocationArgs",
  "UserSessionsRevocationOutputs",
  "accessFacts",
  "isNotFound",
  "isPingOneSessionsError",
  "mayRevoke",
  "resolveConnection",
  "revokeUserSessions",
  "sweepSessions",
];

/** Of those, the names that are values (classes and functions), not only types. */
const ROOT_VALUES = [
  "BulkRevocationError",
  "InvalidInputError",
  "PingOneApiError",
  "PingOneClient",
  "PingOneConfigError",
  "PingOneSessionsError",
  "PopulationSessionsRevocation",
  "SessionRevocation",
  "SweepIncompleteError",
  "UserSessionsRevocation",
  "accessFacts",
  "isNotFound",
  "isPingOneSessionsError",
  "mayRevoke",
  "resolveConnection",
  "revokeUserSessions",
  "sweepSessions",
];

/** Every name the module at `file` exports, types included, sorted. */
function exportedNames(file: string): string[] {
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  assert.ok(source, file);
  const symbol = checker.getSymbolAtLocation(source);
  assert.ok(symbol, `${file} is a module`);
  return checker
    .getExportsOfModule(symbol)
    .map((s) => s.getName())
    .sort();
}

describe("the package root's exports", function () {
  this.timeout(60_000);

  it("are exactly the pinned names, types included", () => {
    assert.deepEqual(exportedNames(path.join(ROOT, "provider", "index.ts")), ROOT_EXPORTS);
  });

  it("are exactly the pinned values at run time, and no provider object, default or parser", () => {
    const compiled = require(path.join(ROOT, "dist", "provider", "index.js")) as Record<string, unknown>;
    assert.deepEqual(Object.keys(compiled).sort(), ROOT_VALUES);
    for (const internal of [
      "sessionRevocationProvider",
      "DEFAULT_PACER",
      "DEFAULT_RETRY",
      "parseRetryAfter",
      "REGION_TLDS",
      "SETTING_SOURCES",
    ]) {
      assert.equal(internal in compiled, false, internal);
    }
  });
});
