/**
 * A TypeScript project that installed the packed package type-checks with
 * `tsc --noEmit` under each module resolution a Pulumi program may use:
 * `node` (what `pulumi new typescript` writes, and this repository uses),
 * `node16` and `bundler`. It imports the root and both subpaths; the
 * examples are compiled as users copy them, with their own tsconfig.json, and
 * so are the README's TypeScript snippets.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { packedPackage, ROOT } from "./packedPackage";

const TSC = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
// The Pulumi programs among the examples (examples/sharded-sweep holds CI and Kubernetes files only).
const EXAMPLES = fs
  .readdirSync(path.join(ROOT, "examples"))
  .filter((e) => fs.existsSync(path.join(ROOT, "examples", e, "index.ts")))
  .sort();
const README_SNIPPETS = [
  ...fs.readFileSync(path.join(ROOT, "README.md"), "utf8").matchAll(/^```ts\n([\s\S]*?)^```$/gm),
].map(([, code]) => code);

/** What `pulumi new typescript` writes as tsconfig.json. */
const PULUMI_NEW_TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ["index.ts"],
};

/**
 * Each resolution mode with the `module` setting TypeScript requires beside it.
 * `node` runs as `pulumi new` sets a project up, without skipLibCheck, so the
 * shipped declarations are checked under a user's target and lib too (Pulumi
 * type-checks a program before it runs it); only TypeScript's own lib files
 * are skipped, which hold nothing of ours and take half the checking time.
 * The others test resolution, and skip checking every declaration file again.
 */
const MODES = [
  { moduleResolution: "node", module: "commonjs", skipLibCheck: false, skipDefaultLibCheck: true },
  { moduleResolution: "node16", module: "node16", skipLibCheck: true, skipDefaultLibCheck: true },
  { moduleResolution: "bundler", module: "esnext", skipLibCheck: true, skipDefaultLibCheck: true },
];

/**
 * Uses a name from each entry point in a way that only type-checks when its
 * declarations were found: under a resolution that misses them the imports
 * fail (TS2307), and were they `any`, the expected errors would not occur.
 */
const CONSUMER = `import { SessionRevocation, type RegionCode } from "pulumi-pingone-sessions";
import { lifecycleMetadata, providers, type ProviderKind } from "pulumi-pingone-sessions/runtime";
import { startEmulator, type RunningEmulator } from "pulumi-pingone-sessions/emulator";

export async function tryIt(): Promise<string> {
  const emulator: RunningEmulator = await startEmulator({ seed: "demo" });
  await emulator.stop();
  const kind: ProviderKind = "SessionRevocation";
  const region: RegionCode = "EU";
  // @ts-expect-error the emulator has one seed, "demo"
  void startEmulator({ seed: "staging" });
  // @ts-expect-error not a PingOne region
  const nowhere: RegionCode = "XX";
  const imported: { sessionId: string } = lifecycleMetadata.SessionRevocation.parseId("e/u/s");
  const recognised: boolean = SessionRevocation.isInstance(imported);
  return [emulator.apiUrl, typeof providers[kind].create, typeof SessionRevocation, region, nowhere, lifecycleMetadata[kind].idFormat, recognised].join(" ");
}
`;

describe("the npm package, type-checked in a consumer project", function () {
  this.timeout(180_000);
  let folder: string;

  before(() => {
    folder = path.join(packedPackage().project, "typecheck");
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, "consumer.ts"), CONSUMER);
    README_SNIPPETS.forEach((code, i) => fs.writeFileSync(path.join(folder, `readme-${i + 1}.ts`), code));
    for (const example of EXAMPLES) {
      fs.mkdirSync(path.join(folder, example));
      for (const file of ["index.ts", "tsconfig.json"])
        fs.copyFileSync(path.join(ROOT, "examples", example, file), path.join(folder, example, file));
    }
  });

  it("each example has the tsconfig.json `pulumi new typescript` writes", () => {
    for (const example of EXAMPLES) {
      assert.deepEqual(
        JSON.parse(fs.readFileSync(path.join(ROOT, "examples", example, "tsconfig.json"), "utf8")),
        PULUMI_NEW_TSCONFIG,
        example,
      );
    }
  });

  it("compiles the consumer, every example and the README's snippets with moduleResolution node, node16 and bundler", async () => {
    assert.ok(
      README_SNIPPETS.some((code) => code.includes('from "pulumi-pingone-sessions/emulator"')),
      "the README shows the emulator",
    );
    const failures = await Promise.all(
      MODES.map(async ({ moduleResolution, ...options }) => {
        // The examples' own tsconfig, with only the resolution and the lib checks above changed.
        const config = path.join(folder, `tsconfig.${moduleResolution}.json`);
        fs.writeFileSync(
          config,
          JSON.stringify({
            extends: `./${EXAMPLES[0]}/tsconfig.json`,
            compilerOptions: { moduleResolution, ...options, pretty: false },
            files: [
              "consumer.ts",
              ...EXAMPLES.map((e) => `${e}/index.ts`),
              ...README_SNIPPETS.map((_, i) => `readme-${i + 1}.ts`),
            ],
          }),
        );
        try {
          await promisify(execFile)(process.execPath, [TSC, "--noEmit", "-p", config], { cwd: folder });
          return undefined;
        } catch (error) {
          const { stdout, stderr } = error as { stdout: string; stderr: string };
          return `moduleResolution ${moduleResolution}:\n${stdout}${stderr}`;
        }
      }),
    );
    assert.deepEqual(failures.filter(Boolean), []);
  });
});
