/**
 * The package's one error model (issue 19 item 2): every error it throws on
 * purpose is a `PingOneSessionsError` whose `code` is the package's own
 * stable code, PingOne's error body sits under `pingOne`, one brand check
 * works across two loaded copies of the package, and no error has an `id`
 * property (the dynamic-provider host would take it for a half-created
 * resource's id).
 */
import * as assert from "assert";
import * as path from "node:path";
import {
  ErrorCode,
  InvalidInputError,
  isPingOneSessionsError,
  PingOneApiError,
  PingOneApiErrorInit,
  PingOneSessionsError,
} from "../../provider/client/errors";
import { assertIds } from "../../provider/client/ids";
import { sessionMatcher } from "../../provider/client/criteria";
import { PingOneConfigError, resolveConnection } from "../../provider/client/settings";
import { BulkRevocationError, SweepIncompleteError } from "../../provider/runtime/errors";
import { SweepResult } from "../../provider/client/sweep";

const ENV = "6f6e0f8a-2c1b-4d3e-8f9a-0b1c2d3e4f50";
const USER = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed";
const SESSION = "0f8fad5b-d9cb-469f-a165-70867728950e";

/** PingOne's error body for a refused DELETE, as it sends it. */
const ACCESS_FAILED = {
  id: "5e4f1d2a-0c3b-4a59-9d7e-3f2a1b0c9d8e",
  code: "ACCESS_FAILED",
  message: "The request could not be completed. You do not have access to this resource.",
  details: [{ code: "INSUFFICIENT_PERMISSIONS", message: "Actor does not have permissions to access this resource." }],
};

function apiInit(overrides: Partial<PingOneApiErrorInit> = {}): PingOneApiErrorInit {
  return {
    target: { action: "revoke session", environmentId: ENV, userId: USER, sessionId: SESSION },
    status: 403,
    body: ACCESS_FAILED,
    advice: "Assign the role.",
    transactionId: "pulumi-pingone-sessions-t1",
    attempts: 1,
    elapsedMs: 20,
    ...overrides,
  };
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return assert.fail("expected a throw");
}

const sweepResult: SweepResult = {
  usersScanned: 3,
  usersInOtherShards: 0,
  usersFailed: 1,
  sessionsMatched: 2,
  sessionsRevoked: 2,
  sessionsAlreadyAbsent: 0,
  sessionsFailed: 0,
  failuresByCode: { "ACCESS_FAILED (HTTP 403)": 1 },
  firstFailures: [{ userId: USER, message: "denied" }],
  revokedDigest: "0".repeat(64),
};

/** A value as JSON carries it (PingOne's body is kept with absent fields as undefined). */
function asJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** One error of each class, made the way the package makes it, with the code it must carry. */
function everyKind(): { kind: string; error: unknown; code: ErrorCode }[] {
  const refused = new PingOneApiError(apiInit());
  return [
    { kind: "PingOneApiError, PingOne's refusal", error: refused, code: "HTTP_STATUS" },
    {
      kind: "PingOneApiError, no answer",
      error: new PingOneApiError(apiInit({ status: undefined, body: undefined, networkCode: "ECONNRESET" })),
      code: "NO_ANSWER",
    },
    {
      kind: "PingOneApiError, not PingOne's 404",
      error: new PingOneApiError(apiInit({ status: 404, body: undefined, failure: "NOT_PINGONE" })),
      code: "NOT_PINGONE",
    },
    {
      kind: "PingOneApiError, for an outer operation",
      error: refused.forOperation({ action: "revoke session", sessionId: SESSION }),
      code: "HTTP_STATUS",
    },
    { kind: "PingOneApiError, with other advice", error: refused.withAdvice("Other advice."), code: "HTTP_STATUS" },
    {
      kind: "InvalidInputError, an id",
      error: thrown(() => assertIds({ environmentId: ENV, userId: "../x" }, ["environmentId", "userId"])),
      code: "INVALID_ID",
    },
    {
      kind: "InvalidInputError, criteria",
      error: thrown(() => sessionMatcher({ createdBefore: "yesterday" })),
      code: "INVALID_CRITERIA",
    },
    { kind: "PingOneConfigError", error: thrown(() => resolveConnection({ env: {} })), code: "CONFIG" },
    {
      kind: "BulkRevocationError",
      error: new BulkRevocationError(
        { environmentId: ENV, userId: USER },
        { revoked: [], alreadyAbsent: [], failed: [{ sessionId: SESSION, error: refused }] },
      ),
      code: "SESSIONS_NOT_REVOKED",
    },
    {
      kind: "SweepIncompleteError",
      error: new SweepIncompleteError({ environmentId: ENV, users: "all users" }, sweepResult, refused, false),
      code: "SWEEP_INCOMPLETE",
    },
  ];
}

describe("the error model", () => {
  describe("code is always the package's own stable code", () => {
    for (const { kind, error, code } of everyKind()) {
      it(`${kind}: code ${code}, a PingOneSessionsError, recognised by the brand, with no id property`, () => {
        assert.ok(error instanceof PingOneSessionsError, String(error));
        assert.ok(isPingOneSessionsError(error));
        assert.equal(error.code, code);
        if (code === "CONFIG") assert.ok(error instanceof PingOneConfigError);
        assert.equal("id" in error, false, "the host would read an id as a half-created resource's id");
        assert.equal("id" in JSON.parse(JSON.stringify(error)), false);
      });
    }

    it("each class's isInstance accepts its own codes only", () => {
      const checks = [
        PingOneApiError.isInstance,
        InvalidInputError.isInstance,
        BulkRevocationError.isInstance,
        SweepIncompleteError.isInstance,
      ];
      const accepted = everyKind().map(({ kind, error }) => [kind, checks.map((check) => check(error))]);
      assert.deepEqual(accepted, [
        ["PingOneApiError, PingOne's refusal", [true, false, false, false]],
        ["PingOneApiError, no answer", [true, false, false, false]],
        ["PingOneApiError, not PingOne's 404", [true, false, false, false]],
        ["PingOneApiError, for an outer operation", [true, false, false, false]],
        ["PingOneApiError, with other advice", [true, false, false, false]],
        ["InvalidInputError, an id", [false, true, false, false]],
        ["InvalidInputError, criteria", [false, true, false, false]],
        ["PingOneConfigError", [false, false, false, false]],
        ["BulkRevocationError", [false, false, true, false]],
        ["SweepIncompleteError", [false, false, false, true]],
      ]);
    });

    it("an error that only looks like one (a code, the old string brand) is not one", () => {
      for (const lookalike of [
        Object.assign(new Error("x"), { code: "HTTP_STATUS" }),
        { __pingoneSessionsError: true, code: "SWEEP_INCOMPLETE", message: "x" },
        new TypeError("sessionId must be a PingOne id"),
        null,
        "HTTP_STATUS",
      ]) {
        assert.equal(isPingOneSessionsError(lookalike), false, String(lookalike));
        assert.equal(PingOneApiError.isInstance(lookalike), false);
        assert.equal(SweepIncompleteError.isInstance(lookalike), false);
      }
    });
  });

  describe("PingOne's error body under pingOne", () => {
    it("keeps PingOne's id, code, message and details there, and still quotes its id and code in the message", () => {
      const error = new PingOneApiError(apiInit());
      assert.equal(error.code, "HTTP_STATUS");
      assert.equal(error.status, 403);
      assert.deepEqual(asJson(error.pingOne), ACCESS_FAILED);
      assert.equal(
        error.message,
        `Could not revoke session (session ${SESSION} of user ${USER} in environment ${ENV}): HTTP 403 ACCESS_FAILED/INSUFFICIENT_PERMISSIONS ` +
          "The request could not be completed. You do not have access to this resource " +
          "[INSUFFICIENT_PERMISSIONS Actor does not have permissions to access this resource.]. " +
          `Assign the role. (PingOne error id ${ACCESS_FAILED.id}, transaction id pulumi-pingone-sessions-t1, 1 attempt in 0 s)`,
      );
      const fields = [
        "advice",
        "attempts",
        "code",
        "elapsedMs",
        "name",
        "pingOne",
        "status",
        "target",
        "transactionId",
      ];
      assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(error))).sort(), fields);
    });

    it("has no pingOne when no PingOne body came, and keeps the body through forOperation and withAdvice", () => {
      assert.equal(new PingOneApiError(apiInit({ status: undefined, body: undefined })).pingOne, undefined);
      const refused = new PingOneApiError(apiInit());
      assert.deepEqual(
        asJson(refused.forOperation({ action: "revoke sessions", userId: USER }).pingOne),
        ACCESS_FAILED,
      );
      assert.deepEqual(asJson(refused.withAdvice("Other.").pingOne), ACCESS_FAILED);
    });

    it("scrubs secrets from PingOne's text under pingOne too", () => {
      const body = {
        ...ACCESS_FAILED,
        message: "echo s3cr3t-value",
        details: [{ code: "X", message: "again s3cr3t-value" }],
      };
      const error = new PingOneApiError(apiInit({ body, secrets: ["s3cr3t-value"] }));
      assert.equal(JSON.stringify(error).includes("s3cr3t-value"), false, JSON.stringify(error));
      assert.equal(error.message.includes("s3cr3t-value"), false);
    });

    it("keeps failure as a deprecated alias of code", () => {
      const error = new PingOneApiError(apiInit({ failure: "PROXY" }));
      assert.equal(error.failure, "PROXY");
      assert.equal(error.failure, error.code);
    });
  });

  describe("one brand, across two loaded copies of the package", () => {
    /** The package's modules loaded a second time: require with the cache of every module under provider/ cleared. */
    function secondCopy(): {
      errors: typeof import("../../provider/client/errors");
      runtimeErrors: typeof import("../../provider/runtime/errors");
    } {
      const providerDir = path.resolve(__dirname, "../../provider") + path.sep;
      const saved = Object.keys(require.cache).filter((key) => key.startsWith(providerDir));
      const kept = Object.fromEntries(saved.map((key) => [key, require.cache[key]]));
      for (const key of saved) delete require.cache[key];
      try {
        return {
          errors: require("../../provider/client/errors"),
          runtimeErrors: require("../../provider/runtime/errors"),
        };
      } finally {
        for (const key of Object.keys(require.cache).filter((k) => k.startsWith(providerDir)))
          delete require.cache[key];
        Object.assign(require.cache, kept);
      }
    }

    it("recognises the other copy's errors by the brand and code, where instanceof fails", () => {
      const other = secondCopy();
      assert.notEqual(other.errors.PingOneApiError, PingOneApiError, "two copies are loaded");
      const theirs = [
        new other.errors.PingOneApiError(apiInit()),
        new other.errors.InvalidInputError("INVALID_ID", "userId must be a PingOne id"),
        new other.runtimeErrors.SweepIncompleteError(
          { environmentId: ENV, users: "all users" },
          sweepResult,
          undefined,
          true,
        ),
      ];
      for (const error of theirs) {
        assert.equal(error instanceof PingOneSessionsError, false);
        assert.equal(isPingOneSessionsError(error), true, error.name);
      }
      assert.deepEqual(
        theirs.map((e) => [
          PingOneApiError.isInstance(e),
          InvalidInputError.isInstance(e),
          SweepIncompleteError.isInstance(e),
        ]),
        [
          [true, false, false],
          [false, true, false],
          [false, false, true],
        ],
      );
      const ours = new PingOneApiError(apiInit());
      assert.equal(other.errors.isPingOneSessionsError(ours), true);
      assert.equal(other.errors.PingOneApiError.isInstance(ours), true);
      assert.equal(
        other.errors.isNotFound(new PingOneApiError(apiInit({ status: 404, body: { id: "x", code: "NOT_FOUND" } }))),
        true,
      );
    });

    it("is one symbol on the base class's prototype: no own brand property, nothing in JSON", () => {
      const error = new PingOneApiError(apiInit());
      assert.deepEqual(Object.getOwnPropertySymbols(error), []);
      assert.deepEqual(Object.getOwnPropertySymbols(PingOneSessionsError.prototype), [
        Symbol.for("pulumi-pingone-sessions.error"),
      ]);
      assert.equal(JSON.stringify(error).includes("__pingoneSessionsError"), false);
    });
  });
});
