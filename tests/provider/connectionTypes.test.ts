/**
 * The resource arguments' types catch what they can: a region that is not a
 * `RegionCode`, a token method that is not a `TokenAuthMethod`, a count
 * given as text. A small program using the package's classes is compiled
 * with the TypeScript compiler (the repository's own compiler options); each
 * bad line must fail with TS2322, the good ones must compile.
 */
import assert from "node:assert/strict";
import path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "../..");
/** Never written to disk, so no project-wide `tsc` run ever sees the lines meant to fail. */
const FIXTURE = path.join(__dirname, "connection-types.fixture.ts");

const LINES = [
  `import * as pulumi from "@pulumi/pulumi";`,
  `import { SessionRevocation, UserSessionsRevocation } from "../../provider";`,
  `const ids = { environmentId: "6f6e8d2c-4a39-4b7a-9d0e-1c2b3a4d5e6f", userId: "0f8fad5b-d9cb-469f-a165-70867728950e" };`,
  `new SessionRevocation("good", { ...ids, sessionId: "7c9e6679-7425-40de-944b-e07fc1f90ae7", connection: { regionCode: "EU", tokenAuthMethod: "client_secret_post", maxAttempts: 5, requestTimeoutSeconds: 2.5 } });`,
  `new UserSessionsRevocation("good-inputs", { ...ids, connection: { regionCode: pulumi.output("AU" as const), maxConcurrency: Promise.resolve(8), clientSecret: pulumi.secret("s") } });`,
  `new UserSessionsRevocation("bad-region", { ...ids, connection: { regionCode: "XX" } });`,
  `new UserSessionsRevocation("bad-method", { ...ids, connection: { tokenAuthMethod: "nonsense" } });`,
  `new UserSessionsRevocation("bad-attempts", { ...ids, connection: { maxAttempts: "lots" } });`,
  `new SessionRevocation("bad-output", { ...ids, sessionId: "7c9e6679-7425-40de-944b-e07fc1f90ae7", connection: { regionCode: pulumi.output("MOON") } });`,
];

describe("connection argument types", function () {
  this.timeout(60_000);

  it("refuse regionCode XX, tokenAuthMethod nonsense and maxAttempts lots with TS2322, and accept good values and Inputs", () => {
    const config = ts.getParsedCommandLineOfConfigFile(
      path.join(ROOT, "tsconfig.json"),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)) },
    )!;
    const host = ts.createCompilerHost(config.options);
    const text = LINES.join("\n");
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (file, language, ...rest) =>
      path.resolve(file) === FIXTURE
        ? ts.createSourceFile(file, text, language)
        : getSourceFile(file, language, ...rest);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (file) => path.resolve(file) === FIXTURE || fileExists(file);
    const program = ts.createProgram([FIXTURE], { ...config.options, noEmit: true }, host);
    const fixture = program.getSourceFile(FIXTURE)!;

    const byLine = new Map<number, number[]>();
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      assert.equal(
        diagnostic.file?.fileName && path.resolve(diagnostic.file.fileName),
        FIXTURE,
        ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"),
      );
      const line = fixture.getLineAndCharacterOfPosition(diagnostic.start!).line;
      byLine.set(line, [...(byLine.get(line) ?? []), diagnostic.code]);
    }
    const name = (line: number) => /"([a-z-]+)"/.exec(LINES[line])?.[1];
    assert.deepEqual(
      [...byLine.entries()].sort(([a], [b]) => a - b).map(([line, codes]) => [name(line), codes]),
      [
        ["bad-region", [2322]],
        ["bad-method", [2322]],
        ["bad-attempts", [2322]],
        ["bad-output", [2322]],
      ],
    );
  });
});
